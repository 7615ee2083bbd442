// The JSON Schema evaluator on a JsonTape: verdict only (valid or not), for schemas that keep to
// the keywords model-output schemas use (types, properties/required/additionalProperties, items,
// enum/const of scalars, bounds, patterns, $ref and the boolean applicators).
//
// It mirrors the json evaluator (evaluator*.cpp) keyword by keyword, including its depth
// limits, so the two agree on every instance (tests compare them on the official test suite).
// Schemas outside that set (unevaluated*, $dynamicRef, uniqueItems, propertyNames, asserted
// formats, enum/const of arrays or objects) go through the json evaluator instead.
#include "score/schema/tape_evaluator.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>

#include "common/json_tape.hpp"
#include "common/utf8.hpp"
#include "score/schema/program.hpp"

namespace tb::schema_detail {
namespace {

using Kind = JsonTape::Kind;

bool is_scalar(const json& v) {
  return !v.is_array() && !v.is_object();
}

bool node_supported(const Node& n) {
  if (n.kind != Node::Kind::kSchema) return true;
  if (n.has_unevaluated || n.dynamic_ref != kNone || n.unique_items || n.property_names != kNone ||
      n.assert_format) {
    return false;
  }
  if (n.has_const && !is_scalar(n.const_value)) return false;
  return std::all_of(n.enum_values.begin(), n.enum_values.end(), is_scalar);
}

class TapeEvaluator {
 public:
  TapeEvaluator(const Program& program, const JsonTape& tape) : p_(program), t_(tape) {}

  bool run() { return eval(p_.root, 0, 0, 0); }

 private:
  bool eval(std::int32_t idx, std::size_t v, std::size_t depth, std::size_t idepth) {
    const Node& n = p_.nodes[static_cast<std::size_t>(idx)];
    if (n.kind == Node::Kind::kTrue) return true;
    if (n.kind == Node::Kind::kFalse) return false;
    if (idepth > p_.max_depth || depth > p_.eval_depth_limit) return false;
    ++depth;
    const JsonTape::Entry& e = t_[v];
    if (n.types != kAllTypes && !type_ok(n.types, v)) return false;
    if (n.has_inplace && !inplace(n, v, depth, idepth)) return false;
    if (n.has_const && !scalar_equal(n.const_value, v)) return false;
    if (n.has_enum && !in_enum(n, v)) return false;
    switch (e.kind) {
      case Kind::integer:
      case Kind::unsigned_integer:
      case Kind::floating:
        return n.num_flags == 0 || check_number(n, v);
      case Kind::string:
        return check_string(n, t_.string(v));
      case Kind::array:
        return check_array(n, v, depth, idepth);
      case Kind::object:
        return check_object(n, v, depth, idepth);
      default:
        return true;
    }
  }

  bool type_ok(std::uint8_t types, std::size_t v) const {
    switch (t_[v].kind) {
      case Kind::null:
        return types & kTypeNull;
      case Kind::boolean:
        return types & kTypeBoolean;
      case Kind::object:
        return types & kTypeObject;
      case Kind::array:
        return types & kTypeArray;
      case Kind::string:
        return types & kTypeString;
      case Kind::integer:
      case Kind::unsigned_integer:
        return types & (kTypeNumber | kTypeInteger);
      case Kind::floating: {
        if (types & kTypeNumber) return true;
        const double d = t_.floating(v);
        return (types & kTypeInteger) && std::isfinite(d) && std::floor(d) == d;
      }
    }
    return false;
  }

  // numbers_equal() of json_equal.cpp, one side on the tape.
  bool number_equal(const json& a, std::size_t v) const {
    const Kind k = t_[v].kind;
    if (a.is_number_float() || k == Kind::floating) return a.get<double>() == t_.number(v);
    if (a.is_number_unsigned() && k == Kind::unsigned_integer) {
      return a.get<std::uint64_t>() == t_.unsigned_integer(v);
    }
    if (a.is_number_unsigned()) {
      const std::int64_t s = t_.integer(v);
      return s >= 0 && static_cast<std::uint64_t>(s) == a.get<std::uint64_t>();
    }
    if (k == Kind::unsigned_integer) {
      const std::int64_t s = a.get<std::int64_t>();
      return s >= 0 && static_cast<std::uint64_t>(s) == t_.unsigned_integer(v);
    }
    return a.get<std::int64_t>() == t_.integer(v);
  }

  bool scalar_equal(const json& a, std::size_t v) const {
    switch (t_[v].kind) {
      case Kind::null:
        return a.is_null();
      case Kind::boolean:
        return a.is_boolean() && a.get<bool>() == t_[v].boolean;
      case Kind::string:
        return a.is_string() && *a.get_ptr<const json::string_t*>() == t_.string(v);
      case Kind::integer:
      case Kind::unsigned_integer:
      case Kind::floating:
        return a.is_number() && number_equal(a, v);
      default:
        return false;  // containers never equal the scalars a supported schema holds
    }
  }

  bool in_enum(const Node& n, std::size_t v) const {
    if (t_[v].kind == Kind::string) {
      const std::string_view s = t_.string(v);
      return std::any_of(n.enum_strings.begin(), n.enum_strings.end(),
                         [&](const std::string& e) { return e == s; });
    }
    return std::any_of(n.enum_values.begin(), n.enum_values.end(),
                       [&](const json& e) { return scalar_equal(e, v); });
  }

  bool inplace(const Node& n, std::size_t v, std::size_t depth, std::size_t idepth) {
    if (n.ref != kNone && !eval(n.ref, v, depth, idepth)) return false;
    for (const std::int32_t s : n.all_of) {
      if (!eval(s, v, depth, idepth)) return false;
    }
    if (!n.any_of.empty() && std::none_of(n.any_of.begin(), n.any_of.end(), [&](std::int32_t s) {
          return eval(s, v, depth, idepth);
        })) {
      return false;
    }
    if (!n.one_of.empty()) {
      std::size_t matches = 0;
      for (const std::int32_t s : n.one_of) {
        if (eval(s, v, depth, idepth) && ++matches > 1) break;
      }
      if (matches != 1) return false;
    }
    if (n.not_ != kNone && eval(n.not_, v, depth, idepth)) return false;
    if (n.if_ != kNone) {
      const std::int32_t branch = eval(n.if_, v, depth, idepth) ? n.then_ : n.else_;
      if (branch != kNone && !eval(branch, v, depth, idepth)) return false;
    }
    if (!n.dependent_schemas.empty() && t_[v].kind == Kind::object) {
      for (const NamedChild& dep : n.dependent_schemas) {
        if (has_member(v, dep.name) && !eval(dep.node, v, depth, idepth)) return false;
      }
    }
    return true;
  }

  bool has_member(std::size_t object, std::string_view name) const {
    const std::size_t end = t_.next(object);
    for (std::size_t k = object + 1; k < end; k = t_.next(k + 1)) {
      if (t_.string(k) == name) return true;
    }
    return false;
  }

  bool check_number(const Node& n, std::size_t v) const {
    const double d = t_.number(v);
    if ((n.num_flags & kMinimum) && !(d >= n.minimum)) return false;
    if ((n.num_flags & kMaximum) && !(d <= n.maximum)) return false;
    if ((n.num_flags & kExclusiveMinimum) && !(d > n.exclusive_minimum)) return false;
    if ((n.num_flags & kExclusiveMaximum) && !(d < n.exclusive_maximum)) return false;
    if ((n.num_flags & kMultipleOf) && !multiple_ok(n, v, d)) return false;
    return true;
  }

  bool multiple_ok(const Node& n, std::size_t v, double d) const {
    const Kind k = t_[v].kind;
    if (n.multiple_of_int > 0 && k != Kind::floating) {
      std::uint64_t u = 0;
      if (k == Kind::unsigned_integer) {
        u = t_.unsigned_integer(v);
      } else {
        const std::int64_t s = t_.integer(v);
        u = s < 0 ? 0 - static_cast<std::uint64_t>(s) : static_cast<std::uint64_t>(s);
      }
      return u % n.multiple_of_int == 0;
    }
    const double q = d / n.multiple_of;
    if (!std::isfinite(q)) return std::isfinite(d) && std::fmod(d, n.multiple_of) == 0;
    const double r = std::nearbyint(q);
    return std::fabs(q - r) <= 1e-9 * std::max(1.0, std::fabs(r));
  }

  bool check_string(const Node& n, std::string_view s) const {
    const bool need_count = (n.min_length > 0 && s.size() / 4 < n.min_length) ||
                            (n.max_length != kUnbounded && s.size() > n.max_length);
    if (need_count) {
      const std::size_t len = utf8_length(s);
      if (len < n.min_length || len > n.max_length) return false;
    }
    return n.pattern == kNone || p_.regexes[static_cast<std::size_t>(n.pattern)].search(s);
  }

  bool check_array(const Node& n, std::size_t v, std::size_t depth, std::size_t idepth) {
    const std::size_t size = t_[v].size;
    if (size < n.min_items || size > n.max_items) return false;
    const std::size_t end = t_.next(v);
    std::size_t i = 0;
    for (std::size_t item = v + 1; item < end; item = t_.next(item), ++i) {
      const std::int32_t schema = i < n.prefix_items.size() ? n.prefix_items[i] : n.items;
      if (schema != kNone && !eval(schema, item, depth, idepth + 1)) return false;
    }
    if (n.contains != kNone) {
      std::size_t matches = 0;
      for (std::size_t item = v + 1; item < end; item = t_.next(item)) {
        if (eval(n.contains, item, depth, idepth + 1)) {
          ++matches;
          if (matches >= n.min_contains && n.max_contains == kUnbounded) break;
          if (matches > n.max_contains) break;
        }
      }
      if (matches < n.min_contains || matches > n.max_contains) return false;
    }
    return true;
  }

  const Member* find_member(const Node& n, std::string_view key) const {
    // Members are sorted by name; schemas of model outputs have few, so a scan by length first.
    if (n.members.size() <= 8) {
      for (const Member& m : n.members) {
        if (m.name.size() == key.size() && m.name == key) return &m;
      }
      return nullptr;
    }
    const auto it = std::lower_bound(
        n.members.begin(), n.members.end(), key,
        [](const Member& m, std::string_view k) { return std::string_view(m.name) < k; });
    return it != n.members.end() && it->name == key ? &*it : nullptr;
  }

  bool check_object(const Node& n, std::size_t v, std::size_t depth, std::size_t idepth) {
    const std::size_t size = t_[v].size;
    if (size < n.min_properties || size > n.max_properties) return false;
    const std::size_t end = t_.next(v);
    for (const DependentRequired& dep : n.dependent_required) {
      if (!has_member(v, dep.name)) continue;
      for (const std::string& name : dep.required) {
        if (!has_member(v, name)) return false;
      }
    }
    const bool per_member =
        !n.members.empty() || !n.pattern_properties.empty() || n.additional_properties != kNone;
    if (!per_member) return true;
    std::size_t required_seen = 0;
    for (std::size_t k = v + 1; k < end;) {
      const std::string_view key = t_.string(k);
      const std::size_t value = k + 1;
      k = t_.next(value);
      bool matched = false;
      if (const Member* m = find_member(n, key)) {
        required_seen += m->required ? 1 : 0;  // keys are distinct: no duplicate keys here
        if (m->node != kNone) {
          matched = true;
          if (!eval(m->node, value, depth, idepth + 1)) return false;
        }
      }
      for (const auto& [re, node] : n.pattern_properties) {
        if (!p_.regexes[static_cast<std::size_t>(re)].search(key)) continue;
        matched = true;
        if (!eval(node, value, depth, idepth + 1)) return false;
      }
      if (!matched && n.additional_properties != kNone &&
          !eval(n.additional_properties, value, depth, idepth + 1)) {
        return false;
      }
    }
    return required_seen >= n.required_count;
  }

  const Program& p_;
  const JsonTape& t_;
};

}  // namespace

bool supports_tape(const Program& program) {
  return !program.uses_dynamic &&
         std::all_of(program.nodes.begin(), program.nodes.end(), node_supported);
}

bool tape_is_valid(const Program& program, const JsonTape& instance) {
  return TapeEvaluator(program, instance).run();
}

}  // namespace tb::schema_detail
