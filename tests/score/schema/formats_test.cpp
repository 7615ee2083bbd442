// The "format" keyword: annotations unless asserted, and its checkers (score/schema/formats.cpp,
// format_uri.cpp).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "compile_schema.hpp"
#include "score/json_schema.hpp"

namespace {

using nlohmann::json;
using tb::test::compile;

}  // namespace

TEST_CASE("json_schema: formats are annotations unless asserted", "[json_schema]") {
  const char* text = R"({"properties": {
    "when": {"format": "date-time"}, "mail": {"format": "email"}, "id": {"format": "uuid"},
    "re": {"format": "regex"}, "other": {"format": "no-such-format"}}})";
  const json bad = json::parse(
      R"({"when": "2024-02-30T10:00:00Z", "mail": "no-at-sign", "id": "1234", "re": "(",
          "other": "x"})");
  const json good = json::parse(
      R"({"when": "2024-02-29T10:00:00.5+01:00", "mail": "a.b@example.com",
          "id": "2eb8aa08-aa98-11ea-b4aa-73b441d16380", "re": "^a+$", "other": "x"})");
  CHECK(compile(text).is_valid(bad));
  tb::SchemaOptions assert_formats;
  assert_formats.assert_formats = true;
  const auto asserted = compile(text, assert_formats);
  CHECK(asserted.is_valid(good));
  CHECK_FALSE(asserted.is_valid(bad));
  const auto v = asserted.validate(bad);
  REQUIRE(v.size() == 4);
  for (const auto& e : v) CHECK(e.keyword == "format");
  CHECK(v[0].instance_path == "/id");
  CHECK(v[0].message == "\"1234\" is not a valid uuid");
}

TEST_CASE("json_schema: format checkers", "[json_schema]") {
  tb::SchemaOptions options;
  options.assert_formats = true;
  auto valid = [&](const char* format, const char* value) {
    return tb::CompiledSchema::compile({{"format", format}}, options).is_valid(value);
  };
  CHECK(valid("date", "2020-02-29"));
  CHECK_FALSE(valid("date", "2021-02-29"));
  CHECK(valid("time", "23:59:60Z"));
  CHECK_FALSE(valid("time", "12:00:00"));
  CHECK(valid("duration", "P1Y2M3DT4H5M6S"));
  CHECK_FALSE(valid("duration", "P1Y2D"));
  CHECK(valid("hostname", "api.example.com"));
  CHECK_FALSE(valid("hostname", "-bad.example.com"));
  CHECK(valid("ipv4", "10.0.0.1"));
  CHECK_FALSE(valid("ipv4", "10.0.0.01"));
  CHECK(valid("ipv6", "::ffff:10.0.0.1"));
  CHECK_FALSE(valid("ipv6", "1::2::3"));
  CHECK(valid("uri", "https://example.com/a?b=c#d"));
  CHECK_FALSE(valid("uri", "/relative"));
  CHECK(valid("uri-reference", "../relative#x"));
  CHECK_FALSE(valid("uri-reference", "bad ref"));
  CHECK(valid("json-pointer", "/a/~1b"));
  CHECK(valid("uri-template", "https://example.com/{id}{?q,limit}"));
}
