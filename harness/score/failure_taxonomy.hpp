#pragma once
// Why an answer missed the expected JSON format, as one kind from a small fixed vocabulary, so
// reports can count failures by cause ("30% fenced, 12% missing /definition").
#include <string>
#include <string_view>
#include <vector>

#include "score/json_schema.hpp"

namespace tb {

enum class FailureKind {
  none,
  not_json,
  fenced,
  prose_wrapped,
  truncated,
  wrong_type,
  missing_property,
  extra_property,
  enum_mismatch,
  other,
};

// "none", "not_json", "fenced", "prose_wrapped", "truncated", "wrong_type", "missing_property",
// "extra_property", "enum_mismatch", "other".
std::string_view to_string(FailureKind kind);

struct FailureClass {
  FailureKind kind = FailureKind::none;
  // JSON Pointer of the offending value, e.g. "/definition"; "" when not applicable.
  std::string path;
};

// output: the answer text. output_is_json: the whole output parsed as JSON. violations: the
// schema violations of that parsed output (empty when it did not parse or there is no schema).
// Not JSON: finish_reason "length" -> truncated; else a value found in a ``` fence -> fenced,
// found in prose -> prose_wrapped, otherwise not_json. JSON: the first violation decides.
FailureClass classify_failure(std::string_view output, std::string_view finish_reason,
                              bool output_is_json, const std::vector<SchemaViolation>& violations);

}  // namespace tb
