// JSON equality where 1 == 1.0, without recursion (instances may be arbitrarily deep).
#include "score/schema/json_equal.hpp"

#include <cstdint>
#include <functional>
#include <string_view>
#include <utility>
#include <vector>

namespace tb::schema_detail {

using json = nlohmann::json;

namespace {

bool numbers_equal(const json& a, const json& b) {
  if (a.is_number_float() || b.is_number_float()) return a.get<double>() == b.get<double>();
  if (a.is_number_unsigned() && b.is_number_unsigned()) {
    return a.get<std::uint64_t>() == b.get<std::uint64_t>();
  }
  if (a.is_number_unsigned() || b.is_number_unsigned()) {
    const json& u = a.is_number_unsigned() ? a : b;
    const json& s = a.is_number_unsigned() ? b : a;
    const std::int64_t sv = s.get<std::int64_t>();
    return sv >= 0 && static_cast<std::uint64_t>(sv) == u.get<std::uint64_t>();
  }
  return a.get<std::int64_t>() == b.get<std::int64_t>();
}

// Equal as scalars, or containers of the same kind and size (contents not yet compared).
bool shallow_equal(const json& a, const json& b) {
  if (a.type() != b.type()) return a.is_number() && b.is_number() && numbers_equal(a, b);
  switch (a.type()) {
    case json::value_t::null:
      return true;
    case json::value_t::boolean:
      return *a.get_ptr<const json::boolean_t*>() == *b.get_ptr<const json::boolean_t*>();
    case json::value_t::string:
      return *a.get_ptr<const json::string_t*>() == *b.get_ptr<const json::string_t*>();
    case json::value_t::number_integer:
      return *a.get_ptr<const json::number_integer_t*>() ==
             *b.get_ptr<const json::number_integer_t*>();
    case json::value_t::number_unsigned:
      return *a.get_ptr<const json::number_unsigned_t*>() ==
             *b.get_ptr<const json::number_unsigned_t*>();
    case json::value_t::number_float:
      return *a.get_ptr<const json::number_float_t*>() == *b.get_ptr<const json::number_float_t*>();
    case json::value_t::array:
    case json::value_t::object:
      return a.size() == b.size();
    default:
      return a == b;
  }
}

}  // namespace

bool json_equal(const json& a, const json& b) {
  if (!shallow_equal(a, b)) return false;
  if (!a.is_structured()) return true;
  std::vector<std::pair<const json*, const json*>> pending{{&a, &b}};
  while (!pending.empty()) {
    const auto [x, y] = pending.back();
    pending.pop_back();
    if (x->is_array()) {
      for (std::size_t i = 0; i < x->size(); ++i) {
        const json& xi = (*x)[i];
        const json& yi = (*y)[i];
        if (!shallow_equal(xi, yi)) return false;
        if (xi.is_structured()) pending.emplace_back(&xi, &yi);
      }
    } else {
      const auto& xo = x->get_ref<const json::object_t&>();
      const auto& yo = y->get_ref<const json::object_t&>();
      for (auto xi = xo.begin(), yi = yo.begin(); xi != xo.end(); ++xi, ++yi) {
        if (xi->first != yi->first || !shallow_equal(xi->second, yi->second)) return false;
        if (xi->second.is_structured()) pending.emplace_back(&xi->second, &yi->second);
      }
    }
  }
  return true;
}

std::size_t shallow_hash(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return 0x9e3779b9u;
    case json::value_t::boolean:
      return v.get<bool>() ? 1 : 2;
    case json::value_t::string:
      return std::hash<std::string_view>()(v.get_ref<const std::string&>());
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return std::hash<double>()(v.get<double>());
    case json::value_t::array:
      return 0x51ed27u ^ (v.size() * 1000003u);
    case json::value_t::object: {
      std::size_t h = 0x3c6ef372u ^ v.size();
      if (!v.empty()) h ^= std::hash<std::string_view>()(v.items().begin().key());
      return h;
    }
    default:
      return 7;
  }
}

}  // namespace tb::schema_detail
