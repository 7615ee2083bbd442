#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "score/failure_taxonomy.hpp"
#include "score/json_schema.hpp"

using namespace tb;
using nlohmann::json;

namespace {

const json kSchema = json::parse(R"({
  "type": "object",
  "properties": {
    "term": {"type": "string"},
    "definition": {"type": "string"},
    "category": {"enum": ["web", "security", "data"]},
    "version": {"const": 1},
    "meta": {"type": "object", "required": ["a/b~c"], "additionalProperties": false,
             "properties": {"a/b~c": {"type": "integer"}}},
    "tags": {"type": "array", "maxItems": 2}
  },
  "required": ["term", "definition"],
  "additionalProperties": false
})");

// Classifies a JSON answer with the real validator's violations, as the scorer would.
FailureClass classify_json(const std::string& output) {
  const auto value = json::parse(output);
  const auto violations = CompiledSchema::compile(kSchema).validate(value);
  return classify_failure(output, "stop", true, violations);
}

}  // namespace

TEST_CASE("failure kinds have stable names", "[failure_taxonomy]") {
  CHECK(to_string(FailureKind::none) == "none");
  CHECK(to_string(FailureKind::not_json) == "not_json");
  CHECK(to_string(FailureKind::fenced) == "fenced");
  CHECK(to_string(FailureKind::prose_wrapped) == "prose_wrapped");
  CHECK(to_string(FailureKind::truncated) == "truncated");
  CHECK(to_string(FailureKind::wrong_type) == "wrong_type");
  CHECK(to_string(FailureKind::missing_property) == "missing_property");
  CHECK(to_string(FailureKind::extra_property) == "extra_property");
  CHECK(to_string(FailureKind::enum_mismatch) == "enum_mismatch");
  CHECK(to_string(FailureKind::other) == "other");
}

TEST_CASE("answers that are not JSON: why not", "[failure_taxonomy]") {
  const std::vector<SchemaViolation> none;
  CHECK(classify_failure("{\"term\": \"TL", "length", false, none).kind == FailureKind::truncated);
  // The token limit is to blame even when a fenced value is complete.
  CHECK(classify_failure("```json\n{\"a\":1}\n```", "length", false, none).kind ==
        FailureKind::truncated);
  const auto fenced = classify_failure("```json\n{\"a\":1}\n```", "stop", false, none);
  CHECK(fenced.kind == FailureKind::fenced);
  CHECK(fenced.path.empty());
  CHECK(classify_failure("Sure: {\"a\":1}. Anything else?", "stop", false, none).kind ==
        FailureKind::prose_wrapped);
  CHECK(classify_failure("I cannot help with that.", "stop", false, none).kind ==
        FailureKind::not_json);
  // Repairable is not found: still not JSON.
  CHECK(classify_failure("{'a': 1}", "stop", false, none).kind == FailureKind::not_json);
  CHECK(classify_failure("", "stop", false, none).kind == FailureKind::not_json);
}

TEST_CASE("JSON answers: the first schema violation decides", "[failure_taxonomy]") {
  CHECK(classify_json(R"({"term":"TLS","definition":"x"})").kind == FailureKind::none);

  const auto type = classify_json(R"({"term":"TLS","definition":42})");
  CHECK(type.kind == FailureKind::wrong_type);
  CHECK(type.path == "/definition");

  const auto missing = classify_json(R"({"term":"TLS"})");
  CHECK(missing.kind == FailureKind::missing_property);
  CHECK(missing.path == "/definition");

  // The missing name is escaped as a JSON Pointer token under its parent.
  const auto nested = classify_json(R"({"term":"TLS","definition":"x","meta":{}})");
  CHECK(nested.kind == FailureKind::missing_property);
  CHECK(nested.path == "/meta/a~1b~0c");

  const auto extra = classify_json(R"({"term":"TLS","definition":"x","source":"wiki"})");
  CHECK(extra.kind == FailureKind::extra_property);
  CHECK(extra.path == "/source");

  const auto category = classify_json(R"({"term":"TLS","definition":"x","category":"food"})");
  CHECK(category.kind == FailureKind::enum_mismatch);
  CHECK(category.path == "/category");

  const auto version = classify_json(R"({"term":"TLS","definition":"x","version":2})");
  CHECK(version.kind == FailureKind::enum_mismatch);
  CHECK(version.path == "/version");

  const auto other = classify_json(R"({"term":"TLS","definition":"x","tags":[1,2,3]})");
  CHECK(other.kind == FailureKind::other);
  CHECK(other.path == "/tags");

  const auto root = classify_json(R"([1])");
  CHECK(root.kind == FailureKind::wrong_type);
  CHECK(root.path.empty());
}

TEST_CASE("the first violation wins; unreadable names fall back to the parent", "[failure_taxonomy]") {
  const std::vector<SchemaViolation> two = {
      {"/a", "/properties/a/enum", "enum", "not one of [1]"},
      {"/b", "/properties/b/type", "type", "expected string, got null"},
  };
  CHECK(classify_failure("{}", "stop", true, two).kind == FailureKind::enum_mismatch);
  // The validator shortens a long name to `..."`: the full name is unknown.
  const std::vector<SchemaViolation> long_name = {
      {"/x", "/required", "required", "missing required property \"aaaaaaaaaaaaa...\""}};
  const auto c = classify_failure("{}", "stop", true, long_name);
  CHECK(c.kind == FailureKind::missing_property);
  CHECK(c.path == "/x");
  const std::vector<SchemaViolation> dependent = {
      {"", "/dependentRequired", "dependentRequired",
       "property \"zip\" is required when \"city\" is present"}};
  CHECK(classify_failure("{}", "stop", true, dependent).path == "/zip");
  const std::vector<SchemaViolation> unevaluated = {
      {"/z", "/unevaluatedProperties", "unevaluatedProperties", "property \"z\" is not allowed"}};
  CHECK(classify_failure("{}", "stop", true, unevaluated).kind == FailureKind::extra_property);
}
