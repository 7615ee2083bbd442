// compare_runs and the gates on runs built by hand in a store: pairing by case id (not by
// position), the regressed / fixed lists, the paired test and the gate lines.
#include <catch2/catch.hpp>

#include "analysis/gates.hpp"
#include "analysis/run_compare.hpp"
#include "analysis/run_reference.hpp"
#include "analysis/run_summary.hpp"
#include "store/result_writer.hpp"
#include "store/store.hpp"
#include "test_paths.hpp"

using namespace tb;
using Catch::Detail::Approx;

namespace {

struct Case {
  std::string id;
  bool conformant;
  double latency_ms = 100;
};

// A run of one variant "ft" whose cases come in the given order with the given outcomes.
long long add_run(const std::filesystem::path& db, const std::vector<Case>& cases, const std::string& name = "s") {
  Store store(db);
  RunRecord run;
  run.suite_name = name;
  run.suite_file = "s.yaml";
  run.suite_json = "{}";
  run.dataset_file = "d.jsonl";
  run.baseline = "ft";
  run.started_at = "2026-11-29T00:00:00Z";
  run.status = "done";
  run.total_jobs = static_cast<long long>(cases.size());
  run.cases = static_cast<long long>(cases.size());
  run.tool_version = "test";
  run.price_catalog = "p";
  VariantRecord v;
  v.id = "ft";
  v.kind = "fine-tuned";
  v.model = "m";
  v.params_json = "{}";
  v.is_baseline = true;
  const long long id = store.create_run(run, {v});
  ResultWriter writer(db);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    writer.add_case({id, static_cast<long long>(i), cases[i].id, static_cast<int>(i + 1), "[]", "", "", "", ""});
    ResultRecord r;
    r.run_id = id;
    r.variant_id = "ft";
    r.case_index = static_cast<long long>(i);
    r.status = "ok";
    r.error_class = "none";
    r.conformant = cases[i].conformant;
    r.score = cases[i].conformant ? 1 : 0;
    r.output = cases[i].conformant ? "{\"ok\":true}" : "not json";
    r.prompt_tokens = 20;
    r.latency_ms = cases[i].latency_ms;
    r.cost_usd = 0.001;
    r.attempts = 1;
    r.created_at = "now";
    r.checks.push_back({"is-json", "is-json", cases[i].conformant, true, 1, cases[i].conformant ? 1.0 : 0.0,
                        cases[i].conformant ? "" : "not JSON"});
    writer.add_result(r);
  }
  REQUIRE(writer.flush());
  return id;
}

std::vector<Case> twelve(bool all_pass) {
  std::vector<Case> out;
  for (int i = 0; i < 12; ++i) out.push_back({"c" + std::to_string(i), all_pass || i % 4 != 0});
  return out;
}

}  // namespace

TEST_CASE("compare pairs cases by id, lists regressions and fixes, and tests on cases", "[compare]") {
  test::TempDir dir;
  const auto db = dir / "t.db";
  // A: c0, c4, c8 fail. B: a new case first (shifting every position), c4 fixed, c1 c2 c3 c5
  // regressed, c11 missing.
  auto a_cases = twelve(false);
  std::vector<Case> b_cases = {{"new", true}};
  for (int i = 0; i < 11; ++i) {
    const bool fails = i == 0 || i == 8 || i == 1 || i == 2 || i == 3 || i == 5;
    b_cases.push_back({"c" + std::to_string(i), !fails, 150});
  }
  const long long a = add_run(db, a_cases), b = add_run(db, b_cases);
  Store store(db, false);
  const RunComparison cmp = compare_runs({&store, a, "A"}, {&store, b, "B"}, {{"ft", "ft"}});
  REQUIRE(cmp.variants.size() == 1);
  const auto& v = cmp.variants[0];
  CHECK(v.paired_cases == 11);
  CHECK(v.only_in_a == 1);  // c11
  CHECK(v.only_in_b == 1);  // new
  std::vector<std::string> regressed, fixed;
  for (const auto& c : v.regressed) regressed.push_back(c.case_id);
  for (const auto& c : v.fixed) fixed.push_back(c.case_id);
  CHECK(regressed == std::vector<std::string>{"c1", "c2", "c3", "c5"});
  CHECK(fixed == std::vector<std::string>{"c4"});
  CHECK(v.still_failing == 2);  // c0, c8
  // Exact McNemar on the 11 paired cases: 4 regressed vs 1 fixed, p = 2 * P(X <= 1 | n=5) = 0.375.
  CHECK(v.conformance.p_value == Approx(0.375));
  CHECK(v.conformance.difference == Approx(-3.0 / 11));
  CHECK(v.latency_p50.diff == Approx(50));
  CHECK(v.cost_per_1k.diff == Approx(0).margin(1e-12));
  CHECK(v.prompt_tokens.a == Approx(20));
}

TEST_CASE("gates: no_regression fails on regressed cases and names them by count; thresholds judge the run",
          "[compare][gate]") {
  test::TempDir dir;
  const auto db = dir / "t.db";
  const long long good = add_run(db, twelve(true));
  {
    Store store(db, false);
    store.save_gates(good, {GateRecord{"min_conformance", "ft", true, 1.0, 0.9, {}, {}, "", "PASS"}});
  }
  auto b_cases = twelve(true);
  b_cases[3].conformant = false;
  const long long bad = add_run(db, b_cases);
  Store store(db, false);
  CHECK(store.latest_passing_run("s", bad) == good);
  CHECK_FALSE(store.latest_passing_run("other-suite", bad).has_value());

  Gates gates;
  gates.min_conformance["ft"] = 0.9;
  gates.no_regression.push_back(RegressionGate{});  // against latest-passing, max 0 regressed
  gates.max_p95_latency_ms["*"] = 50;
  const RunSummary summary = summarize_run(store, bad);
  RunResolver resolver(store);
  const GateEvaluation e = evaluate_gates(gates, summary, {&store, bad, std::to_string(bad)}, resolver);
  REQUIRE(e.gates.size() == 3);
  CHECK(e.gates[0].passed);  // 11 of 12 = 91.7% >= 90%
  CHECK(e.gates[0].detail.starts_with("PASS min_conformance ft: 91.7% >= 90.0%"));
  CHECK_FALSE(e.gates[1].passed);
  CHECK(e.gates[1].figure == 1);
  CHECK(e.gates[1].detail.starts_with("FAIL no_regression ft: 1 case regressed against run 1 (latest-passing) ft (max 0)"));
  CHECK_FALSE(e.gates[2].passed);  // p95 100 ms > 50 ms
  CHECK_FALSE(e.passed());

  // With a tolerance of one regressed case and no significant drop, it passes.
  gates.no_regression[0].max_regressed_cases = 1;
  gates.max_p95_latency_ms.clear();
  CHECK(evaluate_gates(gates, summary, {&store, bad, "2"}, resolver).passed());
  // Against itself as the first run: nothing to compare with, and it says so.
  Gates first;
  first.no_regression.push_back(RegressionGate{});
  const auto e0 = evaluate_gates(first, summarize_run(store, good), {&store, good, "1"}, resolver);
  REQUIRE(e0.gates.size() == 1);
  CHECK(e0.gates[0].passed);
  CHECK(e0.gates[0].detail.find("nothing to compare with") != std::string::npos);
}
