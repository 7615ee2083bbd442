// The run summary counts the answers costed from local counts, and every report says so.
#include <catch2/catch.hpp>

#include <sstream>

#include "analysis/run_summary.hpp"
#include "report/csv_report.hpp"
#include "report/html_report.hpp"
#include "report/terminal_summary.hpp"
#include "store/result_writer.hpp"
#include "store/store.hpp"
#include "test_paths.hpp"

using namespace tb;
using Catch::Detail::Approx;

namespace {

// A run of variants a (baseline) and b, four cases each; `estimated` answers of b were costed
// from local counts, and one answer of each is an error.
long long add_run(const std::filesystem::path& db, int estimated) {
  Store store(db);
  RunRecord run;
  run.suite_name = "s";
  run.suite_file = "s.yaml";
  run.suite_json = "{}";
  run.dataset_file = "d.jsonl";
  run.baseline = "a";
  run.started_at = "2026-11-29T00:00:00Z";
  run.status = "done";
  run.total_jobs = 8;
  run.cases = 4;
  run.tool_version = "test";
  run.price_catalog = "p";
  std::vector<VariantRecord> variants(2);
  for (int i = 0; i < 2; ++i) {
    variants[i].id = i == 0 ? "a" : "b";
    variants[i].position = i;
    variants[i].kind = "prompted";
    variants[i].model = "m";
    variants[i].params_json = "{}";
    variants[i].is_baseline = i == 0;
  }
  const long long id = store.create_run(run, variants);
  ResultWriter writer(db);
  for (int c = 0; c < 4; ++c) {
    writer.add_case({id, c, "c" + std::to_string(c), c + 1, "[]", "", "", "", ""});
    for (const char* v : {"a", "b"}) {
      ResultRecord r;
      r.run_id = id;
      r.variant_id = v;
      r.case_index = c;
      r.attempts = 1;
      r.created_at = "now";
      const bool error = c == 3;
      r.status = error ? "error" : "ok";
      r.error_class = error ? "server" : "none";
      r.conformant = !error;
      r.score = error ? 0 : 1;
      if (!error) {
        r.cost_usd = 0.001;
        r.usage_estimated = std::string(v) == "b" && c < estimated;
        if (!r.usage_estimated) r.prompt_tokens = r.completion_tokens = 10;
      }
      writer.add_result(r);
    }
  }
  REQUIRE(writer.flush());
  return id;
}

}  // namespace

TEST_CASE("the summary counts results costed from estimates; terminal, HTML and CSV say so",
          "[summary][usage]") {
  test::TempDir dir;
  const long long id = add_run(dir / "t.db", 2);
  Store store(dir / "t.db", false);
  const RunSummary summary = summarize_run(store, id);
  REQUIRE(summary.variants.size() == 2);
  CHECK(summary.variants[0].cost_estimated == 0);
  CHECK(summary.variants[1].cost_estimated == 2);
  CHECK(summary.variants[1].cost_total == Approx(0.003));  // estimates are costs too
  const std::string line =
      "costed from estimates (the server's usage was missing or not believable; local token "
      "counts instead, see results.usage_note): b 2 of 4 results";
  CHECK(estimated_cost_text(summary) == line);
  std::ostringstream terminal;
  write_terminal_summary(summary, terminal);
  CHECK(terminal.str().find(line + "\n") != std::string::npos);
  const std::string html = render_html_report(store, summary);
  CHECK(html.find("b 2 of 4 results") != std::string::npos);
  std::ostringstream csv;
  write_csv_report(store, id, csv);
  CHECK(csv.str().find(",cost_usd,usage_estimated,") != std::string::npos);

  // Nothing estimated: nothing said.
  const long long none = add_run(dir / "t.db", 0);
  const RunSummary plain = summarize_run(store, none);
  CHECK(plain.variants[1].cost_estimated == 0);
  CHECK(estimated_cost_text(plain).empty());
  std::ostringstream quiet;
  write_terminal_summary(plain, quiet);
  CHECK(quiet.str().find("costed from estimates") == std::string::npos);
}
