// JsonTape must accept exactly what nlohmann::json::parse accepts and give the same value.
#include <catch2/catch.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "common/json_tape.hpp"
#include "random_json.hpp"

namespace {

using tb::JsonTape;
using tb::kMaxJsonDepth;

// Same acceptance as nlohmann, and the same value (dump() also tells 1 from 1.0 and -0 from 0).
void require_same_as_nlohmann(const std::string& text) {
  INFO("text: " << nlohmann::json(text).dump(-1, ' ', true,
                                             nlohmann::json::error_handler_t::replace));
  const bool accepted = nlohmann::json::accept(text);
  std::string error;
  const auto tape = JsonTape::parse(text, &error);
  REQUIRE(tape.has_value() == accepted);
  if (accepted) {
    CHECK(tape->to_json().dump() == nlohmann::json::parse(text).dump());
  } else {
    CHECK_FALSE(error.empty());
  }
}

}  // namespace

TEST_CASE("JsonTape accepts and rejects what nlohmann does, with the same values", "[json_tape]") {
  const std::vector<std::string> texts = {"",
                                          " ",
                                          "1",
                                          "-0",
                                          "-0.0",
                                          "01",
                                          "1.",
                                          ".5",
                                          "1e",
                                          "1e+",
                                          "1E5",
                                          "1e-2",
                                          "-",
                                          "--1",
                                          "+1",
                                          "0x10",
                                          "tru",
                                          "true",
                                          "true ",
                                          "false",
                                          "nulll",
                                          "null",
                                          "[1,]",
                                          "[,1]",
                                          "[1 2]",
                                          "{\"a\":1,}",
                                          "{\"a\" 1}",
                                          "{1:2}",
                                          "{\"a\":}",
                                          "{\"a\":1",
                                          "[1",
                                          "[",
                                          "{",
                                          "]",
                                          "}",
                                          "\"abc",
                                          "\"\\x\"",
                                          "\"\\u12\"",
                                          "\"\\u12G4\"",
                                          "\"\\uD800\"",
                                          "\"\\uD800\\u0041\"",
                                          "\"\\uDC00\"",
                                          "\"\\uD83D\\uDE00\"",
                                          "\"\\u00e9\\u20AC\"",
                                          "\"a\tb\"",
                                          "\"a\\tb\"",
                                          "\"\\u0000\"",
                                          "\"\xC0\x80\"",
                                          "\"\xC2\x80\"",
                                          "\"\xED\xA0\x80\"",
                                          "\"\xED\x9F\xBF\"",
                                          "\"\xF4\x90\x80\x80\"",
                                          "\"\xF4\x8F\xBF\xBF\"",
                                          "\"\xE2\x82\xAC\"",
                                          "\"\xE2\x82\"",
                                          "\"\xE0\x9F\xBF\"",
                                          "\"\xF0\x8F\xBF\xBF\"",
                                          "\"\xFF\"",
                                          "\"\x80\"",
                                          "1e400",
                                          "-1e400",
                                          "1e-400",
                                          "18446744073709551615",
                                          "18446744073709551616",
                                          "-9223372036854775808",
                                          "-9223372036854775809",
                                          "9223372036854775808",
                                          "123456789012345678901234567890",
                                          "[1] [2]",
                                          "{}",
                                          "[]",
                                          "[[[]]]",
                                          " \n{\"a\" : [true, false, null]}\r\n",
                                          "/* c */ 1",
                                          "NaN",
                                          "Infinity",
                                          "-Infinity",
                                          "\"\\/\\b\\f\\n\\r\\\"\\\\\"",
                                          "{\"a\":1,\"a\":2}",
                                          "[1.5e3, -2E-2, 0.0, 1E+2]",
                                          "\xEF\xBB\xBF{}",
                                          "\xEF\xBB{}",
                                          " \xEF\xBB\xBF{}",
                                          "\"a\"\"b\""};
  for (const std::string& text : texts) require_same_as_nlohmann(text);
}

TEST_CASE("JsonTape round-trips random documents and agrees with nlohmann on mutations",
          "[json_tape]") {
  std::mt19937 rng(20261122);
  const std::string alphabet = "{}[]\",:\\/ 0123456789.eE+-tfnul\x01\x80\xC3\xA9";
  for (int round = 0; round < 2000; ++round) {
    const std::string text = tb::test::random_json(rng).dump();
    require_same_as_nlohmann(text);
    for (int m = 0; m < 5; ++m) {
      std::string mutated = text;
      const std::size_t at = mutated.empty() ? 0 : rng() % mutated.size();
      switch (rng() % 3) {
        case 0:
          if (!mutated.empty()) mutated.erase(at, 1);
          break;
        case 1:
          mutated.insert(at, 1, alphabet[rng() % alphabet.size()]);
          break;
        default:
          if (!mutated.empty()) mutated[at] = alphabet[rng() % alphabet.size()];
          break;
      }
      require_same_as_nlohmann(mutated);
    }
  }
}

TEST_CASE("JsonTape lays values out in document order with their kinds", "[json_tape]") {
  const auto tape = JsonTape::parse(R"({"k": [1, -2, 2.5], "s": "x\u00e9", "b": true, "n": null})");
  REQUIRE(tape);
  const JsonTape& t = *tape;
  REQUIRE(t[0].kind == JsonTape::Kind::object);
  CHECK(t[0].size == 4);
  CHECK(t.next(0) == t.size());
  CHECK(t.string(1) == "k");
  REQUIRE(t[2].kind == JsonTape::Kind::array);
  CHECK(t[2].size == 3);
  CHECK(t[3].kind == JsonTape::Kind::unsigned_integer);
  CHECK(t.unsigned_integer(3) == 1);
  CHECK(t[4].kind == JsonTape::Kind::integer);
  CHECK(t.integer(4) == -2);
  CHECK(t[5].kind == JsonTape::Kind::floating);
  CHECK(t.number(5) == 2.5);
  CHECK(t.next(2) == 6);
  CHECK(t.string(6) == "s");
  CHECK(t.string(7) == "x\xC3\xA9");  // unescaped
  CHECK(t[9].kind == JsonTape::Kind::boolean);
  CHECK(t[9].boolean);
  CHECK(t[11].kind == JsonTape::Kind::null);
  CHECK_FALSE(t.has_duplicate_keys());
}

TEST_CASE("JsonTape flags duplicate keys and keeps the last value, as nlohmann does",
          "[json_tape]") {
  const auto dup = JsonTape::parse(R"({"a": 1, "b": 0, "a": 2})");
  REQUIRE(dup);
  CHECK(dup->has_duplicate_keys());
  CHECK(dup->to_json() == nlohmann::json::parse(R"({"a": 2, "b": 0})"));
  // The same key in different objects is not a duplicate.
  const auto nested = JsonTape::parse(R"({"a": {"a": 1, "b": {"a": 2}}, "b": {"a": 3}})");
  REQUIRE(nested);
  CHECK_FALSE(nested->has_duplicate_keys());
  // Objects with many members are checked by sorting their keys.
  std::string big = "{";
  for (int i = 0; i < 40; ++i) big += "\"k" + std::to_string(i) + "\": " + std::to_string(i) + ",";
  const auto distinct = JsonTape::parse(big + "\"z\": 0}");
  REQUIRE(distinct);
  CHECK_FALSE(distinct->has_duplicate_keys());
  const auto repeated = JsonTape::parse(big + "\"k17\": 0}");
  REQUIRE(repeated);
  CHECK(repeated->has_duplicate_keys());
}

TEST_CASE("JsonTape errors say where and what", "[json_tape]") {
  std::string error;
  CHECK_FALSE(JsonTape::parse("{\n  \"a\": tru\n}", &error));
  CHECK(error ==
        "line 2, column 8: expected a JSON value (true, false, null, a number, a "
        "string, [ or {)");
  CHECK_FALSE(JsonTape::parse("[1, 2", &error));
  CHECK(error == "line 1, column 6: expected ',' or ']', got the end of the input");
  CHECK_FALSE(JsonTape::parse("{\"a\": 1} x", &error));
  CHECK(error == "line 1, column 10: expected the end of the input after the JSON value");
  CHECK_FALSE(JsonTape::parse("\"\\uD800x\"", &error));
  CHECK(error.find("low one") != std::string::npos);
}

TEST_CASE("JsonTape parses 100,000 levels of nesting without recursion", "[json_tape]") {
  const std::size_t depth = 100000;
  const std::string deep = std::string(depth, '[') + std::string(depth, ']');
  const auto tape = JsonTape::parse(deep, nullptr, SIZE_MAX);
  REQUIRE(tape);
  CHECK(tape->size() == depth);
  CHECK(tape->next(0) == depth);
  CHECK(tape->to_json().is_array());
  CHECK_FALSE(JsonTape::parse(std::string(depth, '[')));
  const std::string objects = [&] {
    std::string s;
    for (std::size_t i = 0; i < depth; ++i) s += "{\"a\":";
    s += "1";
    s += std::string(depth, '}');
    return s;
  }();
  const auto object_tape = JsonTape::parse(objects, nullptr, SIZE_MAX);
  REQUIRE(object_tape);
  CHECK(object_tape->size() == 2 * depth + 1);
}

TEST_CASE("JsonTape refuses nesting deeper than kMaxJsonDepth unless told otherwise",
          "[json_tape][depth]") {
  auto nested = [](std::size_t depth, char open, char close) {
    std::string s;
    for (std::size_t i = 0; i < depth; ++i) s += open == '{' ? "{\"k\":" : "[";
    s += open == '{' ? "{}" : "[]";
    for (std::size_t i = 0; i < depth; ++i) s += close;
    return s;
  };
  std::string error;
  // kMaxJsonDepth levels in all (the innermost empty container counts), and one more.
  CHECK(JsonTape::parse(nested(kMaxJsonDepth - 1, '[', ']'), &error));
  CHECK(JsonTape::parse(nested(kMaxJsonDepth - 1, '{', '}'), &error));
  CHECK_FALSE(JsonTape::parse(nested(kMaxJsonDepth, '[', ']'), &error));
  CHECK(error == "line 1, column 513: nested deeper than 512 levels");
  CHECK_FALSE(JsonTape::parse(nested(kMaxJsonDepth, '{', '}'), &error));
  CHECK(error.ends_with("nested deeper than 512 levels"));
  CHECK_FALSE(JsonTape::parse(std::string(100000, '[') + std::string(100000, ']'), &error));
  CHECK(error == "line 1, column 513: nested deeper than 512 levels");
  // A limit of its own; brackets inside strings are not levels.
  CHECK(JsonTape::parse("[[1]]", nullptr, 2));
  CHECK_FALSE(JsonTape::parse("[[[1]]]", nullptr, 2));
  CHECK(JsonTape::parse("[\"[[[[\"]", nullptr, 1));
}

TEST_CASE("JsonTape finds members (the last of duplicates) and items", "[json_tape]") {
  const auto tape = JsonTape::parse(R"({"a": [10, {"b": 1}, 30], "c": "x", "c": "y"})");
  REQUIRE(tape);
  const JsonTape& t = *tape;
  const auto a = t.member(0, "a");
  REQUIRE(a);
  CHECK(t.is(*a, JsonTape::Kind::array));
  CHECK(t.unsigned_integer(*t.item(*a, 0)) == 10);
  CHECK(t.unsigned_integer(*t.item(*a, 2)) == 30);
  CHECK_FALSE(t.item(*a, 3));
  CHECK(t.unsigned_integer(*t.member(*t.item(*a, 1), "b")) == 1);
  CHECK(t.string(*t.member(0, "c")) == "y");
  CHECK_FALSE(t.member(0, "missing"));
  CHECK_FALSE(t.member(*a, "a"));  // not an object
  CHECK_FALSE(t.item(0, 0));       // not an array
}
