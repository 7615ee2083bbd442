#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "common/json_depth.hpp"
#include "score/check.hpp"
#include "score/json_schema.hpp"
#include "score/scorer.hpp"
#include "test_paths.hpp"

using namespace tb;

namespace {

std::shared_ptr<const Check> check(const std::string& spec) {
  std::string error;
  auto c =
      make_check(nlohmann::json::parse(spec), {test::source_dir() / "suites/demo.yaml"}, error);
  INFO(spec << ": " << error);
  REQUIRE(c);
  return c;
}

// {"term": [[[...]]]}: an object whose field nests `depth` arrays deep.
std::string deep_field(std::size_t depth) {
  return R"({"term":)" + std::string(depth, '[') + std::string(depth, ']') + "}";
}

}  // namespace

TEST_CASE("an answer nested 100,000 levels deep fails every JSON check saying why, without a crash",
          "[scorer][depth]") {
  const std::vector<std::shared_ptr<const Check>> checks = {
      check(R"({"type":"is-json"})"),
      check(R"({"type":"field-equals","path":"/term"})"),
      check(R"({"type":"field-equals","path":"/term","value":"x"})"),
      check(R"({"type":"field-matches","path":"/term","pattern":"x"})"),
      check(R"({"type":"field-accuracy"})"),
      check(R"({"type":"equals","value":{"term":"x"}})"),
      check(R"({"type":"equals"})"),
      check(R"({"type":"contains-json"})"),
      check(R"({"type":"json-schema","schema":"../datasets/schemas/term.schema.json"})"),
  };
  const auto schema =
      CompiledSchema::load(test::source_dir() / "datasets/schemas/term.schema.json");
  for (const std::string& output :
       {deep_field(100000), std::string(100000, '[') + std::string(100000, ']')}) {
    ScoreInput in;
    in.output = output;
    in.reference = R"({"term":"x"})";
    in.has_reference = true;
    in.finish_reason = "stop";
    const Score score = score_result(in, checks, {}, {true, &schema});
    CHECK_FALSE(score.conformant);
    REQUIRE(score.checks.size() == checks.size());
    for (const auto& c : score.checks) {
      INFO(c.type << ": " << c.detail);
      CHECK_FALSE(c.passed);
      if (c.type == "contains-json")
        CHECK(c.detail == "no JSON value found");
      else if (c.type == "equals" && c.detail.starts_with("differs"))
        CHECK(c.detail == "differs from the reference answer");  // compared as text
      else
        CHECK(c.detail.find("not JSON: nested deeper than 512 levels") != std::string::npos);
    }
    CHECK(to_string(score.failure.kind) == "not_json");
  }
}

TEST_CASE("an answer at the depth limit is still JSON to every check", "[scorer][depth]") {
  const std::string output = deep_field(kMaxJsonDepth - 1);  // the object is a level too
  ScoreInput in;
  in.output = output;
  in.reference = R"({"term":"x"})";
  in.has_reference = true;
  const Score score = score_result(
      in,
      {check(R"({"type":"is-json"})"), check(R"({"type":"field-equals","path":"/term"})"),
       check(R"({"type":"field-matches","path":"/term","pattern":"x"})")},
      {});
  REQUIRE(score.checks.size() == 3);
  CHECK(score.checks[0].passed);
  CHECK(score.checks[1].detail.starts_with("/term: expected \"x\", got [[[["));
  CHECK(score.checks[2].detail.starts_with("/term: expected a string, got [[[["));
}

TEST_CASE("a reference nested too deep fails the checks that compare with it, saying why",
          "[scorer][depth]") {
  const std::string reference = deep_field(100000);
  ScoreInput in;
  in.output = R"({"term":"x"})";
  in.reference = reference;
  in.has_reference = true;
  const Score score = score_result(
      in,
      {check(R"({"type":"field-equals","path":"/term"})"), check(R"({"type":"field-accuracy"})")},
      {});
  REQUIRE(score.checks.size() == 2);
  for (const auto& c : score.checks) {
    INFO(c.type);
    CHECK_FALSE(c.passed);
    CHECK(c.detail == "the reference answer is nested deeper than 512 levels");
  }
}
