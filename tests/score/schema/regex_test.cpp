// The ECMA-262 regex dialect on PCRE2 (score/schema/regex.cpp).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "compile_schema.hpp"
#include "score/json_schema.hpp"

namespace {

using nlohmann::json;
using tb::test::compile;

}  // namespace

TEST_CASE("json_schema: patterns follow ECMA-262", "[json_schema]") {
  const auto digits = compile(R"({"pattern": "^\\d+$"})");
  CHECK(digits.is_valid("123"));
  CHECK_FALSE(digits.is_valid("\xd9\xa1\xd9\xa2"));  // Arabic-Indic digits are not \d
  CHECK(compile(R"({"pattern": "^\\p{Letter}+$"})").is_valid("\xc3\xa9t\xc3\xa9"));
  CHECK(compile(R"({"pattern": "^a\\sb$"})")
            .is_valid("a\xc2\xa0"
                      "b"));  // NBSP is \s
  CHECK_FALSE(compile(R"({"pattern": "^a.b$"})").is_valid("a\nb"));
  CHECK_FALSE(compile(R"({"pattern": "^x$"})").is_valid("x\n"));  // $ is the end only
  CHECK(compile(R"({"patternProperties": {"^x-": {"type": "integer"}}})")
            .is_valid(json::parse(R"({"x-a": 1, "y": "s"})")));
}
