// The compiler's applicator and validation vocabularies, and the readers of keyword values
// (subschemas, regexes, counts, numbers, string arrays) with the errors they raise.
#include "score/schema/compiler.hpp"

#include <cmath>
#include <optional>

#include "common/text.hpp"
#include "score/schema/messages.hpp"
#include "score/schema/regex.hpp"

namespace tb::schema_detail {

void Compiler::build_applicators(Node& n, const Loc& loc, const KeywordLookup& get, bool d7) {
  auto schema_list = [&](std::string_view kw, std::vector<std::int32_t>* out) {
    const json* v = get(kw);
    if (v == nullptr) return;
    if (!v->is_array() || v->empty())
      fail(loc, "\"" + std::string(kw) + "\" must be a non-empty array");
    for (std::size_t i = 0; i < v->size(); ++i) {
      out->push_back(child((*v)[i], loc, std::string(kw) + "/" + std::to_string(i)));
    }
    n.has_inplace = true;
  };
  schema_list("allOf", &n.all_of);
  schema_list("anyOf", &n.any_of);
  schema_list("oneOf", &n.one_of);
  if (const json* v = get("not")) {
    n.not_ = child(*v, loc, "not");
    n.has_inplace = true;
  }
  if (const json* v = get("if")) {
    n.if_ = child(*v, loc, "if");
    if (const json* t = get("then")) n.then_ = child(*t, loc, "then");
    if (const json* e = get("else")) n.else_ = child(*e, loc, "else");
    n.has_inplace = true;
  }
  auto schema_map = [&](const json& v, std::string_view kw, std::vector<NamedChild>* out) {
    if (!v.is_object()) fail(loc, "\"" + std::string(kw) + "\" must be an object");
    for (const auto& [name, sub] : v.items()) {
      out->push_back({name, child(sub, loc, std::string(kw) + "/" + json_pointer_escape(name))});
    }
  };
  // "dependencies" is draft-07; 2020-12 split it in two but schemas in the wild still use it.
  if (const json* v = get("dependencies")) {
    if (!v->is_object()) fail(loc, "\"dependencies\" must be an object");
    for (const auto& [name, dep] : v->items()) {
      if (dep.is_array()) {
        n.dependent_required.push_back({name, string_array(dep, loc, "dependencies")});
      } else {
        n.dependent_schemas.push_back(
            {name, child(dep, loc, "dependencies/" + json_pointer_escape(name))});
        n.has_inplace = true;
      }
    }
  }
  if (d7) {
    if (const json* v = get("items")) {
      if (v->is_array()) {
        for (std::size_t i = 0; i < v->size(); ++i) {
          n.prefix_items.push_back(child((*v)[i], loc, "items/" + std::to_string(i)));
        }
        if (const json* a = get("additionalItems")) n.items = child(*a, loc, "additionalItems");
      } else {
        n.items = child(*v, loc, "items");
      }
    }
  } else {
    if (const json* v = get("dependentSchemas")) {
      schema_map(*v, "dependentSchemas", &n.dependent_schemas);
      n.has_inplace = !n.dependent_schemas.empty() || n.has_inplace;
    }
    if (const json* v = get("prefixItems")) {
      if (!v->is_array() || v->empty()) fail(loc, "\"prefixItems\" must be a non-empty array");
      for (std::size_t i = 0; i < v->size(); ++i) {
        n.prefix_items.push_back(child((*v)[i], loc, "prefixItems/" + std::to_string(i)));
      }
    }
    if (const json* v = get("items")) n.items = child(*v, loc, "items");
  }
  if (const json* v = get("contains")) n.contains = child(*v, loc, "contains");
  if (const json* v = get("properties")) schema_map(*v, "properties", &n.properties);
  if (const json* v = get("patternProperties")) {
    if (!v->is_object()) fail(loc, "\"patternProperties\" must be an object");
    for (const auto& [pattern, sub] : v->items()) {
      n.pattern_properties.emplace_back(
          regex(pattern, loc, "patternProperties"),
          child(sub, loc, "patternProperties/" + json_pointer_escape(pattern)));
    }
  }
  if (const json* v = get("additionalProperties")) {
    n.additional_properties = child(*v, loc, "additionalProperties");
  }
  if (const json* v = get("propertyNames")) n.property_names = child(*v, loc, "propertyNames");
}

void Compiler::build_validation(Node& n, const Loc& loc, const KeywordLookup& get, bool d7) {
  if (const json* v = get("type")) {
    std::uint8_t bits = 0;
    auto add = [&](const json& t) {
      const std::uint8_t bit = t.is_string() ? type_bit(t.get_ref<const std::string&>()) : 0;
      if (bit == 0) fail(loc, "\"type\" has an unknown type " + short_dump(t));
      bits |= bit;
    };
    if (v->is_array()) {
      for (const json& t : *v) add(t);
    } else {
      add(*v);
    }
    n.types = bits;
  }
  if (const json* v = get("enum")) {
    if (!v->is_array()) fail(loc, "\"enum\" must be an array");
    check_value_depth(*v, loc, "enum");
    n.enum_values.assign(v->begin(), v->end());
    for (const json& e : *v) {
      if (e.is_string()) n.enum_strings.push_back(e.get<std::string>());
    }
    n.has_enum = true;
  }
  if (const json* v = get("const")) {
    check_value_depth(*v, loc, "const");
    n.const_value = *v;
    n.has_const = true;
  }
  auto number_kw = [&](std::string_view kw, NumFlag flag, double* out) {
    if (const json* v = get(kw)) {
      *out = number_value(*v, loc, kw);
      n.num_flags |= flag;
    }
  };
  number_kw("minimum", kMinimum, &n.minimum);
  number_kw("maximum", kMaximum, &n.maximum);
  number_kw("exclusiveMinimum", kExclusiveMinimum, &n.exclusive_minimum);
  number_kw("exclusiveMaximum", kExclusiveMaximum, &n.exclusive_maximum);
  number_kw("multipleOf", kMultipleOf, &n.multiple_of);
  if (n.num_flags & kMultipleOf) {
    const json& v = *get("multipleOf");
    if (n.multiple_of <= 0) fail(loc, "\"multipleOf\" must be greater than 0");
    if (v.is_number_unsigned()) n.multiple_of_int = v.get<std::uint64_t>();
    if (v.is_number_integer() && v.get<std::int64_t>() > 0) {
      n.multiple_of_int = static_cast<std::uint64_t>(v.get<std::int64_t>());
    }
  }
  if (const json* v = get("minLength")) n.min_length = count_value(*v, loc, "minLength");
  if (const json* v = get("maxLength")) n.max_length = count_value(*v, loc, "maxLength");
  if (const json* v = get("pattern")) {
    if (!v->is_string()) fail(loc, "\"pattern\" must be a string");
    n.pattern = regex(v->get<std::string>(), loc, "pattern");
  }
  if (const json* v = get("minItems")) n.min_items = count_value(*v, loc, "minItems");
  if (const json* v = get("maxItems")) n.max_items = count_value(*v, loc, "maxItems");
  if (const json* v = get("uniqueItems")) {
    if (!v->is_boolean()) fail(loc, "\"uniqueItems\" must be a boolean");
    n.unique_items = v->get<bool>();
  }
  if (!d7) {
    if (const json* v = get("minContains")) n.min_contains = count_value(*v, loc, "minContains");
    if (const json* v = get("maxContains")) n.max_contains = count_value(*v, loc, "maxContains");
  }
  if (const json* v = get("minProperties")) {
    n.min_properties = count_value(*v, loc, "minProperties");
  }
  if (const json* v = get("maxProperties")) {
    n.max_properties = count_value(*v, loc, "maxProperties");
  }
  if (const json* v = get("required")) n.required = string_array(*v, loc, "required");
  if (!d7) {
    if (const json* v = get("dependentRequired")) {
      if (!v->is_object()) fail(loc, "\"dependentRequired\" must be an object");
      for (const auto& [name, list] : v->items()) {
        n.dependent_required.push_back({name, string_array(list, loc, "dependentRequired")});
      }
    }
  }
}

std::int32_t Compiler::child(const json& v, const Loc& loc, std::string_view keyword) {
  if (!v.is_object() && !v.is_boolean()) {
    Loc at = loc;
    at.pointer += "/" + std::string(keyword);
    fail(at, std::string("expected a schema (object or boolean), got ") + v.type_name());
  }
  if (locs_.count(&v) == 0) {
    scan(v, loc.base, loc.resource, loc.pointer + "/" + std::string(keyword), loc.doc, 0, false);
  }
  return enqueue(&v);
}

std::int32_t Compiler::regex(const std::string& pattern, const Loc& loc, std::string_view keyword) {
  if (const auto it = regex_index_.find(pattern); it != regex_index_.end()) return it->second;
  std::string error;
  std::optional<Regex> re = Regex::compile(pattern, &error);
  if (!re) {
    fail(loc, "invalid regular expression in \"" + std::string(keyword) + "\": " + error +
                  " (pattern \"" + pattern + "\")");
  }
  prog_->regexes.push_back(std::move(*re));
  const auto idx = static_cast<std::int32_t>(prog_->regexes.size() - 1);
  regex_index_.emplace(pattern, idx);
  return idx;
}

std::size_t Compiler::count_value(const json& v, const Loc& loc, std::string_view keyword) {
  if (v.is_number_unsigned()) return static_cast<std::size_t>(v.get<std::uint64_t>());
  if (v.is_number_integer() && v.get<std::int64_t>() >= 0) {
    return static_cast<std::size_t>(v.get<std::int64_t>());
  }
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (d >= 0 && std::floor(d) == d) {
      return d >= 1.8e19 ? kUnbounded : static_cast<std::size_t>(d);
    }
  }
  fail(loc,
       "\"" + std::string(keyword) + "\" must be a non-negative integer, got " + short_dump(v));
}

double Compiler::number_value(const json& v, const Loc& loc, std::string_view keyword) {
  if (!v.is_number()) {
    fail(loc, "\"" + std::string(keyword) + "\" must be a number, got " + v.type_name());
  }
  return v.get<double>();
}

// Values are copied into the program, and copying a json recurses: bound the depth first.
void Compiler::check_value_depth(const json& v, const Loc& loc, std::string_view keyword) {
  std::vector<std::pair<const json*, std::size_t>> pending{{&v, 0}};
  while (!pending.empty()) {
    const auto [cur, depth] = pending.back();
    pending.pop_back();
    if (depth > opts_.max_depth) {
      fail(loc, "\"" + std::string(keyword) + "\" value nested deeper than max_depth (" +
                    std::to_string(opts_.max_depth) + ")");
    }
    for (const json& child : *cur) {
      if (child.is_structured()) pending.emplace_back(&child, depth + 1);
    }
  }
}

std::vector<std::string> Compiler::string_array(const json& v, const Loc& loc,
                                                std::string_view keyword) {
  std::vector<std::string> out;
  if (v.is_array()) {
    for (const json& e : v) {
      if (!e.is_string()) break;
      out.push_back(e.get<std::string>());
    }
    if (out.size() == v.size()) return out;
  }
  fail(loc, "\"" + std::string(keyword) + "\" must be an array of strings");
}

std::uint8_t Compiler::type_bit(std::string_view name) {
  if (name == "null") return kTypeNull;
  if (name == "boolean") return kTypeBoolean;
  if (name == "object") return kTypeObject;
  if (name == "array") return kTypeArray;
  if (name == "number") return kTypeNumber | kTypeInteger;
  if (name == "string") return kTypeString;
  if (name == "integer") return kTypeInteger;
  return 0;
}

}  // namespace tb::schema_detail
