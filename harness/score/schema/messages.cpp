// Values quoted in schema errors and violation messages.
#include "score/schema/messages.hpp"

namespace tb::schema_detail {

using json = nlohmann::json;

namespace {

// Serializes at most about `budget` characters, and never deeper than a few levels: instances
// may be arbitrarily deep and json::dump() recurses.
void dump_bounded(const json& v, std::size_t depth, std::size_t budget, std::string* out) {
  if (out->size() >= budget) return;
  if (!v.is_structured()) {
    out->append(v.dump(-1, ' ', false, json::error_handler_t::replace));
    return;
  }
  if (depth >= 8 || v.empty()) {
    out->append(v.empty() ? (v.is_array() ? "[]" : "{}") : (v.is_array() ? "[...]" : "{...}"));
    return;
  }
  out->push_back(v.is_array() ? '[' : '{');
  bool first = true;
  for (auto it = v.begin(); it != v.end() && out->size() < budget; ++it) {
    if (!first) out->push_back(',');
    first = false;
    if (v.is_object()) {
      out->append(json(it.key()).dump(-1, ' ', false, json::error_handler_t::replace));
      out->push_back(':');
    }
    dump_bounded(*it, depth + 1, budget, out);
  }
  out->push_back(v.is_array() ? ']' : '}');
}

}  // namespace

std::string short_dump(const json& v) {
  std::string s;
  dump_bounded(v, 0, 80, &s);
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return s;
}

std::string short_dump(const std::vector<json>& values) {
  std::string s = "[";
  for (std::size_t i = 0; i < values.size() && s.size() < 80; ++i) {
    if (i > 0) s.push_back(',');
    dump_bounded(values[i], 1, 80, &s);
  }
  s.push_back(']');
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return s;
}

std::string quote(std::string_view s) {
  std::string q = json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace);
  if (q.size() > 82) q = q.substr(0, 78) + "...\"";
  return q;
}

std::string short_location(std::string pointer) {
  constexpr std::size_t kMax = 200, kHead = 60;
  if (pointer.size() <= kMax) return pointer;
  // Cut at segment boundaries: the head up to a '/' before kHead, the tail from a '/'.
  std::size_t head = pointer.rfind('/', kHead);
  if (head == std::string::npos || head == 0) head = kHead;
  std::size_t tail = pointer.find('/', pointer.size() - (kMax - kHead));
  if (tail == std::string::npos) tail = pointer.size() - (kMax - kHead);
  return pointer.substr(0, head) + "/..." + pointer.substr(tail);
}

}  // namespace tb::schema_detail
