// JSON equality (1 == 1.0), integers, multipleOf and Unicode lengths (score/schema/json_equal.cpp,
// evaluator.cpp).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "compile_schema.hpp"
#include "score/json_schema.hpp"

namespace {

using nlohmann::json;
using tb::test::compile;

}  // namespace

TEST_CASE("json_schema: JSON equality, numbers and Unicode lengths", "[json_schema]") {
  CHECK(compile(R"({"const": 1})").is_valid(json::parse("1.0")));
  CHECK(compile(R"({"enum": [[1, {"a": 2.0}]]})").is_valid(json::parse(R"([1.0, {"a": 2}])")));
  CHECK_FALSE(compile(R"({"const": {"a": [1]}})").is_valid(json::parse(R"({"a": [true]})")));
  CHECK(compile(R"({"type": "integer"})").is_valid(json::parse("2.0")));
  CHECK_FALSE(compile(R"({"type": "integer"})").is_valid(json::parse("2.5")));
  CHECK(compile(R"({"multipleOf": 0.1})").is_valid(json::parse("0.3")));
  CHECK_FALSE(compile(R"({"multipleOf": 0.1})").is_valid(json::parse("0.35")));
  CHECK(compile(R"({"multipleOf": 3})").is_valid(json::parse("-9")));
  CHECK_FALSE(compile(R"({"uniqueItems": true})").is_valid(json::parse("[1, {\"a\": 1}, 1.0]")));
  const auto len = compile(R"({"maxLength": 2})");
  CHECK(len.is_valid("\xc3\xa9\xf0\x9f\x98\x80"));  // "é😀": two code points, six bytes
  CHECK_FALSE(len.is_valid("abc"));
}
