#include "score/failure_taxonomy.hpp"

#include <optional>

#include <nlohmann/json.hpp>

#include "common/text.hpp"
#include "score/json_extract.hpp"

namespace tb {
namespace {

// SchemaViolation carries no structured property name, so it is read back from the validator's
// message: "missing required property \"name\"" or (dependentRequired) "property \"name\" is
// required when ...". The name is a JSON string literal there; the validator shortens very long
// names to `...\"`, and then only the parent is known for sure.
std::optional<std::string> missing_name(const SchemaViolation& v) {
  const std::size_t open = v.message.find('"');
  if (open == std::string::npos) return std::nullopt;
  // The literal ends at the first unescaped quote after `open`.
  std::size_t close = open + 1;
  while (close < v.message.size() && v.message[close] != '"') {
    close += v.message[close] == '\\' ? 2 : 1;
  }
  if (close >= v.message.size()) return std::nullopt;
  const std::string_view literal(v.message.data() + open, close - open + 1);
  if (literal.ends_with("...\"")) return std::nullopt;
  const auto name = nlohmann::json::parse(literal, nullptr, /*allow_exceptions=*/false);
  if (!name.is_string()) return std::nullopt;
  return name.get<std::string>();
}

}  // namespace

std::string_view to_string(FailureKind kind) {
  switch (kind) {
    case FailureKind::none:
      return "none";
    case FailureKind::not_json:
      return "not_json";
    case FailureKind::fenced:
      return "fenced";
    case FailureKind::prose_wrapped:
      return "prose_wrapped";
    case FailureKind::truncated:
      return "truncated";
    case FailureKind::wrong_type:
      return "wrong_type";
    case FailureKind::missing_property:
      return "missing_property";
    case FailureKind::extra_property:
      return "extra_property";
    case FailureKind::enum_mismatch:
      return "enum_mismatch";
    case FailureKind::other:
      return "other";
  }
  return "other";
}

FailureClass classify_failure(std::string_view output, std::string_view finish_reason,
                              bool output_is_json, const std::vector<SchemaViolation>& violations) {
  if (!output_is_json) {
    // A cut-off answer is the token limit's fault, whatever else is wrong with it.
    if (finish_reason == "length") return {FailureKind::truncated, ""};
    const JsonExtraction x = extract_json(output);
    if (x.found) return {x.fenced ? FailureKind::fenced : FailureKind::prose_wrapped, ""};
    return {FailureKind::not_json, ""};
  }
  if (violations.empty()) return {FailureKind::none, ""};
  const SchemaViolation& v = violations.front();
  const std::string_view k = v.keyword;
  if (k == "type") return {FailureKind::wrong_type, v.instance_path};
  if (k == "required" || k == "dependentRequired" || k == "dependencies") {
    // instance_path is the object missing the property.
    const auto name = missing_name(v);
    if (!name) return {FailureKind::missing_property, v.instance_path};
    return {FailureKind::missing_property, v.instance_path + "/" + json_pointer_escape(*name)};
  }
  // Reported at the extra property itself.
  if (k == "additionalProperties" || k == "unevaluatedProperties")
    return {FailureKind::extra_property, v.instance_path};
  if (k == "enum" || k == "const") return {FailureKind::enum_mismatch, v.instance_path};
  return {FailureKind::other, v.instance_path};
}

}  // namespace tb
