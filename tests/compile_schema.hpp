#pragma once
// A schema written as JSON text, compiled: the tests of the JSON Schema engine
// (tests/score/schema/) state schemas as they appear in files.
#include <nlohmann/json.hpp>

#include "score/json_schema.hpp"

namespace tb::test {

inline CompiledSchema compile(const char* schema_text, const SchemaOptions& options = {}) {
  return CompiledSchema::compile(nlohmann::json::parse(schema_text), options);
}

}  // namespace tb::test
