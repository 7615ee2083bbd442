#include "score/json_schema.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "compile_schema.hpp"
#include "test_paths.hpp"

namespace {

using Catch::Matchers::Contains;
using nlohmann::json;

using tb::test::compile;

// [[[...]]] nested `depth` levels deep, built without recursion.
json nested_arrays(std::size_t depth) {
  json root = json::array();
  json* cur = &root;
  for (std::size_t i = 0; i < depth; ++i) {
    cur->push_back(json::array());
    cur = &cur->back();
  }
  return root;
}

}  // namespace

TEST_CASE("json_schema: a valid instance has no violations", "[json_schema]") {
  const auto schema = compile(R"({
    "type": "object",
    "required": ["term", "definition"],
    "properties": {"term": {"type": "string"}, "definition": {"type": "string"}}
  })");
  const json instance = {{"term", "RAG"}, {"definition", "retrieval-augmented generation"}};
  CHECK(schema.is_valid(instance));
  CHECK(schema.validate(instance).empty());
  CHECK(schema.draft() == tb::SchemaDraft::draft2020_12);
}

TEST_CASE("json_schema: violations name instance path, keyword location, keyword and message",
          "[json_schema]") {
  const auto schema = compile(R"({
    "type": "object",
    "required": ["term", "definition"],
    "properties": {
      "term": {"type": "string", "minLength": 2},
      "definition": {"type": "string"},
      "tags": {"type": "array", "items": {"type": "string"}}
    },
    "additionalProperties": false
  })");

  SECTION("type") {
    const auto v = schema.validate(json::parse(R"({"term": "RAG", "definition": null})"));
    REQUIRE(v.size() == 1);
    CHECK(v[0].instance_path == "/definition");
    CHECK(v[0].schema_path == "/properties/definition/type");
    CHECK(v[0].keyword == "type");
    CHECK(v[0].message == "expected string, got null");
  }
  SECTION("required, at the object") {
    const auto v = schema.validate(json::parse(R"({"term": "RAG"})"));
    REQUIRE(v.size() == 1);
    CHECK(v[0].instance_path.empty());
    CHECK(v[0].schema_path == "/required");
    CHECK(v[0].keyword == "required");
    CHECK_THAT(v[0].message, Contains("\"definition\""));
  }
  SECTION("array items and additional properties, all reported") {
    const auto v = schema.validate(
        json::parse(R"({"term": "R", "definition": "d", "tags": ["a", 7], "extra/key": 1})"));
    REQUIRE(v.size() == 3);
    std::vector<std::string> seen;
    for (const auto& e : v) seen.push_back(e.keyword + " " + e.instance_path + " " + e.schema_path);
    CHECK_THAT(seen[0] + "|" + seen[1] + "|" + seen[2],
               Contains("additionalProperties /extra~1key /additionalProperties") &&
                   Contains("minLength /term /properties/term/minLength") &&
                   Contains("type /tags/1 /properties/tags/items/type"));
    CHECK_FALSE(schema.is_valid(
        json::parse(R"({"term": "R", "definition": "d", "tags": ["a", 7], "extra/key": 1})")));
  }
  SECTION("the root itself") {
    const auto v = schema.validate(json::array());
    REQUIRE_FALSE(v.empty());
    CHECK(v[0].instance_path.empty());
    CHECK(v[0].schema_path == "/type");
    CHECK(v[0].message == "expected object, got array");
  }
}

TEST_CASE("json_schema: keyword locations follow $ref", "[json_schema]") {
  const auto schema = compile(R"({
    "$defs": {"positive": {"type": "integer", "minimum": 1}},
    "properties": {"count": {"$ref": "#/$defs/positive"}}
  })");
  const auto v = schema.validate(json::parse(R"({"count": 0})"));
  REQUIRE(v.size() == 1);
  CHECK(v[0].instance_path == "/count");
  CHECK(v[0].schema_path == "/properties/count/$ref/minimum");
  CHECK(v[0].message == "must be >= 1, got 0");
}

TEST_CASE("json_schema: messages of combinators and unevaluated keywords", "[json_schema]") {
  SECTION("anyOf") {
    const auto v = compile(R"({"anyOf": [{"type": "string"}, {"type": "null"}]})").validate(3);
    REQUIRE(v.size() == 1);
    CHECK(v[0].keyword == "anyOf");
    CHECK_THAT(v[0].message, Contains("2 alternatives"));
  }
  SECTION("oneOf with two matches") {
    const auto v = compile(R"({"oneOf": [{"type": "integer"}, {"minimum": 0}]})").validate(3);
    REQUIRE(v.size() == 1);
    CHECK(v[0].keyword == "oneOf");
    CHECK_THAT(v[0].message, Contains("more than one"));
  }
  SECTION("unevaluatedProperties") {
    const auto schema = compile(R"({
      "allOf": [{"properties": {"a": true}}],
      "unevaluatedProperties": false
    })");
    const auto v = schema.validate(json::parse(R"({"a": 1, "b": 2})"));
    REQUIRE(v.size() == 1);
    CHECK(v[0].keyword == "unevaluatedProperties");
    CHECK(v[0].instance_path == "/b");
    CHECK(v[0].schema_path == "/unevaluatedProperties");
  }
  SECTION("if/then reports the then branch") {
    const auto schema = compile(R"({
      "if": {"properties": {"kind": {"const": "n"}}},
      "then": {"properties": {"value": {"type": "number"}}}
    })");
    const auto v = schema.validate(json::parse(R"({"kind": "n", "value": "x"})"));
    REQUIRE(v.size() == 1);
    CHECK(v[0].schema_path == "/then/properties/value/type");
  }
}

TEST_CASE("json_schema: compile errors are SchemaError with a clear message", "[json_schema]") {
  using tb::SchemaError;
  SECTION("unknown $schema draft") {
    CHECK_THROWS_WITH(compile(R"({"$schema": "https://example.com/my-dialect"})"),
                      Contains("unknown $schema") && Contains("example.com/my-dialect"));
    CHECK_THROWS_WITH(compile(R"({"$schema": "https://json-schema.org/draft/2019-09/schema"})"),
                      Contains("unsupported $schema"));
  }
  SECTION("$ref to nowhere") {
    CHECK_THROWS_WITH(compile(R"({"$ref": "#/$defs/missing"})"),
                      Contains("points to nowhere") && Contains("#/$defs/missing"));
    CHECK_THROWS_WITH(compile(R"({"$ref": "#no-such-anchor"})"), Contains("no anchor"));
    CHECK_THROWS_WITH(compile(R"({"properties": {"a": {"$ref": "https://example.com/s.json"}}})"),
                      Contains("points to nowhere") && Contains("/properties/a"));
    CHECK_THROWS_AS(compile(R"({"$defs": {"unused": {"$ref": "other.json"}}})"), SchemaError);
  }
  SECTION("a non-schema where a schema is required") {
    CHECK_THROWS_WITH(compile("42"), Contains("object or boolean"));
    CHECK_THROWS_WITH(compile(R"({"properties": {"a": 5}})"),
                      Contains("/properties/a") && Contains("object or boolean"));
    CHECK_THROWS_WITH(compile(R"({"items": "string"})"), Contains("'/items'"));
    CHECK_THROWS_WITH(compile(R"({"allOf": []})"), Contains("non-empty array"));
  }
  SECTION("malformed keyword values") {
    CHECK_THROWS_WITH(compile(R"({"type": "strnig"})"), Contains("unknown type"));
    CHECK_THROWS_WITH(compile(R"({"minLength": -1})"), Contains("non-negative integer"));
    CHECK_THROWS_WITH(compile(R"({"required": "a"})"), Contains("array of strings"));
    CHECK_THROWS_WITH(compile(R"({"multipleOf": 0})"), Contains("greater than 0"));
  }
  SECTION("invalid regex") {
    CHECK_THROWS_WITH(compile(R"({"pattern": "(unclosed"})"),
                      Contains("invalid regular expression") && Contains("(unclosed"));
    CHECK_THROWS_WITH(compile(R"({"patternProperties": {"[a-": true}})"),
                      Contains("patternProperties"));
    CHECK_THROWS_WITH(compile(R"({"pattern": "\\Z"})"), Contains("unsupported escape"));
  }
  SECTION("unreadable or unparsable file") {
    tb::test::TempDir dir;
    CHECK_THROWS_WITH(tb::CompiledSchema::load(dir.path() / "missing.json"),
                      Contains("cannot read schema file"));
    const auto bad = dir / "bad.json";
    tb::test::write_text(bad, "{\"type\": ");
    CHECK_THROWS_WITH(tb::CompiledSchema::load(bad), Contains("not valid JSON"));
  }
  SECTION("messages are one line") {
    try {
      compile(R"({"pattern": "(unclosed"})");
      FAIL("expected SchemaError");
    } catch (const SchemaError& e) {
      CHECK(std::string(e.what()).find('\n') == std::string::npos);
    }
  }
}

TEST_CASE("json_schema: deep nesting is bounded, never a stack overflow", "[json_schema]") {
  const json deep = nested_arrays(100000);
  SECTION("recursive schema stops at max_depth with a violation") {
    const auto schema = compile(R"({"type": "array", "items": {"$ref": "#"}})");
    CHECK_FALSE(schema.is_valid(deep));
    const auto v = schema.validate(deep);
    REQUIRE(v.size() == 1);
    CHECK(v[0].keyword == "maxDepth");
    CHECK(v[0].instance_path.size() > 256 * 2);
  }
  SECTION("within max_depth it validates") {
    tb::SchemaOptions options;
    options.max_depth = 300;
    const auto schema = compile(R"({"type": "array", "items": {"$ref": "#"}})", options);
    CHECK(schema.is_valid(nested_arrays(250)));
    CHECK_FALSE(schema.is_valid(nested_arrays(350)));
  }
  SECTION("a schema that does not descend does not care") {
    CHECK(compile(R"({"type": "array"})").is_valid(deep));
  }
  SECTION("messages about deep values stay short") {
    const auto v = compile(R"({"const": 1})").validate(deep);
    REQUIRE(v.size() == 1);
    CHECK(v[0].message.size() < 100);
  }
  SECTION("deep values in const and uniqueItems") {
    json pair = json::array({nested_arrays(50000), nested_arrays(50000)});
    CHECK_FALSE(compile(R"({"uniqueItems": true})").is_valid(pair));
  }
  SECTION("a reference cycle that never consumes the instance") {
    // A $ref ring is refused at compile time (compiler_cycles_test.cpp); one through
    // $dynamicRef, whose target depends on the dynamic scope, is stopped while evaluating,
    // with one short violation.
    const auto schema = compile(R"({"$dynamicAnchor": "x", "allOf": [{"$dynamicRef": "#x"}]})");
    CHECK_FALSE(schema.is_valid(1));
    const auto v = schema.validate(1);
    REQUIRE(v.size() == 1);
    CHECK(v[0].keyword == "maxDepth");
    CHECK(v[0].schema_path.size() < 220);
  }
  SECTION("a schema nested deeper than max_depth is rejected") {
    json schema = json::object();
    json* cur = &schema;
    for (int i = 0; i < 100000; ++i) {
      (*cur)["items"] = json::object();
      cur = &(*cur)["items"];
    }
    CHECK_THROWS_WITH(tb::CompiledSchema::compile(schema), Contains("max_depth"));
    json deep_const = json::object();
    deep_const["const"] = nested_arrays(100000);  // moved in: copying a json recurses
    CHECK_THROWS_WITH(tb::CompiledSchema::compile(deep_const), Contains("max_depth"));
  }
}

TEST_CASE("json_schema: drafts", "[json_schema]") {
  const char* tuple = R"({"items": [{"type": "string"}], "additionalItems": false})";
  SECTION("$schema selects draft-07") {
    const auto schema =
        tb::CompiledSchema::compile({{"$schema", "http://json-schema.org/draft-07/schema#"},
                                     {"items", json::array({{{"type", "string"}}})},
                                     {"additionalItems", false}});
    CHECK(schema.draft() == tb::SchemaDraft::draft7);
    CHECK(schema.is_valid(json::parse(R"(["a"])")));
    CHECK_FALSE(schema.is_valid(json::parse(R"(["a", "b"])")));
    const auto v = schema.validate(json::parse(R"(["a", "b"])"));
    REQUIRE(v.size() == 1);
    CHECK(v[0].keyword == "additionalItems");
  }
  SECTION("default_draft applies without $schema") {
    tb::SchemaOptions options;
    options.default_draft = tb::SchemaDraft::draft7;
    CHECK_FALSE(compile(tuple, options).is_valid(json::parse(R"(["a", "b"])")));
    // In 2020-12 an array "items" is not a schema.
    CHECK_THROWS_AS(compile(tuple), tb::SchemaError);
  }
  SECTION("draft-07 ignores the siblings of $ref") {
    tb::SchemaOptions options;
    options.default_draft = tb::SchemaDraft::draft7;
    const char* text = R"({"definitions": {"s": {"type": "string"}},
                           "properties": {"a": {"$ref": "#/definitions/s", "maxLength": 1}}})";
    CHECK(compile(text, options).is_valid(json::parse(R"({"a": "long"})")));
    CHECK_FALSE(compile(text).is_valid(json::parse(R"({"a": "long"})")));
  }
  SECTION("the built-in metaschemas validate schemas offline") {
    const auto meta = compile(R"({"$ref": "https://json-schema.org/draft/2020-12/schema"})");
    CHECK(
        meta.is_valid(json::parse(R"({"type": "object", "properties": {"a": {"minLength": 1}}})")));
    CHECK_FALSE(meta.is_valid(json::parse(R"({"properties": {"a": {"minLength": -1}}})")));
    const auto meta7 = compile(R"({"$ref": "http://json-schema.org/draft-07/schema#"})");
    CHECK_FALSE(meta7.is_valid(json::parse(R"({"type": "strnig"})")));
  }
}

TEST_CASE("json_schema: remote refs resolve from local files only", "[json_schema]") {
  tb::test::TempDir dir;
  tb::test::write_text(dir / "defs/name.json", R"({"type": "string", "minLength": 1})");
  tb::test::write_text(dir / "term.json",
                       R"({"type": "object", "properties": {"term": {"$ref": "defs/name.json"}}})");
  SECTION("through ref_map") {
    tb::SchemaOptions options;
    options.ref_map.emplace_back("https://schemas.example.com/", dir.path());
    const auto schema = compile(R"({"$ref": "https://schemas.example.com/term.json"})", options);
    CHECK(schema.is_valid(json::parse(R"({"term": "x"})")));
    CHECK_FALSE(schema.is_valid(json::parse(R"({"term": ""})")));
    CHECK_THROWS_WITH(compile(R"({"$ref": "https://schemas.example.com/../etc/passwd"})", options),
                      Contains("points to nowhere"));
    CHECK_THROWS_WITH(compile(R"({"$ref": "https://other.example.com/term.json"})", options),
                      Contains("points to nowhere"));
  }
  SECTION("relative to a loaded file") {
    const auto schema = tb::CompiledSchema::load(dir.path() / "term.json");
    CHECK(schema.is_valid(json::parse(R"({"term": "x"})")));
    CHECK_FALSE(schema.is_valid(json::parse(R"({"term": 3})")));
  }
}

TEST_CASE("json_schema: compiled schemas are shared, immutable and thread-safe", "[json_schema]") {
  std::optional<tb::CompiledSchema> copy;
  {
    const auto original = compile(R"({"patternProperties": {"^[a-z]+$": {"pattern": "^\\d+$"}},
                                      "additionalProperties": false})");
    copy = original;
  }
  const json good = json::parse(R"({"abc": "123", "de": "4"})");
  const json bad = json::parse(R"({"abc": "12a"})");
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        if (!copy->is_valid(good) || copy->is_valid(bad) || copy->validate(bad).size() != 1) {
          ++failures[static_cast<std::size_t>(t)];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures == std::vector<int>(4, 0));
}
