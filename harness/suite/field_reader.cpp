#include "suite/field_reader.hpp"

#include <algorithm>
#include <cmath>

#include "common/text.hpp"

namespace tb {

using json = nlohmann::json;

const char* json_type_name(const json& j) {
  switch (j.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::string: return "a string";
    case json::value_t::array: return "a list";
    case json::value_t::object: return "a mapping";
    default: return "a number";
  }
}

FieldReader::At FieldReader::At::child(const std::string& key) const {
  return {value.at(key), pointer + "/" + json_pointer_escape(key), field.empty() ? key : field + "." + key};
}

FieldReader::At FieldReader::At::item(std::size_t i) const {
  return {value.at(i), pointer + "/" + std::to_string(i), field + "[" + std::to_string(i) + "]"};
}

void FieldReader::error(const At& at, std::string message) {
  errors_.add({doc_.display_name(), doc_.line_of(at.pointer), at.field, std::move(message)});
}

bool FieldReader::expect_mapping(const At& at, std::span<const std::string_view> keys) {
  if (!at.value.is_object()) {
    error(at, std::string("expected a mapping; got ") + json_type_name(at.value));
    return false;
  }
  bool ok = true;
  for (const auto& [key, value] : at.value.items()) {
    if (std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
    std::string message = "unknown key; expected one of " + join_choices(keys);
    if (auto hint = did_you_mean(key, keys))
      message = "unknown key (did you mean " + dquote(*hint) + "?); expected one of " + join_choices(keys);
    error(at.child(key), message);
    ok = false;
  }
  return ok;
}

std::optional<std::string> FieldReader::string(const At& parent, const std::string& key, bool required) {
  if (!parent.value.contains(key)) {
    if (required) error(parent, key + ": missing (required)");
    return std::nullopt;
  }
  const At at = parent.child(key);
  if (!at.value.is_string()) {
    error(at, std::string("expected a string; got ") + json_type_name(at.value));
    return std::nullopt;
  }
  return at.value.get<std::string>();
}

std::optional<double> FieldReader::number(const At& parent, const std::string& key, double min, double max) {
  if (!parent.value.contains(key)) return std::nullopt;
  const At at = parent.child(key);
  if (!at.value.is_number()) {
    error(at, std::string("expected a number; got ") + json_type_name(at.value));
    return std::nullopt;
  }
  const double v = at.value.get<double>();
  if (!std::isfinite(v)) {
    error(at, "expected a finite number from " + fixed(min, 0) + " to " + fixed(max, 0) + "; got " +
                  (std::isnan(v) ? "NaN" : v > 0 ? "infinity" : "-infinity"));
    return std::nullopt;
  }
  if (v < min || v > max) {
    error(at, "expected a number from " + fixed(min, 0) + " to " + fixed(max, 0) + "; got " + at.value.dump());
    return std::nullopt;
  }
  return v;
}

std::optional<long long> FieldReader::integer(const At& parent, const std::string& key, long long min,
                                              long long max) {
  if (!parent.value.contains(key)) return std::nullopt;
  const At at = parent.child(key);
  if (!at.value.is_number_integer()) {
    const bool finite = !at.value.is_number_float() || std::isfinite(at.value.get<double>());
    error(at, std::string("expected a whole number; got ") +
                  (at.value.is_number() ? (finite ? at.value.dump() : "a non-finite number") : json_type_name(at.value)));
    return std::nullopt;
  }
  const long long v = at.value.get<long long>();
  if (v < min || v > max) {
    error(at, "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) + "; got " +
                  std::to_string(v));
    return std::nullopt;
  }
  return v;
}

std::optional<bool> FieldReader::boolean(const At& parent, const std::string& key) {
  if (!parent.value.contains(key)) return std::nullopt;
  const At at = parent.child(key);
  if (!at.value.is_boolean()) {
    error(at, std::string("expected true or false; got ") + json_type_name(at.value));
    return std::nullopt;
  }
  return at.value.get<bool>();
}

}  // namespace tb
