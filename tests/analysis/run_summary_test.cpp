// summarize_run on a run built by hand in a store, against values worked out by hand: the
// numbers every report prints (terminal, HTML, CSV) come from here.
#include <catch2/catch.hpp>

#include <regex>
#include <sstream>

#include "analysis/run_summary.hpp"
#include "report/html_report.hpp"
#include "report/terminal_summary.hpp"
#include "store/result_writer.hpp"
#include "store/store.hpp"
#include "test_paths.hpp"

using namespace tb;
using Catch::Detail::Approx;

namespace {

struct Outcome {
  bool ok = true;
  bool conformant = true;
  long long prompt_tokens = 0;
  double latency_ms = 0;
  double cost_usd = 0;
  std::string failure_kind = "none";
  std::string failure_path;
  std::string error_class = "none";
  int attempts = 1;
};

ResultRecord result(long long run_id, const std::string& variant, long long case_index,
                    const Outcome& o) {
  ResultRecord r;
  r.run_id = run_id;
  r.variant_id = variant;
  r.case_index = case_index;
  r.status = o.ok ? "ok" : "error";
  r.error_class = o.error_class;
  r.attempts = o.attempts;
  r.created_at = "now";
  r.conformant = o.conformant;
  r.score = o.conformant ? 1 : 0;
  r.failure_kind = o.failure_kind;
  r.failure_path = o.failure_path;
  r.cost_usd = o.cost_usd;
  if (o.ok) {
    r.prompt_tokens = o.prompt_tokens;
    r.completion_tokens = 10;
    r.latency_ms = o.latency_ms;
    r.output = o.conformant ? "{}" : "not json";
    r.checks.push_back({"is-json", "is-json", o.conformant, true, 1, o.conformant ? 1.0 : 0.0,
                        o.conformant ? "" : "not JSON"});
    // A second check of the same name (as two field-equals checks are): a result counts once.
    if (!o.conformant) r.checks.push_back({"is-json", "is-json", false, false, 1, 0.0, "again"});
  } else {
    r.error_message = "HTTP " + std::string(o.error_class == "server" ? "500" : "429");
  }
  return r;
}

// Ten cases, one repeat, two variants:
//   base (the baseline): cases 0-5 conformant, 6 and 7 answered but not conformant (not_json,
//     fenced), 8 a rate_limit error after 3 attempts, 9 a server error after 2; 100 prompt
//     tokens, latencies 100, 110, ... 170 ms, $0.002 an answer, errors free.
//   ft: cases 0-8 conformant, 9 answered with a wrong_type at /related; 20 prompt tokens,
//     50 ms, $0.001 an answer.
long long build_run(const std::filesystem::path& db) {
  Store store(db);
  RunRecord run;
  run.suite_name = "summary";
  run.suite_file = "s.yaml";
  run.suite_json = "{}";
  run.dataset_file = "d.jsonl";
  run.baseline = "base";
  run.started_at = "2026-11-29T00:00:00Z";
  run.status = "running";
  run.total_jobs = 20;
  run.cases = 10;
  run.repeats = 1;
  run.monthly_requests = 100000;
  run.tool_version = "test";
  run.price_catalog = "p";
  VariantRecord base, ft;
  base.id = "base";
  base.kind = "prompted";
  base.model = "gpt-4o-mini";
  base.params_json = "{}";
  base.is_baseline = true;
  ft = base;
  ft.id = "ft";
  ft.kind = "fine-tuned";
  ft.position = 1;
  ft.is_baseline = false;
  const long long id = store.create_run(run, {base, ft});
  {
    ResultWriter writer(db);
    for (int i = 0; i < 10; ++i) {
      writer.add_case({id, i, "c" + std::to_string(i), i + 1, "[]", "", "", "", ""});
      Outcome b;
      b.prompt_tokens = 100;
      b.latency_ms = 100.0 + 10 * i;
      b.cost_usd = 0.002;
      if (i == 6 || i == 7) {
        b.conformant = false;
        b.failure_kind = i == 6 ? "not_json" : "fenced";
      }
      if (i >= 8) {
        b = Outcome{};
        b.ok = false;
        b.conformant = false;
        b.error_class = i == 8 ? "rate_limit" : "server";
        b.attempts = i == 8 ? 3 : 2;
      }
      writer.add_result(result(id, "base", i, b));
      Outcome f;
      f.prompt_tokens = 20;
      f.latency_ms = 50;
      f.cost_usd = 0.001;
      if (i == 9) {
        f.conformant = false;
        f.failure_kind = "wrong_type";
        f.failure_path = "/related";
      }
      writer.add_result(result(id, "ft", i, f));
    }
    REQUIRE(writer.flush());
  }
  store.set_run_status(id, "done", true);
  return id;
}

}  // namespace

TEST_CASE("summarize_run on a hand-built run gives the values worked out by hand",
          "[analysis][summary]") {
  test::TempDir dir;
  Store store(dir / "t.db");
  const RunSummary summary = summarize_run(store, build_run(dir / "t.db"));
  REQUIRE(summary.variants.size() == 2);
  CHECK(summary.baseline == "base");
  const VariantSummary& base = *summary.find("base");
  const VariantSummary& ft = *summary.find("ft");

  CHECK(base.results == 10);
  CHECK(base.ok == 8);
  CHECK(base.errors == 2);
  CHECK(base.conformant == 6);
  CHECK(base.conformance == Approx(0.6));
  // Wilson's interval (z = 1.96) for 6 of 10 cases (the conformant count, not the 8 answered):
  // 0.3127 to 0.8318 (from 8 of 10 it would be 0.4902 to 0.9433).
  CHECK(base.conformance_ci.low == Approx(0.312670).margin(1e-6));
  CHECK(base.conformance_ci.high == Approx(0.831822).margin(1e-6));
  CHECK(base.cases == 10);
  CHECK(base.conformance_effective_n == Approx(10));
  CHECK(base.mean_score == Approx(0.75));  // 6 of the 8 answers
  CHECK(base.prompt_tokens_mean == Approx(100));
  CHECK(base.completion_tokens_mean == Approx(10));
  // numpy's percentiles of 100, 110, ... 170 (the errors have no latency).
  CHECK(base.latency_p50 == Approx(135));
  CHECK(base.latency_p95 == Approx(166.5));
  CHECK(base.latency_mean == Approx(135));
  CHECK(base.cost_total == Approx(0.016));
  CHECK(base.cost_per_request == Approx(0.0016));  // errors count as requests
  CHECK(base.cost_per_1k == Approx(1.6));
  CHECK(base.cost_monthly == Approx(160));
  CHECK(base.retried == 2);
  CHECK(base.error_classes == std::map<std::string, long long>{{"rate_limit", 1}, {"server", 1}});
  CHECK(base.failure_kinds == std::map<std::string, long long>{{"fenced", 1}, {"not_json", 1}});
  CHECK(base.failed_checks == std::map<std::string, long long>{{"is-json", 2}});  // results, not checks

  CHECK(ft.results == 10);
  CHECK(ft.ok == 10);
  CHECK(ft.conformant == 9);
  CHECK(ft.conformance == Approx(0.9));
  CHECK(ft.conformance_ci.low == Approx(0.595844).margin(1e-6));
  CHECK(ft.conformance_ci.high == Approx(0.982124).margin(1e-6));
  // Paired with the baseline where both answered: cases 0-7, 80 tokens saved in each.
  CHECK(ft.paired == 8);
  CHECK(ft.savings_tokens_mean == Approx(80));
  CHECK(ft.savings_tokens_median == Approx(80));
  CHECK(ft.savings_pct == Approx(80));
  // Cases 6, 7, 8 pass only with ft; none only with the baseline; McNemar's exact p = 2 / 2^3.
  CHECK(ft.only_variant_passed == 3);
  CHECK(ft.only_baseline_passed == 0);
  CHECK(ft.conformance_p_value == Approx(0.25));
  CHECK(ft.conformance_difference == Approx(0.3));
  CHECK(ft.cost_per_1k == Approx(1.0));
  CHECK(ft.latency_p50 == Approx(50));
  CHECK(ft.failure_paths == std::map<std::string, long long>{{"wrong_type /related", 1}});
  CHECK(ft.error_classes.empty());
}

TEST_CASE("the terminal summary and the HTML report print the summary's numbers",
          "[analysis][summary][report]") {
  test::TempDir dir;
  Store store(dir / "t.db");
  const RunSummary summary = summarize_run(store, build_run(dir / "t.db"));
  std::ostringstream terminal;
  write_terminal_summary(summary, terminal);
  const std::string text = terminal.str();
  INFO(text);
  CHECK(std::regex_search(text,
                          std::regex(R"(base\*\s+60\.0%\s+100\s+-\s+\$1\.60\s+135\s+166\s+2\n)")));
  CHECK(std::regex_search(text,
                          std::regex(R"(ft\s+90\.0%\s+20\s+80\.0%\s+\$1\.00\s+50\s+50\s+0\n)")));
  CHECK(text.find("- ft vs base: conformance 90.0% vs 60.0% (not a significant difference, McNemar "
                  "p=0.250); prompts 80.0% shorter (80 tokens per request); $1.00 vs $1.60 per 1k "
                  "requests") != std::string::npos);
  const std::string html = render_html_report(store, summary);
  CHECK(html.find("60.0%") != std::string::npos);
  CHECK(html.find("31.3%") != std::string::npos);  // the interval's ends, as the report rounds
  CHECK(html.find("83.2%") != std::string::npos);
  CHECK(html.find("49.0%") == std::string::npos);  // not the interval of the answered count
}
