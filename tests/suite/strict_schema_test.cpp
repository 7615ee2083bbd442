// The strict schema structured outputs and strict functions send: narrowed where strict mode
// needs it, loosened where it does not enforce a keyword, refused with a place and a change.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "suite/strict_schema.hpp"

using namespace tb;
using json = nlohmann::json;

TEST_CASE(
    "a schema is made strict: closed objects, every property required, unenforced keywords left "
    "out",
    "[suite][structured]") {
  const json schema = json::parse(R"({
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
      "term": {"type": "string", "minLength": 1},
      "tags": {"type": "array", "items": {"type": "object", "properties": {"n": {"type": ["string", "null"]}}},
               "uniqueItems": true, "maxItems": 4},
      "kind": {"$ref": "#/$defs/Kind"},
      "when": {"type": "string", "format": "date"},
      "site": {"type": "string", "format": "uri"}
    },
    "required": ["term"],
    "$defs": {"Kind": {"enum": ["a", "b"]}}
  })");
  std::string problem;
  const auto strict = strict_schema(schema, problem);
  INFO(problem);
  REQUIRE(strict);
  CHECK_FALSE(strict->contains("$schema"));
  CHECK((*strict)["additionalProperties"] == false);
  CHECK((*strict)["required"] == json::array({"kind", "site", "tags", "term", "when"}));
  CHECK_FALSE((*strict)["properties"]["term"].contains("minLength"));
  const auto& tags = (*strict)["properties"]["tags"];
  CHECK_FALSE(tags.contains("uniqueItems"));
  CHECK(tags["maxItems"] == 4);  // enforced by strict mode: kept
  CHECK(tags["items"]["additionalProperties"] == false);
  CHECK(tags["items"]["required"] == json::array({"n"}));
  CHECK((*strict)["properties"]["when"]["format"] == "date");
  CHECK_FALSE((*strict)["properties"]["site"].contains("format"));  // not one strict mode knows
  CHECK((*strict)["$defs"]["Kind"]["enum"] == json::array({"a", "b"}));
  // The expected schema itself is untouched: answers are still scored against it.
  CHECK(schema["properties"]["term"]["minLength"] == 1);
}

TEST_CASE("what strict mode cannot take is an error naming the place and the change",
          "[suite][structured]") {
  auto problem_of = [](const char* text) {
    std::string problem;
    CHECK_FALSE(strict_schema(json::parse(text), problem));
    return problem;
  };
  CHECK(
      problem_of(
          R"({"type":"object","properties":{"a":{"type":"object","additionalProperties":true}}})") ==
      "at /properties/a/additionalProperties: is true; strict mode allows only false (list every "
      "property the answer may have)");
  CHECK(problem_of(R"({"type":"object","properties":{"a":{"oneOf":[{"type":"string"}]}}})") ==
        "at /properties/a/oneOf: strict mode does not take oneOf; use anyOf");
  CHECK(problem_of(R"({"type":"array","items":{"type":"string"}})") ==
        "at /: strict mode needs an object at the top; wrap the answer in one (e.g. {\"answer\": "
        "...})");
  CHECK(problem_of(R"({"type":"object","properties":{"a":{}}})") ==
        "at /properties/a: has no type; give it one (strict mode needs it)");
  CHECK(problem_of(R"({"type":"object","properties":{"a":{"$ref":"other.json"}}})") ==
        "at /properties/a/$ref: strict mode resolves only references inside the schema "
        "(#/$defs/...)");
  CHECK(
      problem_of(
          R"({"type":"object","properties":{"a/b":{"type":"array","items":[{"type":"string"}]}}})") ==
      "at /properties/a~1b/items: a tuple; strict mode takes one schema for all items");
}

TEST_CASE("api names keep letters, digits, _ and -", "[suite][structured]") {
  CHECK(api_name("Term") == "Term");
  CHECK(api_name("term schema.v1") == "term_schema_v1");
  CHECK(api_name("") == "answer");
  CHECK(api_name(std::string(80, 'a')).size() == 64);
}
