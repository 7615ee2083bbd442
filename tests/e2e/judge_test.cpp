// Model-graded checks end to end: the built-in mock grades judge requests by the reference
// answer, so a fine-tune that forgot a case fails its judge check, the judge's tokens and cost
// are stored apart from the variant's, and a re-run reads every judgement from the cache.
#include <catch2/catch.hpp>

#include "e2e/cli.hpp"
#include "e2e/sqlite_query.hpp"
#include "test_paths.hpp"

using namespace tb;
using test::tunebench;

namespace {

const char* kDataset =
    R"({"id": "c01", "messages": [{"role": "user", "content": "Capital of France?"}, {"role": "assistant", "content": "Paris"}]}
{"id": "c02", "messages": [{"role": "user", "content": "Capital of Italy?"}, {"role": "assistant", "content": "Rome"}]}
{"id": "c03", "messages": [{"role": "user", "content": "Capital of Spain?"}, {"role": "assistant", "content": "Madrid"}]}
{"id": "c04", "messages": [{"role": "user", "content": "Capital of Peru?"}, {"role": "assistant", "content": "Lima"}]}
)";

const char* kSuite = R"(name: judged
dataset: cases.jsonl
expect:
  format: text
  checks:
    - {type: judge, name: correct, endpoint: m, model: gpt-4.1-mini, passing_labels: [pass],
       rubric: "The answer names the same city as the reference."}
variants:
  - {id: base, endpoint: m, model: gpt-4o-mini}
  - {id: fine-tuned, endpoint: m, model: "ft:gpt-4o-mini-2024-07-18:acme::v1"}
endpoints:
  m: {kind: mock, mock: {seed: 3, profiles: {fine-tuned: {format_break: 0, field_error: 0, regressed_cases: [c02]},
                                             base: {format_break: 0, field_error: 0}}}}
)";

}  // namespace

TEST_CASE("a judge check grades answers through the judge endpoint, stored and cached apart",
          "[e2e][judge]") {
  test::TempDir dir;
  const std::string cwd = dir.path().string();
  test::write_text(dir / "cases.jsonl", kDataset);
  test::write_text(dir / "s.yaml", kSuite);
  const auto db = dir / "t.db";

  const auto first = tunebench("run s.yaml --db t.db --no-report", cwd);
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  CHECK(first.output.find("judge: 8 judgements") != std::string::npos);
  CHECK(test::count(db, "select count(*) from judge_calls") == 8);
  CHECK(test::count(db, "select count(*) from judge_calls where error is not null") == 0);
  // The forgotten case fails its judge check with the verdict as detail; the others pass.
  CHECK(test::query(db,
                    "select o.detail from check_outcomes o join results r on r.id = o.result_id"
                    " where r.variant_id = 'fine-tuned' and r.case_index = 1") ==
        "judge gpt-4.1-mini: fail, score 0.00; the answer differs from the reference");
  CHECK(test::count(db, "select count(*) from results where conformant = 0") == 1);
  CHECK(
      test::count(db,
                  "select count(*) from results where conformant = 0 and variant_id = 'fine-tuned'"
                  " and case_index = 1") == 1);
  // The judge's cost is its own (gpt-4.1-mini's prices on its own tokens), not the variants'.
  CHECK(test::count(
            db, "select count(*) from judge_calls where prompt_tokens > 0 and cost_usd > 0") == 8);
  const double judge_cost = std::stod(test::query(db, "select sum(cost_usd) from judge_calls"));
  const double variant_cost = std::stod(test::query(db, "select sum(cost_usd) from results"));
  CHECK(judge_cost > variant_cost);  // a judge request holds the rubric and both answers

  // A re-run reads answers and judgements from the cache: nothing is sent.
  const auto second = tunebench("run s.yaml --db t.db --no-report", cwd);
  INFO(second.output);
  REQUIRE(second.exit_code == 0);
  CHECK(second.output.find("requests sent: 0") != std::string::npos);
  CHECK(test::count(db,
                    "select count(*) from judge_calls j join results r on r.id = j.result_id"
                    " where r.run_id = 2 and j.cached = 1") == 8);
  CHECK(test::count(db, "select count(*) from results where run_id = 2 and conformant = 0") == 1);
}

TEST_CASE("a judge check names its problems before anything is sent", "[e2e][judge]") {
  test::TempDir dir;
  const std::string cwd = dir.path().string();
  test::write_text(dir / "cases.jsonl", kDataset);
  std::string suite = kSuite;
  const std::string judged_at = "endpoint: m, model: gpt-4.1-mini";
  suite.replace(suite.find(judged_at), judged_at.size(), "endpoint: judge, model: gpt-4.1-mini");
  test::write_text(dir / "s.yaml", suite);
  auto r = tunebench("run s.yaml --db t.db --no-report", cwd);
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("the judge's endpoint \"judge\" is not among the suite's endpoints") !=
        std::string::npos);

  // In a dataset line a judge check has no endpoint to go to: refused with its line.
  test::write_text(dir / "s.yaml", kSuite);
  test::write_text(
      dir / "cases.jsonl",
      std::string(kDataset) +
          R"({"id": "c05", "messages": [{"role": "user", "content": "Capital of Chile?"}, {"role": "assistant", "content": "Santiago"}], "checks": [{"type": "judge", "endpoint": "m", "model": "gpt-4.1-mini", "rubric": "x"}]})" +
          "\n");
  r = tunebench("run s.yaml --db t.db --no-report", cwd);
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("cases.jsonl:5") != std::string::npos);
  CHECK(r.output.find("belongs in the suite's expect.checks") != std::string::npos);
}
