#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <string>

#include "compile_schema.hpp"
#include "score/json_schema.hpp"
#include "score/schema/messages.hpp"
#include "test_paths.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::Equals;
using tb::SchemaError;
using tb::test::compile;

namespace {

std::string cycle_error(const std::string& schema) {
  try {
    compile(schema.c_str());
  } catch (const SchemaError& e) {
    return e.what();
  }
  return "compiled";
}

const std::string kNeverEnds =
    "; each applies the next to the same value, so validating would never end";

}  // namespace

TEST_CASE("a schema that refers to itself without progress is refused with the ring",
          "[json_schema][cycles]") {
  CHECK(cycle_error(R"({"$ref": "#"})") ==
        "invalid schema: a reference cycle without progress: # ($ref) -> #" + kNeverEnds);
  CHECK(cycle_error(R"({"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}},
                       "$ref": "#/$defs/a"})") ==
        "invalid schema: a reference cycle without progress: #/$defs/a ($ref) -> #/$defs/b "
        "($ref) -> #/$defs/a" +
            kNeverEnds);
  // Through other in-place applicators, and an anchor.
  CHECK_THAT(cycle_error(R"({"$defs": {"a": {"$anchor": "A", "allOf": [{"$ref": "#/$defs/b"}]},
                                       "b": {"anyOf": [{"type": "string"}, {"$ref": "#A"}]}},
                            "properties": {"x": {"$ref": "#/$defs/a"}}})"),
             Contains("#/$defs/a (allOf) -> #/$defs/a/allOf/0 ($ref) -> #/$defs/b (anyOf) -> "
                      "#/$defs/b/anyOf/1 ($ref) -> #/$defs/a"));
  for (const char* schema :
       {R"({"not": {"$ref": "#"}})", R"({"if": {"$ref": "#"}})",
        R"({"if": true, "then": {"$ref": "#"}})", R"({"oneOf": [{"$ref": "#"}]})",
        R"({"dependentSchemas": {"a": {"$ref": "#"}}})",
        R"({"$schema": "http://json-schema.org/draft-07/schema#",
            "dependencies": {"a": {"allOf": [{"$ref": "#"}]}}})"}) {
    INFO(schema);
    CHECK_THAT(cycle_error(schema), Contains("a reference cycle without progress"));
  }
}

TEST_CASE("recursion that moves into the value is not a cycle", "[json_schema][cycles]") {
  // A tree: each level applies the schema to a child, so it ends with the value.
  const auto tree = compile(R"({"type": "object",
      "properties": {"children": {"type": "array", "items": {"$ref": "#"}}},
      "additionalProperties": {"$ref": "#/$defs/leaf"},
      "$defs": {"leaf": {"allOf": [{"$ref": "#/$defs/leaf2"}]}, "leaf2": {"type": "string"}}})");
  CHECK(tree.is_valid(nlohmann::json::parse(R"({"children": [{"children": []}], "x": "y"})")));
  CHECK_FALSE(tree.is_valid(nlohmann::json::parse(R"({"children": [{"x": 1}]})")));
  // Shared targets without a ring (a diamond) compile.
  CHECK_NOTHROW(compile(R"({"allOf": [{"$ref": "#/$defs/a"}, {"$ref": "#/$defs/b"}],
      "$defs": {"a": {"$ref": "#/$defs/c"}, "b": {"$ref": "#/$defs/c"}, "c": {"type": "object"}}})"));
  // The metaschemas, which refer to themselves through properties and $dynamicRef.
  CHECK_NOTHROW(compile(R"({"$ref": "https://json-schema.org/draft/2020-12/schema"})"));
  CHECK_NOTHROW(compile(R"({"$ref": "http://json-schema.org/draft-07/schema#"})"));
}

TEST_CASE("a cycle in a schema file is a located suite error", "[json_schema][cycles]") {
  tb::test::TempDir dir;
  tb::test::write_text(dir / "cycle.json",
                       R"({"$defs": {"a": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"})");
  CHECK_THROWS_WITH(tb::CompiledSchema::load(dir / "cycle.json"),
                    Contains("a reference cycle without progress: file://") &&
                        Contains("cycle.json#/$defs/a ($ref) -> file://"));
}

TEST_CASE("violation locations stay short however deep the recursion", "[json_schema][cycles]") {
  using tb::schema_detail::short_location;
  CHECK(short_location("/properties/a/type") == "/properties/a/type");
  std::string deep;
  for (int i = 0; i < 200; ++i) deep += "/properties/children/items/$ref";
  deep += "/properties/name/type";
  const std::string shortened = short_location(deep);
  CHECK(shortened.size() < 220);
  CHECK(shortened.starts_with("/properties/children/items/$ref/"));
  CHECK(shortened.ends_with("/properties/name/type"));
  CHECK(shortened.find("/.../") != std::string::npos);
  // Through the validator: a recursion 200 levels deep reports one short location.
  const auto tree = compile(R"({"type": "object", "properties": {
      "c": {"$ref": "#"}, "name": {"type": "string"}}})");
  std::string instance = R"({"name": 1})";
  for (int i = 0; i < 200; ++i) instance = R"({"c": )" + instance + "}";
  const auto violations = tree.validate(nlohmann::json::parse(instance));
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].schema_path.size() < 220);
  CHECK(violations[0].schema_path.ends_with("/properties/name/type"));
}
