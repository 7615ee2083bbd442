// The evaluator's walk over nodes and the keywords of scalars: type, enum, const, the numeric
// bounds and multipleOf, string lengths, pattern and asserted formats.
#include "score/schema/evaluator.hpp"

#include <algorithm>
#include <cmath>

#include "common/text.hpp"
#include "common/utf8.hpp"
#include "score/schema/formats.hpp"
#include "score/schema/json_equal.hpp"
#include "score/schema/messages.hpp"
#include "score/schema/regex.hpp"

namespace tb::schema_detail {

namespace {

std::string_view instance_type(const json& x) {
  switch (x.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "boolean";
    case json::value_t::object:
      return "object";
    case json::value_t::array:
      return "array";
    case json::value_t::string:
      return "string";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "integer";
    case json::value_t::number_float:
      return "number";
    default:
      return "value";
  }
}

std::string format_number(double d) {
  if (std::floor(d) == d && std::fabs(d) < 1e15) return std::to_string(static_cast<long long>(d));
  return json(d).dump();
}

double to_double(const json& x) {
  switch (x.type()) {
    case json::value_t::number_integer:
      return static_cast<double>(*x.get_ptr<const json::number_integer_t*>());
    case json::value_t::number_unsigned:
      return static_cast<double>(*x.get_ptr<const json::number_unsigned_t*>());
    default:
      return *x.get_ptr<const json::number_float_t*>();
  }
}

}  // namespace

std::string render(const PathSeg* p) {
  std::vector<const PathSeg*> segs;
  for (; p != nullptr; p = p->parent) segs.push_back(p);
  std::string out;
  for (auto it = segs.rbegin(); it != segs.rend(); ++it) {
    out.push_back('/');
    if ((*it)->is_index) {
      out.append(std::to_string((*it)->index));
    } else {
      out.append(json_pointer_escape((*it)->name));
    }
  }
  return out;
}

bool Evaluator::run(const json& instance) {
  const Ctx c{nullptr, nullptr, nullptr, 0, 0};
  return eval(p_.root, instance, c, nullptr);
}

bool Evaluator::eval(std::int32_t idx, const json& x, const Ctx& c_in, Evaluated* ann) {
  const Node& n = p_.nodes[static_cast<std::size_t>(idx)];
  if (n.kind == Node::Kind::kTrue) return true;
  if (n.kind == Node::Kind::kFalse) {
    report_at(c_in.ipath, c_in.spath, "false",
              [] { return std::string("no value is allowed here (the schema is false)"); });
    return false;
  }
  if (c_in.idepth > p_.max_depth || c_in.depth > p_.eval_depth_limit) {
    report_at(c_in.ipath, c_in.spath, "maxDepth", [&] {
      return c_in.idepth > p_.max_depth
                 ? "instance is nested deeper than max_depth (" + std::to_string(p_.max_depth) + ")"
                 : "schema recursion deeper than " + std::to_string(p_.eval_depth_limit) +
                       " levels (a reference cycle?)";
    });
    return false;
  }
  Ctx c = c_in;
  ++c.depth;
  Scope scope{n.resource, c.scope};
  if (p_.uses_dynamic && (c.scope == nullptr || c.scope->resource != n.resource)) {
    c.scope = &scope;
  }
  if (n.has_unevaluated) {
    // unevaluated* see only what this schema and its in-place subschemas evaluated.
    Evaluated local;
    bool ok = keywords(n, x, c, &local);
    if ((ok || collecting()) && !unevaluated(n, x, c, &local)) ok = false;
    if (ann != nullptr) ann->merge(local);
    return ok;
  }
  return keywords(n, x, c, ann);
}

// Every keyword of n but the unevaluated ones.
bool Evaluator::keywords(const Node& n, const json& x, const Ctx& c, Evaluated* a) {
  bool ok = true;
  if (n.types != kAllTypes && !type_ok(n.types, x)) {
    report(c.ipath, c.spath, "type", [&] { return type_message(n.types, x); });
    if (!collecting()) return false;
    ok = false;
  }
  if (n.has_inplace && !inplace(n, x, c, a)) {
    if (!collecting()) return false;
    ok = false;
  }
  if (n.has_const && !json_equal(n.const_value, x)) {
    report(c.ipath, c.spath, "const",
           [&] { return "expected " + short_dump(n.const_value) + ", got " + short_dump(x); });
    if (!collecting()) return false;
    ok = false;
  }
  if (n.has_enum && !in_enum(n, x)) {
    report(c.ipath, c.spath, "enum", [&] {
      return "expected one of " + short_dump(n.enum_values) + ", got " + short_dump(x);
    });
    if (!collecting()) return false;
    ok = false;
  }
  bool kw_ok = true;
  switch (x.type()) {
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      if (n.num_flags != 0) kw_ok = check_number(n, x, c);
      break;
    case json::value_t::string:
      kw_ok = check_string(n, *x.get_ptr<const json::string_t*>(), c);
      break;
    case json::value_t::array:
      kw_ok = check_array(n, x, c, a);
      break;
    case json::value_t::object:
      kw_ok = check_object(n, x, c, a);
      break;
    default:
      break;
  }
  return ok && kw_ok;
}

bool Evaluator::in_enum(const Node& n, const json& x) {
  if (const auto* s = x.get_ptr<const json::string_t*>()) {
    return std::find(n.enum_strings.begin(), n.enum_strings.end(), *s) != n.enum_strings.end();
  }
  return std::any_of(n.enum_values.begin(), n.enum_values.end(),
                     [&](const json& e) { return json_equal(e, x); });
}

bool Evaluator::type_ok(std::uint8_t types, const json& x) {
  switch (x.type()) {
    case json::value_t::null:
      return types & kTypeNull;
    case json::value_t::boolean:
      return types & kTypeBoolean;
    case json::value_t::object:
      return types & kTypeObject;
    case json::value_t::array:
      return types & kTypeArray;
    case json::value_t::string:
      return types & kTypeString;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return types & (kTypeNumber | kTypeInteger);
    case json::value_t::number_float: {
      if (types & kTypeNumber) return true;
      const double d = *x.get_ptr<const json::number_float_t*>();
      return (types & kTypeInteger) && std::isfinite(d) && std::floor(d) == d;
    }
    default:
      return false;
  }
}

std::string Evaluator::type_message(std::uint8_t types, const json& x) {
  static constexpr std::pair<std::uint8_t, std::string_view> kNames[] = {
      {kTypeObject, "object"}, {kTypeArray, "array"},     {kTypeString, "string"},
      {kTypeNumber, "number"}, {kTypeInteger, "integer"}, {kTypeBoolean, "boolean"},
      {kTypeNull, "null"}};
  std::vector<std::string_view> names;
  for (const auto& [bit, name] : kNames) {
    if (bit == kTypeInteger && (types & kTypeNumber)) continue;
    if (types & bit) names.push_back(name);
  }
  std::string out = "expected ";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out + ", got " + std::string(instance_type(x));
}

bool Evaluator::check_number(const Node& n, const json& x, const Ctx& c) {
  const double d = to_double(x);
  bool ok = true;
  auto check = [&](bool pass, std::string_view kw, auto&& message) {
    if (pass) return true;
    report(c.ipath, c.spath, kw, message);
    ok = false;
    return collecting();
  };
  if ((n.num_flags & kMinimum) && !check(d >= n.minimum, "minimum", [&] {
        return "must be >= " + format_number(n.minimum) + ", got " + short_dump(x);
      })) {
    return false;
  }
  if ((n.num_flags & kMaximum) && !check(d <= n.maximum, "maximum", [&] {
        return "must be <= " + format_number(n.maximum) + ", got " + short_dump(x);
      })) {
    return false;
  }
  if ((n.num_flags & kExclusiveMinimum) && !check(d > n.exclusive_minimum, "exclusiveMinimum", [&] {
        return "must be > " + format_number(n.exclusive_minimum) + ", got " + short_dump(x);
      })) {
    return false;
  }
  if ((n.num_flags & kExclusiveMaximum) && !check(d < n.exclusive_maximum, "exclusiveMaximum", [&] {
        return "must be < " + format_number(n.exclusive_maximum) + ", got " + short_dump(x);
      })) {
    return false;
  }
  if ((n.num_flags & kMultipleOf) && !check(multiple_ok(n, x, d), "multipleOf", [&] {
        return "must be a multiple of " + format_number(n.multiple_of) + ", got " + short_dump(x);
      })) {
    return false;
  }
  return ok;
}

bool Evaluator::multiple_ok(const Node& n, const json& x, double d) {
  if (n.multiple_of_int > 0 && !x.is_number_float()) {
    std::uint64_t v = 0;
    if (x.is_number_unsigned()) {
      v = *x.get_ptr<const json::number_unsigned_t*>();
    } else {
      const std::int64_t s = *x.get_ptr<const json::number_integer_t*>();
      v = s < 0 ? 0 - static_cast<std::uint64_t>(s) : static_cast<std::uint64_t>(s);
    }
    return v % n.multiple_of_int == 0;
  }
  const double q = d / n.multiple_of;
  if (!std::isfinite(q)) return std::isfinite(d) && std::fmod(d, n.multiple_of) == 0;
  const double r = std::nearbyint(q);
  // Decimal multiples (0.01) are not exact in binary; accept a tiny relative error.
  return std::fabs(q - r) <= 1e-9 * std::max(1.0, std::fabs(r));
}

bool Evaluator::check_string(const Node& n, const std::string& s, const Ctx& c) {
  bool ok = true;
  // A code point is 1 to 4 bytes: the byte length often settles both bounds without counting.
  const bool need_count = (n.min_length > 0 && s.size() / 4 < n.min_length) ||
                          (n.max_length != kUnbounded && s.size() > n.max_length);
  if (need_count) {
    const std::size_t len = utf8_length(s);
    if (len < n.min_length) {
      report(c.ipath, c.spath, "minLength", [&] {
        return "must be at least " + std::to_string(n.min_length) + " characters long, got " +
               std::to_string(len);
      });
      if (!collecting()) return false;
      ok = false;
    }
    if (len > n.max_length) {
      report(c.ipath, c.spath, "maxLength", [&] {
        return "must be at most " + std::to_string(n.max_length) + " characters long, got " +
               std::to_string(len);
      });
      if (!collecting()) return false;
      ok = false;
    }
  }
  if (n.pattern != kNone && !p_.regexes[static_cast<std::size_t>(n.pattern)].search(s)) {
    report(c.ipath, c.spath, "pattern", [&] {
      return "does not match pattern " +
             quote(p_.regexes[static_cast<std::size_t>(n.pattern)].source());
    });
    if (!collecting()) return false;
    ok = false;
  }
  if (n.assert_format) {
    bool valid = true;
    if (n.format_is_regex) {
      std::string error;
      valid = Regex::compile(s, &error).has_value();
    } else {
      valid = check_format(n.format, s);
    }
    if (!valid) {
      report(c.ipath, c.spath, "format", [&] {
        const std::string name =
            n.format_is_regex ? "regex" : p_.format_names[static_cast<std::size_t>(n.format)];
        return quote(s) + " is not a valid " + name;
      });
      if (!collecting()) return false;
      ok = false;
    }
  }
  return ok;
}

}  // namespace tb::schema_detail
