#include <catch2/catch.hpp>

#include <random>

#include "score/json_extract.hpp"

using namespace tb;
using nlohmann::json;

TEST_CASE("extract_json: whole answers, including scalars", "[json_extract]") {
  const auto x = extract_json("  {\"a\": [1, 2]}\n");
  CHECK(x.found);
  CHECK(x.whole);
  CHECK_FALSE(x.fenced);
  CHECK(x.begin == 2);
  CHECK(x.end == 15);
  CHECK(x.value == json{{"a", {1, 2}}});
  CHECK(extract_json("42").value == 42);
  CHECK(extract_json(" \"hi\" ").whole);
  CHECK(extract_json("null").found);
  // A scalar counts only as the whole answer: prose full of numbers holds no JSON.
  CHECK_FALSE(extract_json("The answer is 42.").found);
  CHECK_FALSE(extract_json("").found);
  CHECK_FALSE(extract_json(" \n\t").found);
}

TEST_CASE("extract_json: inside a fence", "[json_extract]") {
  const std::string text = "Sure!\n```json\n{\"term\": \"TLS\"}\n```\nAnything else?";
  const auto x = extract_json(text);
  CHECK(x.found);
  CHECK(x.fenced);
  CHECK_FALSE(x.whole);
  CHECK(text.substr(x.begin, x.end - x.begin) == "{\"term\": \"TLS\"}");
  CHECK(extract_json("```\n[1,2]\n```").fenced);
  CHECK(extract_json("```{\"a\":3}```").value == json{{"a", 3}});
  CHECK(extract_json("````JSON\n{\"a\":1}\n````").fenced);
  // A fence wins over a stray bracket in the prose before it.
  const auto cited = extract_json("As [1] says:\n```json\n{\"a\": 2}\n```");
  CHECK(cited.fenced);
  CHECK(cited.value == json{{"a", 2}});
  // An unclosed fence (a cut-off answer) still counts as a fence.
  CHECK(extract_json("```json\n{\"a\": 1}\n").fenced);
}

TEST_CASE("extract_json: inside prose", "[json_extract]") {
  const std::string text =
      "Here is the JSON for TLS: {\"term\": \"TLS\", \"n\": [1, {\"b\": null}]} hope it helps";
  const auto x = extract_json(text);
  CHECK(x.found);
  CHECK_FALSE(x.fenced);
  CHECK_FALSE(x.whole);
  CHECK(x.begin == text.find('{'));
  CHECK(x.end == text.rfind('}') + 1);
  CHECK(x.value["n"][1]["b"].is_null());
  // Braces in prose are skipped; braces inside strings do not confuse the end.
  const auto y = extract_json("I think {this is} fine [see below] and {\"s\": \"} ] {\"}");
  CHECK(y.found);
  CHECK(y.value == json{{"s", "} ] {"}});
  CHECK_FALSE(extract_json("no json {here} or [there]").found);
}

TEST_CASE("extract_json: a fragment of a broken value is no answer", "[json_extract]") {
  // The inner array is valid JSON, but it is part of a broken object.
  const auto x = extract_json("{a: 1, b: [true, null]}");
  CHECK_FALSE(x.found);
  CHECK(x.repairable);
  CHECK(x.repair_note == "unquoted keys");
  CHECK(x.value == json{{"a", 1}, {"b", {true, nullptr}}});
  // A value nested in a cut-off one is a fragment too.
  const auto y = extract_json("{\"items\": [{\"a\": 1}, {\"b\":");
  CHECK_FALSE(y.found);
  CHECK(y.repairable);
  // ...but a strict value after a broken one is found.
  const auto z = extract_json("first {a: 1} then {\"b\": 2}");
  CHECK(z.found);
  CHECK(z.value == json{{"b", 2}});
}

TEST_CASE("extract_json: lenient repairs are reported, never found", "[json_extract]") {
  struct Case {
    const char* text;
    const char* note;
    json value;
  };
  const std::vector<Case> cases = {
      {"{\"a\": 1,}", "trailing comma", {{"a", 1}}},
      {"[1, 2, ]", "trailing comma", {1, 2}},
      {"{'a': 'it\\'s \"x\"'}", "single quotes", {{"a", "it's \"x\""}}},
      {"{a: 1, $b_2: 2}", "unquoted keys", {{"a", 1}, {"$b_2", 2}}},
      {"{\"a\": 1 // why\n, /* block */ \"b\": 2}", "comments", {{"a", 1}, {"b", 2}}},
      {"{\"k\": \"line\nbreak\"}", "control characters in strings", {{"k", "line\nbreak"}}},
      {"{\"a\": \"long te", "truncated: closed 1 quote and 1 bracket", {{"a", "long te"}}},
      {"{\"a\": [1, {\"b\": 2", "truncated: closed 3 brackets", {{"a", {1, {{"b", 2}}}}}},
      {"[1, 2,", "truncated: closed 1 bracket", {1, 2}},
      {"{\"a\": 1, \"b\":", "truncated: dropped a partial member, closed 1 bracket", {{"a", 1}}},
      {"{\"a\": 1, \"b", "truncated: dropped a partial member, closed 1 bracket", {{"a", 1}}},
      {"{\"a\": 1, \"b\": tr", "truncated: dropped a partial member, closed 1 bracket", {{"a", 1}}},
      {"{'a': 1,}", "trailing comma, single quotes", {{"a", 1}}},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    const auto x = extract_json(c.text);
    CHECK_FALSE(x.found);
    CHECK(x.repairable);
    CHECK(x.repair_note == c.note);
    CHECK(x.value == c.value);
  }
  const auto fenced = extract_json("```json\n{\"a\": {\"b\": 1}\n```");
  CHECK(fenced.repairable);
  CHECK(fenced.fenced);
  CHECK(fenced.repair_note == "truncated: closed 1 bracket");
  // Not even lenient JSON.
  for (const char* text : {"{\"a\" 1}", "{\"a\": undefined}", "[1 2]", "{\"a\": 01}"}) {
    INFO(text);
    const auto x = extract_json(text);
    CHECK_FALSE(x.found);
    CHECK_FALSE(x.repairable);
  }
}

TEST_CASE("extract_json: strictness", "[json_extract]") {
  // nlohmann is the final judge: a lone surrogate is no JSON, and the search goes on.
  const auto x = extract_json("{\"a\": \"\\ud800\"} {\"b\": 1}");
  CHECK(x.found);
  CHECK(x.value == json{{"b", 1}});
  CHECK_FALSE(extract_json("{\"a\": \"\xff\"}").found);  // invalid UTF-8
  CHECK_FALSE(extract_json("[1.]").found);
  CHECK_FALSE(extract_json("[\"\\x\"]").found);
  CHECK(extract_json("[-0.5e+3, \"\\u00e9\\n\"]").found);
}

TEST_CASE("extract_json: nesting is bounded", "[json_extract]") {
  const std::string ok = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  CHECK(extract_json(ok).found);
  CHECK(extract_json("x " + ok).found);
  const std::string deep = std::string(kMaxJsonDepth + 1, '[') + std::string(kMaxJsonDepth + 1, ']');
  CHECK_FALSE(extract_json(deep).found);
  CHECK_FALSE(extract_json("x " + deep).found);
  const auto huge = extract_json(std::string(1'000'000, '['));
  CHECK_FALSE(huge.found);
  CHECK_FALSE(huge.repairable);
}

TEST_CASE("extract_json: large and adversarial inputs stay linear", "[json_extract]") {
  // A naive search (try every bracket, scan to the end) is quadratic on all but the first.
  std::string unclosed = "prose [";
  std::string nested;
  std::string broken;
  std::string strings;
  for (int i = 0; i < 100'000; ++i) {
    unclosed += "1, ";
    nested += "[1, ";
    broken += "[\"a\", 1 x ";
    strings += "{\"[\" ";
  }
  CHECK(extract_json(unclosed).repairable);  // a cut-off array of 100,000 ones
  CHECK_FALSE(extract_json(nested).found);   // too deep to repair
  CHECK_FALSE(extract_json(nested).repairable);
  CHECK_FALSE(extract_json(broken).found);
  CHECK_FALSE(extract_json(strings).found);
  const std::string big_value = "{\"k\": \"" + std::string(2'000'000, 'x') + "\"}";
  const auto big = extract_json("Here: " + big_value + " done");
  CHECK(big.found);
  CHECK(big.value["k"].get_ref<const std::string&>().size() == 2'000'000);
}

TEST_CASE("extract_json: random bytes never break it", "[json_extract]") {
  std::mt19937 rng(20240611);
  const std::string alphabet = "{}[]\":,'`/*\\ \n\t0123456789.-+eEtrufalsn abcxyz";
  for (int round = 0; round < 3000; ++round) {
    std::string text(rng() % 200, ' ');
    const bool raw = round % 3 == 0;
    for (auto& c : text) {
      c = raw ? static_cast<char>(rng() % 256) : alphabet[rng() % alphabet.size()];
    }
    if (round % 5 == 0) text = "```json\n" + text;
    const auto x = extract_json(text);
    INFO(text);
    REQUIRE(x.begin <= x.end);
    REQUIRE(x.end <= text.size());
    CHECK_FALSE((x.found && x.repairable));
    if (x.found) {
      // The range holds exactly the value found.
      const auto again = json::parse(text.substr(x.begin, x.end - x.begin), nullptr, false);
      REQUIRE_FALSE(again.is_discarded());
      CHECK(again == x.value);
      if (!x.whole) CHECK((x.value.is_object() || x.value.is_array()));
    }
    if (x.repairable) CHECK_FALSE(x.repair_note.empty());
    if (x.whole) CHECK(json::parse(text, nullptr, false) == x.value);
  }
}
