#pragma once
// The schema a strict structured output (response_format json_schema, strict: true) or a strict
// function's parameters send, built from the suite's expected schema so nobody pastes it twice.
//
// Strict mode accepts a subset of JSON Schema. The expected schema is changed only in ways that
// leave the scored schema in charge of the answer:
// - narrowed (every answer the sent schema allows, the expected one allows too): objects get
//   additionalProperties: false when they say nothing, and every property becomes required (a
//   property the model may leave out must allow null in the expected schema: ["string", "null"]);
// - loosened where strict mode does not enforce a keyword (minLength, maxLength, uniqueItems,
//   contains, default, examples and formats it does not know): left out of what is sent, still
//   checked when the answer is scored;
// - $schema and $id left out.
// What cannot be sent without changing what the answer may be (additionalProperties true or a
// schema, allOf, oneOf, not, if/then/else, patternProperties, tuples, a top level that is not
// an object, external $refs, a schema without a type) is an error naming the place and what to
// change.
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace tb {

// The strict schema, or nullopt with `problem` set to "at /properties/x: ... (change)".
std::optional<nlohmann::json> strict_schema(const nlohmann::json& schema, std::string& problem);

// A json_schema or function name as the API takes it (^[a-zA-Z0-9_-]{1,64}$): other characters
// become '_'; empty becomes "answer".
std::string api_name(std::string_view wanted);

}  // namespace tb
