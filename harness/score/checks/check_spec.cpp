#include "score/checks/check_spec.hpp"

#include <cmath>
#include <vector>

#include "common/files.hpp"
#include "common/text.hpp"

namespace tb {

bool CheckSpec::only_keys(std::initializer_list<std::string_view> allowed) {
  std::vector<std::string_view> all = {"type", "name", "required", "weight"};
  all.insert(all.end(), allowed.begin(), allowed.end());
  for (const auto& [key, value] : spec_.items()) {
    if (std::find(all.begin(), all.end(), key) != all.end()) continue;
    std::string message = "unknown key " + dquote(key) + " for check " +
                          dquote(spec_.value("type", "")) + "; expected " + join_choices(all);
    if (auto hint = did_you_mean(key, all)) message += " (did you mean " + dquote(*hint) + "?)";
    return fail(message);
  }
  return true;
}

std::optional<std::string> CheckSpec::string(std::string_view key, bool required) {
  const std::string k(key);
  if (!spec_.contains(k)) {
    if (required) fail(k + ": missing");
    return std::nullopt;
  }
  if (!spec_[k].is_string()) {
    fail(k + ": expected a string");
    return std::nullopt;
  }
  return spec_[k].get<std::string>();
}

std::optional<nlohmann::json::json_pointer> CheckSpec::pointer(std::string_view key) {
  const auto text = string(key, true);
  if (!text) return std::nullopt;
  try {
    return nlohmann::json::json_pointer(*text);
  } catch (const nlohmann::json::exception&) {
    fail(std::string(key) + ": expected a JSON Pointer such as /term; got " + dquote(*text));
    return std::nullopt;
  }
}

std::optional<CheckSpec::PointerList> CheckSpec::pointer_list(std::string_view key,
                                                              std::string_view example) {
  PointerList out;
  if (!has(key)) return out;
  const std::string k(key);
  const auto& list = at(key);
  if (!list.is_array() || list.empty()) {
    fail(k + ": expected a non-empty list of JSON Pointers such as [" + std::string(example) + "]");
    return std::nullopt;
  }
  for (const auto& f : list) {
    std::optional<nlohmann::json::json_pointer> pointer;
    if (f.is_string()) {
      try {
        pointer = nlohmann::json::json_pointer(f.get<std::string>());
      } catch (const nlohmann::json::exception&) {
      }
    }
    if (!pointer) {
      fail(k + ": expected JSON Pointers such as " + std::string(example) + "; got " +
           (f.is_string() ? dquote(f.get<std::string>()) : f.dump()));
      return std::nullopt;
    }
    out.emplace_back(std::move(*pointer), f.get<std::string>());
  }
  return out;
}

std::optional<double> CheckSpec::number(std::string_view key, bool required) {
  const std::string k(key);
  if (!spec_.contains(k)) {
    if (required) fail(k + ": missing");
    return std::nullopt;
  }
  if (!spec_[k].is_number()) {
    fail(k + ": expected a number");
    return std::nullopt;
  }
  if (!std::isfinite(spec_[k].get<double>())) {  // make_check refuses these first, by path
    fail(k + ": expected a finite number");
    return std::nullopt;
  }
  return spec_[k].get<double>();
}

std::optional<bool> CheckSpec::boolean(std::string_view key) {
  const std::string k(key);
  if (!spec_.contains(k)) return std::nullopt;
  if (!spec_[k].is_boolean()) {
    fail(k + ": expected true or false");
    return std::nullopt;
  }
  return spec_[k].get<bool>();
}

std::optional<CompiledSchema> CheckSpec::compiled_schema(const CheckContext& context,
                                                         bool assert_formats) {
  SchemaOptions options;
  options.assert_formats = assert_formats;
  const auto& schema = spec_.at("schema");
  try {
    if (schema.is_string())
      return CompiledSchema::load(resolve_relative(context.anchor_file, schema.get<std::string>()),
                                  options);
    if (schema.is_object() || schema.is_boolean()) return CompiledSchema::compile(schema, options);
  } catch (const SchemaError& e) {
    fail(std::string("schema: ") + e.what());
    return std::nullopt;
  }
  fail("schema: expected a file path or a schema object");
  return std::nullopt;
}

bool CheckSpec::fail(std::string message) {
  if (error_.empty()) error_ = std::move(message);
  return false;
}

}  // namespace tb
