#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "store/case_grid.hpp"
#include "store/case_grid_fixture.hpp"
#include "test_paths.hpp"

using namespace tb;

namespace {

struct Read {
  std::vector<CaseGridRow> rows;
  CaseGridCounts counts;
};

Read read(Store& store, long long run, long long max_cases) {
  Read out;
  out.counts = store.for_each_case_row(run, max_cases,
                                       [&](const CaseGridRow& row) { out.rows.push_back(row); });
  return out;
}

std::vector<long long> indexes(const Read& r) {
  std::vector<long long> out;
  for (const auto& row : r.rows) out.push_back(row.case_index);
  return out;
}

}  // namespace

TEST_CASE("the case grid reads one row per case, variants in their order, repeats folded",
          "[store][grid]") {
  test::TempDir dir;
  const long long run = test::store_grid_run(dir / "t.db");
  Store store(dir / "t.db");
  const Read all = read(store, run, 100);
  CHECK(indexes(all) == std::vector<long long>{0, 1, 2, 3, 4});
  CHECK(all.counts.cases == 5);
  CHECK(all.counts.failing == 3);
  CHECK(all.counts.disagreeing == 2);
  CHECK(all.counts.shown == 5);

  // Cells follow the variants' positions (z, then a), not their ids.
  const auto& row1 = all.rows[1];
  CHECK(row1.case_id == "case-1");
  CHECK(row1.reference == "{\"term\": \"t1\", \"ok\": true}");
  CHECK(nlohmann::json::parse(row1.messages_json)[1]["content"] == "term 1");
  REQUIRE(row1.cells.size() == 2);
  CHECK(row1.cells[0].passed() == 2);
  CHECK(row1.cells[1].passed() == 0);
  CHECK(row1.failing_variants == 1);
  CHECK(row1.disagree);
  // Both repeats in one cell, in repeat order although stored last-first, with their checks.
  REQUIRE(row1.cells[1].results.size() == 2);
  CHECK(row1.cells[1].results[0].repeat == 0);
  CHECK(row1.cells[1].results[1].repeat == 1);
  const auto& failed = row1.cells[1].results[1];
  CHECK_FALSE(failed.passed);
  CHECK(failed.failure_kind == "fenced");
  CHECK(failed.completion_tokens == 11);
  CHECK(failed.prompt_tokens == 101);
  CHECK(failed.latency_ms == 251);
  CHECK(failed.output.starts_with("```json"));
  REQUIRE(failed.checks.size() == 2);
  CHECK(failed.checks[0].name == "is-json");
  CHECK(failed.checks[0].detail == "JSON inside a ``` fence");
  CHECK_FALSE(failed.checks[1].required);

  CHECK_FALSE(all.rows[0].disagree);
  CHECK(all.rows[0].failing_variants == 0);
  CHECK(all.rows[2].failing_variants == 2);
  CHECK_FALSE(all.rows[2].disagree);          // both fail: they agree
  CHECK(all.rows[3].cells[0].passed() == 1);  // one repeat of two
  CHECK(all.rows[3].disagree);
  // A variant with no result for the case has an empty cell, which neither fails nor disagrees.
  CHECK(all.rows[4].cells[1].results.empty());
  CHECK_FALSE(all.rows[4].disagree);
  CHECK(all.rows[4].failing_variants == 0);
}

TEST_CASE("the case grid's cap keeps disagreeing cases first, then the most failing, in case order",
          "[store][grid]") {
  test::TempDir dir;
  const long long run = test::store_grid_run(dir / "t.db");
  Store store(dir / "t.db");
  CHECK(indexes(read(store, run, 1)) == std::vector<long long>{1});  // disagrees, lowest case
  CHECK(indexes(read(store, run, 2)) == std::vector<long long>{1, 3});
  CHECK(indexes(read(store, run, 3)) == std::vector<long long>{1, 2, 3});     // then 2 failing
  CHECK(indexes(read(store, run, 4)) == std::vector<long long>{0, 1, 2, 3});  // then by case
  const Read none = read(store, run, 0);
  CHECK(none.rows.empty());
  CHECK(none.counts.cases == 5);
  CHECK(none.counts.shown == 0);
  // A second read on the same connection starts afresh.
  const Read two = read(store, run, 2);
  CHECK(two.counts.shown == 2);
  CHECK(two.counts.failing == 3);
  CHECK(read(store, run + 1, 10).counts.cases == 0);  // no such run: nothing
}
