#include <catch2/catch.hpp>

#include <array>

#include "common/diagnostic.hpp"
#include "common/text.hpp"

using namespace tb;

TEST_CASE("levenshtein counts edits", "[text]") {
  CHECK(levenshtein("", "") == 0);
  CHECK(levenshtein("kitten", "sitting") == 3);
  CHECK(levenshtein("dataset", "datset") == 1);
}

TEST_CASE("did_you_mean finds near keys only", "[text]") {
  constexpr std::array<std::string_view, 3> keys = {"dataset", "variants", "baseline"};
  CHECK(did_you_mean("datset", keys) == std::optional<std::string>("dataset"));
  CHECK(did_you_mean("Variant", keys) == std::optional<std::string>("variants"));
  CHECK_FALSE(did_you_mean("temperature", keys).has_value());
}

TEST_CASE("ellipsize never cuts a UTF-8 sequence", "[text]") {
  const std::string s = "ab\xC3\xA9\xC3\xA9\xC3\xA9";  // "abééé"
  const std::string cut = ellipsize(s, 6);
  CHECK(cut.ends_with("..."));
  CHECK(cut == "ab...");
  CHECK(ellipsize("short", 10) == "short");
}

TEST_CASE("number formats", "[text]") {
  CHECK(with_thousands(1234567) == "1,234,567");
  CHECK(with_thousands(-1000) == "-1,000");
  CHECK(with_thousands(12) == "12");
  CHECK(fixed(2.345, 1) == "2.3");
  CHECK(dquote("a\"b\n") == "\"a\\\"b\\n\"");
}

TEST_CASE("a diagnostic names file, line and field", "[text]") {
  CHECK(Diagnostic{"d.jsonl", 17, "messages[2].role", "bad"}.to_string() == "d.jsonl:17: messages[2].role: bad");
  CHECK(Diagnostic{"s.yaml", 0, "", "cannot read"}.to_string() == "s.yaml: cannot read");
}

TEST_CASE("format_seconds keeps fractions: 0.3 s is not 0 s", "[text]") {
  CHECK(format_seconds(0.3) == "0.3 s");
  CHECK(format_seconds(30) == "30 s");
  CHECK(format_seconds(2.125) == "2.125 s");
  CHECK(format_seconds(1.5004) == "1.5 s");
  CHECK(format_seconds(0.0001) == "0.001 s");
  CHECK(format_seconds(0) == "0 s");
}
