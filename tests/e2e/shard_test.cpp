// Shards and merge, as CI matrices and Kubernetes Indexed Jobs use them: four shards of a seeded
// mock suite run in parallel processes, merged, report exactly what the unsharded run reports.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "e2e/cli.hpp"
#include "e2e/process.hpp"
#include "e2e/sqlite_query.hpp"
#include "test_paths.hpp"

using namespace tb;
using test::tunebench;

namespace {

const std::string kSource = TUNEBENCH_SOURCE_DIR;

std::string dataset(int cases) {
  std::ifstream in(kSource + "/datasets/tech_terms_eval.jsonl");
  std::string text, line;
  for (int i = 0; i < cases && std::getline(in, line); ++i) text += line + "\n";
  return text;
}

// Three variants, two repeats, server errors injected: every figure a report has is exercised.
// The mock's answers depend on its seed and the request (and, for the same request repeated, on
// how often it was asked before): one request at a time makes the repeats of a job meet the
// mock in the same order in every process, so that sharded and unsharded runs get the same
// answers. Latency is measured time and is the one figure that cannot repeat.
std::string suite(const std::string& extra = "") {
  return "name: shard-test\n"
         "dataset: d.jsonl\n"
         "expect:\n"
         "  format: json\n"
         "  schema: " +
         kSource +
         "/datasets/schemas/term.schema.json\n"
         "  checks: [{type: field-equals, path: /term}, {type: field-accuracy, threshold: 0.75, "
         "required: false}]\n"
         "baseline: prompted\n"
         "variants:\n"
         "  - {id: prompted, endpoint: m, model: gpt-4o-mini, system: " +
         kSource +
         "/suites/prompts/tech_terms_full.txt}\n"
         "  - {id: fine-tuned, endpoint: m, model: \"ft:gpt-4o-mini-2024-07-18:acme::1\", "
         "system: " +
         kSource +
         "/suites/prompts/tech_terms_short.txt, training: {tokens: 8000, epochs: 3}}\n"
         "  - {id: base-short, endpoint: m, model: gpt-4o-mini, system: " +
         kSource +
         "/suites/prompts/tech_terms_short.txt}\n"
         "endpoints:\n"
         "  m: {kind: mock, mock: {seed: 11, faults: {server_error: 0.05},\n"
         "      latency: {distribution: fixed, median_ms: 0, per_prompt_token_ms: 0, "
         "per_output_token_ms: 0}}}\n"
         "run: {concurrency: 1, repeats: 2, max_attempts: 1}\n"
         "gate:\n"
         "  min_conformance: {fine-tuned: 0.5}\n"
         "  max_cost_per_1k: 1.0\n" +
         extra;
}

nlohmann::json summary_json(const test::TempDir& dir, const std::string& db) {
  const auto r =
      tunebench("report latest --db " + db + " --format json --out -", dir.path().string());
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.output);
  return j;
}

// What two executions of the same suite cannot share: the run's id, its times, where its results
// came from, and measured time (latency, time to first token, tokens per second), wherever they
// appear in the report.
void without_execution(nlohmann::json& j) {
  static const std::set<std::string> kMeasured = {"started_at", "finished_at",
                                                  "created_at", "merged_from",
                                                  "shard",      "partial",
                                                  "latency",    "latency_ms",
                                                  "ttft_ms",    "itl_ms",
                                                  "itl_ms_p50", "output_tps",
                                                  "streaming",  "output_tokens_per_s_p50"};
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end();) {
      if (kMeasured.contains(it.key()))
        it = j.erase(it);
      else
        without_execution(*it++);
    }
  } else if (j.is_array()) {
    for (auto& e : j) without_execution(e);
  }
}

double total(const std::filesystem::path& db, const std::string& sql) {
  const auto v = test::query(db, sql);
  return v.empty() ? 0 : std::stod(v);
}

int occurrences(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("four shards run in parallel and merged report exactly what the unsharded run reports",
          "[e2e][shard]") {
  test::TempDir dir;
  test::write_text(dir / "d.jsonl", dataset(60));
  test::write_text(dir / "s.yaml", suite());
  const auto whole =
      tunebench("run s.yaml --db u.db --no-report --quiet --junit u.xml", dir.path().string());
  INFO(whole.output);
  REQUIRE(whole.exit_code == 0);
  CHECK(whole.output.find("gates passed") != std::string::npos);

  // The three ways a shard is named: the flag, $TUNEBENCH_SHARD (CI matrices, Slurm) and
  // --shards N with $JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs).
  {
    const std::string cwd = dir.path().string();
    const std::vector<std::string> common{"run", "s.yaml", "--no-report"};
    auto args = [&](std::vector<std::string> more) {
      auto all = common;
      all.insert(all.end(), more.begin(), more.end());
      return all;
    };
    test::TunebenchProcess s0(args({"--db", "s0.db", "--shard", "0/4"}), dir / "s0.log", cwd);
    test::TunebenchProcess s1(args({"--db", "s1.db"}), dir / "s1.log", cwd,
                              {"TUNEBENCH_SHARD=1/4"});
    test::TunebenchProcess s2(args({"--db", "s2.db", "--shards", "4"}), dir / "s2.log", cwd,
                              {"JOB_COMPLETION_INDEX=2"});
    test::TunebenchProcess s3(args({"--db", "s3.db", "--shard", "3/4"}), dir / "s3.log", cwd);
    for (auto* p : {&s0, &s1, &s2, &s3}) CHECK(p->wait(120) == 0);
  }
  long long shard_results = 0;
  for (int i = 0; i < 4; ++i) {
    const auto log = test::read_text(dir / ("s" + std::to_string(i) + ".log"));
    INFO(log);
    CHECK(log.find("shard " + std::to_string(i) + "/4 (") != std::string::npos);
    CHECK(log.find("gates: judged on the merged run") != std::string::npos);
    const auto db = dir / ("s" + std::to_string(i) + ".db");
    CHECK(test::query(db, "select shard_index || '/' || shard_count from runs") ==
          std::to_string(i) + "/4");
    CHECK(test::query(db, "select suite_fingerprint from runs") ==
          test::query(dir / "u.db", "select suite_fingerprint from runs"));
    shard_results += test::count(db, "select count(*) from results");
  }
  CHECK(shard_results == 360);

  const auto merged = tunebench("merge m.db s3.db s1.db s0.db s2.db --no-report --junit m.xml",
                                dir.path().string());
  INFO(merged.output);
  REQUIRE(merged.exit_code == 0);
  CHECK(merged.output.find("merged 4 of 4 shards into run 1 of m.db: 60 cases, 360 results") !=
        std::string::npos);
  CHECK(merged.output.find("run 1 \u2014 shard-test, merged from 4 of 4 shards (done)") !=
        std::string::npos);
  CHECK(merged.output.find("gates passed") != std::string::npos);

  // Every figure of the summary (conformance and its intervals, pass@k, tokens, savings, McNemar,
  // cost, break-even, errors, the failure taxonomy, failed checks, the fingerprints) is equal.
  auto u = summary_json(dir, "u.db");
  auto m = summary_json(dir, "m.db");
  CHECK(u["run"]["id"] == 1);
  u["run"].erase("id");
  m["run"].erase("id");
  without_execution(u);
  without_execution(m);
  CHECK(u.dump(2) == m.dump(2));
  CHECK(u.dump().find("fingerprint") != std::string::npos);  // compared too
  CHECK(u["variants"][2]["errors"].get<long long>() > 0);    // the faults reached the reports
  CHECK(test::query(dir / "m.db", "select dataset_fingerprint from runs") ==
        test::query(dir / "u.db", "select dataset_fingerprint from runs"));
  CHECK(test::query(dir / "m.db",
                    "select gate_status || ' ' || json_array_length(merged_from) from runs") ==
        "pass 4");
  // Latency, measured, is each shard's as it ran.
  double shard_latency = 0;
  for (int i = 0; i < 4; ++i)
    shard_latency +=
        total(dir / ("s" + std::to_string(i) + ".db"), "select total(latency_ms) from results");
  CHECK(total(dir / "m.db", "select total(latency_ms) from results") ==
        Approx(shard_latency).epsilon(1e-9));

  // The comparison finds nothing that changed, and the JUnit files fail the same cases.
  const auto compared = tunebench("compare u.db:1 1 --db m.db --format json", dir.path().string());
  REQUIRE(compared.exit_code == 0);
  const auto comparison = nlohmann::json::parse(compared.output);
  for (const auto& v : comparison["variants"]) {
    CHECK(v["paired_cases"] == 60);
    CHECK(v["regressed"].empty());
    CHECK(v["fixed"].empty());
    CHECK(v["conformance"]["diff"] == 0.0);
  }
  const auto u_junit = test::read_text(dir / "u.xml");
  const auto m_junit = test::read_text(dir / "m.xml");
  CHECK(occurrences(m_junit, "<testcase") == occurrences(u_junit, "<testcase"));
  CHECK(occurrences(m_junit, "<failure") == occurrences(u_junit, "<failure"));

  // The shards' cache entries came along: the suite run again on the merged store sends only
  // what failed (errors are never cached).
  const long long errors =
      test::count(dir / "u.db", "select count(*) from results where status <> 'ok'");
  CHECK(test::count(dir / "m.db", "select count(*) from response_cache") == 360 - errors);
  const auto again = tunebench("run s.yaml --db m.db --no-report --quiet", dir.path().string());
  CHECK(again.output.find("requests sent: " + std::to_string(errors) +
                          " (retries included); answered from the cache: " +
                          std::to_string(360 - errors)) != std::string::npos);
  // A merged run is completed by its shards, not resumed.
  const auto resume = tunebench("run s.yaml --db m.db --resume 1 --quiet", dir.path().string());
  CHECK(resume.exit_code == 2);
  CHECK(resume.output.find("run 1 was merged from shards: resume the unfinished shard") !=
        std::string::npos);
}

TEST_CASE(
    "merge refuses shards that do not belong together and merges missing ones only as partial",
    "[e2e][shard]") {
  test::TempDir dir;
  const std::string cwd = dir.path().string();
  test::write_text(dir / "d.jsonl", dataset(12));
  test::write_text(dir / "s.yaml", suite());
  for (int i = 0; i < 2; ++i)
    REQUIRE(tunebench("run s.yaml --no-report --quiet --shard " + std::to_string(i) + "/3 --db s" +
                          std::to_string(i) + ".db",
                      cwd)
                .exit_code == 0);
  REQUIRE(tunebench("run s.yaml --no-report --quiet --db whole.db", cwd).exit_code == 0);

  auto r = tunebench("merge m.db s0.db s1.db --no-report", cwd);
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("error: shard 2/3 of 3 is missing; or merge anyway with --allow-partial") !=
        std::string::npos);
  CHECK(r.output.find("nothing was merged") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "m.db"));

  r = tunebench("merge m.db s0.db s1.db s1.db:1 --no-report", cwd);
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("are both shard 1/3; give each shard once") != std::string::npos);

  r = tunebench("merge m.db s0.db whole.db --no-report", cwd);
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("whole.db (run 1) is not a shard's run (it ran without --shard)") !=
        std::string::npos);

  r = tunebench("merge m.db s0.db nowhere.db --no-report", cwd);
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("nowhere.db: no such database") != std::string::npos);
  test::write_text(dir / "junk.db", "not a database at all");
  r = tunebench("merge m.db s0.db junk.db --no-report", cwd);
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("error: junk.db: ") != std::string::npos);

  // The third shard of another version of the suite (another prompt).
  std::string other = suite();
  other.replace(other.find("tech_terms_short.txt, training"), 20, "tech_terms_full.txt");
  test::write_text(dir / "other.yaml", other);
  REQUIRE(
      tunebench("run other.yaml --no-report --quiet --shard 2/3 --db s2-other.db", cwd).exit_code ==
      0);
  r = tunebench("merge m.db s0.db s1.db s2-other.db --no-report", cwd);
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("s2-other.db (run 1) is a shard of another suite than") != std::string::npos);

  r = tunebench("merge m.db s0.db s1.db --allow-partial --no-report", cwd);
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("warning: shard 2/3 of 3 is missing") != std::string::npos);
  CHECK(r.output.find("merged 2 of 3 shards into run 1 of m.db") != std::string::npos);
  CHECK(r.output.find("(PARTIAL)") != std::string::npos);
  CHECK(r.output.find("merged from 2 of 3 shards: PARTIAL") != std::string::npos);
  CHECK(r.output.find("gates: not judged on a partial merge") != std::string::npos);
  CHECK(test::query(dir / "m.db", "select partial from runs where id = 1") == "1");

  // The missing shard arrives: a complete merge lands beside the partial one.
  REQUIRE(tunebench("run s.yaml --no-report --quiet --shard 2/3 --db s2.db", cwd).exit_code == 0);
  r = tunebench("merge m.db s0.db s1.db s2.db --no-report", cwd);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("merged 3 of 3 shards into run 2 of m.db: 12 cases, 72 results") !=
        std::string::npos);
  CHECK(test::query(dir / "m.db", "select partial || status from runs where id = 2") == "0done");
  CHECK(test::query(dir / "m.db", "select dataset_fingerprint from runs where id = 2") ==
        test::query(dir / "whole.db", "select dataset_fingerprint from runs"));
  const auto runs = tunebench("runs --db m.db", cwd).output;
  CHECK(runs.find("merged from 3 of 3 shards\n") != std::string::npos);
  CHECK(runs.find("merged from 2 of 3 shards: PARTIAL\n") != std::string::npos);
  CHECK(tunebench("runs --db s1.db", cwd).output.find(", shard 1/3\n") != std::string::npos);

  // The same shard runs, unchanged, merged again (a recipe re-run whose shards resumed finished
  // runs and sent nothing): refused, naming the run they are already in; nothing written.
  r = tunebench("merge m.db s0.db s1.db s2.db --no-report", cwd);
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("error: these shard runs were merged into run 2 of m.db already") !=
        std::string::npos);
  CHECK(r.output.find("nothing was merged") != std::string::npos);
  CHECK(test::query(dir / "m.db", "select count(*) from runs") == "2");
}

TEST_CASE("merging a rag suite's shards: their retrieval indexes are passed over and the corpus "
          "cost is what every shard spent",
          "[e2e][shard][rag]") {
  test::TempDir dir;
  const std::string d = dir.path().string();
  for (int i = 0; i < 2; ++i)
    REQUIRE(tunebench("run suites/demo.yaml --no-report --quiet --shard " + std::to_string(i) +
                          "/2 --db " + d + "/shard-" + std::to_string(i) + ".db",
                      kSource)
                .exit_code == 0);
  REQUIRE(std::filesystem::exists(dir / "shard-0.retrieval.db"));
  // What `shard-*.db` expands to: both stores and both indexes.
  const auto r = tunebench("merge m.db shard-0.db shard-0.retrieval.db shard-1.db "
                           "shard-1.retrieval.db --no-report",
                           d);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("note: shard-0.retrieval.db is a retrieval index (beside a shard's store), "
                      "not a run: skipped") != std::string::npos);
  CHECK(r.output.find("merged 2 of 2 shards into run 1 of m.db: 60 cases, 480 results") !=
        std::string::npos);
  // Each shard embedded the corpus itself: the merged run's corpus cost is the two summed.
  const double shard0 = std::stod(test::query(dir / "shard-0.db", "select index_cost_usd from variants where id = 'rag'"));
  const double shard1 = std::stod(test::query(dir / "shard-1.db", "select index_cost_usd from variants where id = 'rag'"));
  const double merged = std::stod(test::query(dir / "m.db", "select index_cost_usd from variants where id = 'rag'"));
  CHECK(shard0 > 0);
  CHECK(merged == Approx(shard0 + shard1));
  CHECK(r.output.find("the corpus once per shard, in all ") != std::string::npos);
}

TEST_CASE("run refuses a malformed shard and resumes a shard only as that shard", "[e2e][shard]") {
  test::TempDir dir;
  const std::string cwd = dir.path().string();
  test::write_text(dir / "d.jsonl", dataset(6));
  test::write_text(dir / "s.yaml", suite());
  auto r = tunebench("run s.yaml --no-report --shard 3/3", cwd);
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("error: --shard: expected I/N with 0 <= I < N (shards count from 0") !=
        std::string::npos);
  r = tunebench("run s.yaml --no-report --shards 3", cwd);
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("$JOB_COMPLETION_INDEX (set in the pods of a Kubernetes Indexed Job), which "
                      "is not set") != std::string::npos);
  r = tunebench("run s.yaml --no-report", cwd, "TUNEBENCH_SHARD=1of3");
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("error: $TUNEBENCH_SHARD: expected I/N") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "tunebench.db"));

  REQUIRE(tunebench("run s.yaml --no-report --quiet --shard 1/3 --db s1.db", cwd).exit_code == 0);
  r = tunebench("run s.yaml --no-report --quiet --shard 0/3 --db s1.db --resume 1", cwd);
  CHECK(r.exit_code == 2);
  CHECK(r.output.find(
            "run 1 ran shard 1/3; this command asks for shard 0/3: resume it with --shard 1/3") !=
        std::string::npos);
  r = tunebench("run s.yaml --no-report --quiet --shard 1/3 --db s1.db --resume 1", cwd);
  CHECK(r.exit_code == 0);
}

TEST_CASE("a shard keeps to its share of the endpoint's rate limit unless --shard-limits full",
          "[e2e][shard]") {
  test::TempDir dir;
  const std::string cwd = dir.path().string();
  test::write_text(dir / "d.jsonl", dataset(60));
  // 4,800 requests a minute for the suite: 1,200 (20 a second) for each of 4 shards.
  test::write_text(
      dir / "s.yaml",
      "name: limits\ndataset: d.jsonl\nvariants: [{id: a, endpoint: m, model: gpt-4o-mini}]\n"
      "endpoints:\n  m: {kind: mock, rpm: 4800, mock: {latency: {distribution: fixed, median_ms: 0,"
      " per_prompt_token_ms: 0, per_output_token_ms: 0}}}\n"
      "run: {concurrency: 8}\n");
  const auto start = std::chrono::steady_clock::now();
  auto r = tunebench("run s.yaml --no-report --shard 0/4 --db divided.db", cwd);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("endpoint m: this shard keeps to 1/4 of its limits (--shard-limits full: all "
                      "of them), rpm 1200") != std::string::npos);
  // Paced at 20 a second, n requests take at least (n - 1) / 20 s.
  const long long requests = test::count(dir / "divided.db", "select count(*) from results");
  REQUIRE(requests > 8);
  CHECK(seconds >= (static_cast<double>(requests) - 1) / 20 * 0.95);

  r = tunebench("run s.yaml --no-report --shard 0/4 --shard-limits full --db full.db", cwd);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find(
            "endpoint m: this shard uses all of its limits (--shard-limits full), rpm 4800") !=
        std::string::npos);
}
