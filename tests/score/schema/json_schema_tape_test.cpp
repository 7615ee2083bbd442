// The tape evaluator must give the json evaluator's verdict on every instance. The official
// suite (json_schema_suite_test.cpp) covers each keyword; here random instances near valid ones
// exercise the combinations a model-output schema has.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "common/json_tape.hpp"
#include "score/json_schema.hpp"
#include "test_paths.hpp"

namespace {

using nlohmann::json;

// Replaces, removes or adds one value somewhere in v.
void mutate(json& v, std::mt19937& rng) {
  static const std::vector<json> replacements = {nullptr,
                                                 true,
                                                 0,
                                                 -3,
                                                 7,
                                                 2.5,
                                                 1e300,
                                                 "",
                                                 "x",
                                                 "networking",
                                                 "a longer string value",
                                                 json::array(),
                                                 json::array({"a", "b"}),
                                                 json::object(),
                                                 json::object({{"term", "t"}}),
                                                 18446744073709551615ULL};
  if ((v.is_object() || v.is_array()) && !v.empty() && rng() % 3 != 0) {
    const std::size_t at = rng() % v.size();
    auto it = v.begin();
    std::advance(it, static_cast<long>(at));
    if (rng() % 4 == 0) {
      if (v.is_object())
        v.erase(it.key());
      else
        v.erase(at);
      return;
    }
    mutate(*it, rng);
    return;
  }
  if (v.is_object() && rng() % 2 == 0) {
    static const std::vector<std::string> keys = {"extra", "term", "x-note", "id", "score"};
    v[keys[rng() % keys.size()]] = replacements[rng() % replacements.size()];
    return;
  }
  if (v.is_array() && rng() % 2 == 0) {
    v.push_back(replacements[rng() % replacements.size()]);
    return;
  }
  v = replacements[rng() % replacements.size()];
}

std::size_t compare_on_mutations(const tb::CompiledSchema& schema, const std::vector<json>& seeds) {
  std::mt19937 rng(7);
  std::size_t valid = 0;
  for (int round = 0; round < 3000; ++round) {
    json instance = seeds[static_cast<std::size_t>(round) % seeds.size()];
    for (unsigned m = rng() % 3; m > 0; --m) mutate(instance, rng);
    const auto tape = tb::JsonTape::parse(instance.dump());
    REQUIRE(tape);
    const bool expected = schema.is_valid(instance);
    INFO("instance: " << instance.dump());
    REQUIRE(schema.is_valid(*tape) == expected);
    valid += expected ? 1 : 0;
  }
  return valid;
}

}  // namespace

TEST_CASE("Tape and json evaluators agree on mutated outputs of the demo schema",
          "[json_schema][json_tape]") {
  const auto schema =
      tb::CompiledSchema::load(tb::test::source_dir() / "datasets/schemas/term.schema.json");
  REQUIRE(schema.evaluates_tapes());
  const std::vector<json> seeds = {
      json::parse(R"({"term": "cache", "definition": "A small fast store of recent data.",
                      "category": "hardware", "related": ["memory", "latency"]})"),
      json::parse(R"({"term": "TLS", "definition": "Transport Layer Security protocol.",
                      "category": "security", "related": ["x509"]})")};
  const std::size_t valid = compare_on_mutations(schema, seeds);
  // Both outcomes occur, so both are compared.
  CHECK(valid > 100);
  CHECK(valid < 2900);
}

TEST_CASE("Tape and json evaluators agree on a schema using every keyword the tape supports",
          "[json_schema][json_tape]") {
  const auto schema = tb::CompiledSchema::compile(json::parse(R"({
    "$defs": {
      "node": {"type": "object", "properties": {"kids": {"type": "array",
               "items": {"$ref": "#/$defs/node"}}}}
    },
    "type": "object",
    "required": ["id", "score"],
    "properties": {
      "id": {"type": "integer", "minimum": 1, "maximum": 1e6, "multipleOf": 1},
      "score": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 10,
                "multipleOf": 0.5},
      "term": {"type": "string", "minLength": 1, "maxLength": 5, "pattern": "^[a-z]+$"},
      "category": {"enum": ["networking", "web", 7, null, true]},
      "kind": {"const": "x"},
      "related": {"type": "array", "prefixItems": [{"type": "string"}], "items": {"type": "integer"},
                  "contains": {"const": 7}, "minContains": 1, "maxContains": 2, "maxItems": 4},
      "tree": {"$ref": "#/$defs/node"},
      "either": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
      "one": {"oneOf": [{"minimum": 2}, {"maximum": 5}]},
      "no": {"not": {"type": "null"}},
      "cond": {"if": {"type": "string"}, "then": {"minLength": 3}, "else": {"type": "array"}}
    },
    "patternProperties": {"^x-": {"type": "string"}},
    "additionalProperties": {"type": ["object", "array", "boolean"]},
    "dependentRequired": {"term": ["category"]},
    "dependentSchemas": {"kind": {"required": ["related"]}},
    "allOf": [{"minProperties": 2}, {"maxProperties": 9}]
  })"));
  REQUIRE(schema.evaluates_tapes());
  const std::vector<json> seeds = {
      json::parse(R"({"id": 3, "score": 2.5, "term": "abc", "category": "web"})"),
      json::parse(R"({"id": 4.0, "score": 9.5, "kind": "x", "related": ["a", 7, 1],
                      "tree": {"kids": [{"kids": []}, {}]}, "either": 3, "one": 9, "no": 1,
                      "cond": "abcd", "x-note": "n", "extra": {}})")};
  const std::size_t valid = compare_on_mutations(schema, seeds);
  CHECK(valid > 100);
  CHECK(valid < 2900);
}

TEST_CASE("Schemas outside the tape evaluator's keywords still judge tapes, through json",
          "[json_schema][json_tape]") {
  const auto unique = tb::CompiledSchema::compile(json::parse(R"({"uniqueItems": true})"));
  CHECK_FALSE(unique.evaluates_tapes());
  CHECK(unique.is_valid(*tb::JsonTape::parse("[1, 2]")));
  CHECK_FALSE(unique.is_valid(*tb::JsonTape::parse("[1, 1.0]")));
  // A duplicate key is judged on the last value, as a json parser keeps it.
  const auto term =
      tb::CompiledSchema::compile(json::parse(R"({"properties": {"a": {"type": "string"}}})"));
  REQUIRE(term.evaluates_tapes());
  CHECK(term.is_valid(*tb::JsonTape::parse(R"({"a": 1, "a": "s"})")));
  CHECK_FALSE(term.is_valid(*tb::JsonTape::parse(R"({"a": "s", "a": 1})")));
}
