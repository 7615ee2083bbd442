#include <catch2/catch.hpp>

#include "score/check.hpp"
#include "score/judge.hpp"
#include "score/scorer.hpp"

using namespace tb;

TEST_CASE("a judge's reply is read as a verdict, fenced or not, or refused saying why", "[judge]") {
  std::string error;
  auto v = parse_verdict(R"({"label": "Pass", "score": 0.9, "reasoning": "right term"})", error);
  REQUIRE(v);
  CHECK(v->label == "pass");
  CHECK(v->score == 0.9);
  CHECK(v->reasoning == "right term");

  v = parse_verdict("Here is my verdict:\n```json\n{\"label\": \"fail\"}\n```", error);
  REQUIRE(v);
  CHECK(v->label == "fail");
  CHECK(v->score == 0);  // a label alone: pass is 1, anything else 0

  CHECK_FALSE(parse_verdict("The answer looks fine to me.", error));
  CHECK(error.find("not a JSON verdict") != std::string::npos);
  CHECK(error.find("The answer looks fine") != std::string::npos);
  CHECK_FALSE(parse_verdict(R"({"reasoning": "ok"})", error));
  CHECK(error.find("neither a label nor a score") != std::string::npos);
  CHECK_FALSE(parse_verdict(R"({"score": 7})", error));
  CHECK(error.find("from 0 to 1") != std::string::npos);
}

TEST_CASE("a verdict passes by its label when passing labels are given, else by the threshold",
          "[judge]") {
  JudgeSpec spec;
  spec.model = "gpt-4.1-mini";
  spec.threshold = 0.7;
  CHECK(judge_outcome(spec, {"", 0.7, ""}).passed);
  CHECK_FALSE(judge_outcome(spec, {"", 0.69, ""}).passed);
  const auto o = judge_outcome(spec, {"acceptable", 0.8, "close enough"});
  CHECK(o.score == 0.8);
  CHECK(o.detail == "judge gpt-4.1-mini: acceptable, score 0.80; close enough");
  spec.passing_labels = {"Acceptable", "good"};
  CHECK(judge_outcome(spec, {"acceptable", 0.1, ""}).passed);
  CHECK_FALSE(judge_outcome(spec, {"poor", 1.0, ""}).passed);
}

TEST_CASE("the judge's request carries the rubric, the input, the reference and the answer",
          "[judge]") {
  JudgeSpec spec;
  spec.rubric = "A definition in one sentence.";
  const auto m =
      judge_messages(spec, "Define TCP.", std::string_view("A transport protocol."), "A protocol.");
  REQUIRE(m.size() == 2);
  const auto system = m[0]["content"].get<std::string>();
  CHECK(system.starts_with(kJudgePreamble));
  CHECK(system.find("RUBRIC:\nA definition in one sentence.") != std::string::npos);
  CHECK(m[1]["content"] ==
        "<input>\nDefine TCP.\n</input>\n<reference>\nA transport "
        "protocol.\n</reference>\n<answer>\nA protocol.\n</answer>");
  const auto without = judge_messages(spec, "Define TCP.", std::nullopt, "x");
  CHECK(without[1]["content"].get<std::string>().find("<reference>") == std::string::npos);
}

TEST_CASE("judge checks are declared like others, with clear errors, and wait for the runner",
          "[judge]") {
  std::string error;
  const CheckContext context{"suite.yaml"};
  auto check = make_check({{"type", "judge"},
                           {"endpoint", "m"},
                           {"model", "gpt-4.1-mini"},
                           {"rubric", "Correct."},
                           {"passing_labels", {"pass"}}},
                          context, error);
  REQUIRE(check);
  REQUIRE(check->judge() != nullptr);
  CHECK(check->judge()->passing_labels == std::vector<std::string>{"pass"});
  CHECK(check->judge()->threshold == 0.5);

  CHECK_FALSE(make_check({{"type", "judge"}, {"endpoint", "m"}, {"model", "x"}}, context, error));
  CHECK(error.find("rubric") != std::string::npos);
  // Without an endpoint the judge goes to the suite's only one (preflight checks there is one).
  error.clear();
  const auto defaulted = make_check({{"type", "judge"}, {"model", "x"}, {"rubric", "r"}}, context, error);
  REQUIRE(defaulted);
  CHECK(defaulted->judge()->endpoint.empty());
  CHECK_FALSE(make_check({{"type", "judge"}, {"model", "x"}, {"rubric", "r"}, {"threshold", 0.7}, {"passing_labels", {"pass"}}},
                         context, error));
  CHECK(error.find("threshold and passing_labels: give one") != std::string::npos);
  error.clear();
  CHECK_FALSE(make_check(
      {{"type", "judge"}, {"endpoint", "m"}, {"model", "x"}, {"rubric", "r"}, {"threshold", 2}},
      context, error));
  CHECK(error.find("threshold") != std::string::npos);
  error.clear();
  CHECK_FALSE(make_check({{"type", "judge"},
                          {"endpoint", "m"},
                          {"model", "x"},
                          {"rubric", "r"},
                          {"passing_labels", "pass"}},
                         context, error));
  CHECK(error.find("passing_labels") != std::string::npos);

  // Scored without a runner the check stands in as failed, and is listed for the runner.
  std::vector<std::shared_ptr<const Check>> checks = {check};
  Score score = score_result({"an answer", "", false, "stop", 10, 0, 3}, checks, {});
  REQUIRE(score.pending_judges.size() == 1);
  CHECK_FALSE(score.conformant);
  score.checks[0].passed = true;
  score.checks[0].score = 1;
  score.settle();
  CHECK(score.conformant);
  CHECK(score.score == 1);
}
