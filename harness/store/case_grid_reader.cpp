// Store::for_each_case_row: the case grid's rows (store/case_grid.hpp), one case at a time.
#include <algorithm>

#include "store/case_grid.hpp"
#include "store/store_impl.hpp"

namespace tb {
namespace {

// A cell's state: every repeat passed (2), none did (0) or some did (1). The SQL below and
// row_verdict compute the same, so that the cap's choice and the row's badges agree.
constexpr std::string_view kCellState = "CASE WHEN k=n THEN 2 WHEN k=0 THEN 0 ELSE 1 END";

void row_verdict(CaseGridRow& row) {
  int low = 3, high = -1;
  row.failing_variants = 0;
  for (const auto& cell : row.cells) {
    if (cell.results.empty()) continue;
    const int k = cell.passed(), n = static_cast<int>(cell.results.size());
    const int state = k == n ? 2 : k == 0 ? 0 : 1;
    low = std::min(low, state);
    high = std::max(high, state);
    row.failing_variants += k < n ? 1 : 0;
  }
  row.disagree = high >= 0 && low != high;
}

}  // namespace

CaseGridCounts Store::for_each_case_row(long long run_id, long long max_cases,
                                        const std::function<void(const CaseGridRow&)>& fn) {
  auto& db = impl_->db;
  CaseGridCounts counts;
  // 1. Which cases: one aggregate over the run's results, a row per case in the cap's order.
  //    Grouping by (variant, case) follows the unique (run, variant, case, repeat) index, so
  //    only the per-case regrouping sorts, a row per case and variant. Only the chosen case
  //    indexes are kept: a million results need a few kilobytes here.
  std::vector<long long> chosen;
  {
    auto q = db.prepare(
        "WITH cell AS (SELECT case_index, count(*) AS n, sum(status='ok' AND conformant<>0) AS k"
        " FROM results WHERE run_id=?1 GROUP BY variant_id, case_index)"
        " SELECT case_index, sum(k<n) AS failing, min(" +
        std::string(kCellState) + ")<>max(" + std::string(kCellState) +
        ") AS disagree FROM cell GROUP BY case_index"
        " ORDER BY disagree DESC, failing DESC, case_index");
    q.bind(1, run_id);
    while (q.step()) {
      ++counts.cases;
      counts.failing += q.int64(1) > 0 ? 1 : 0;
      counts.disagreeing += q.int64(2) != 0 ? 1 : 0;
      if (static_cast<long long>(chosen.size()) < max_cases) chosen.push_back(q.int64(0));
    }
  }
  if (chosen.empty()) return counts;
  std::sort(chosen.begin(), chosen.end());

  // 2. The chosen cases in a temporary table (the connection's own, so a read-only or busy
  //    store is no obstacle), walked in case order: each case's results come by the unique
  //    index, variant by variant, so the sort is only ever of one case's rows.
  db.exec("CREATE TEMP TABLE IF NOT EXISTS grid_cases(case_index INTEGER PRIMARY KEY)");
  db.exec("DELETE FROM temp.grid_cases");
  {
    db.exec("SAVEPOINT grid_cases");
    try {
      auto insert = db.prepare("INSERT INTO temp.grid_cases(case_index) VALUES(?)");
      for (const long long c : chosen) {
        insert.bind(1, c);
        insert.run();
      }
      db.exec("RELEASE grid_cases");
    } catch (...) {
      db.exec("ROLLBACK TO grid_cases");
      db.exec("RELEASE grid_cases");
      throw;
    }
  }
  chosen = {};

  const auto variants = this->variants(run_id);
  auto q = db.prepare(
      "SELECT g.case_index, v.position, r.id, r.repeat, r.status, r.error_class,"
      " coalesce(r.error_message,''), r.status='ok' AND r.conformant<>0, r.failure_kind,"
      " coalesce(r.output,''), coalesce(r.prompt_tokens,-1), coalesce(r.completion_tokens,-1),"
      " coalesce(r.latency_ms,0), r.cost_usd"
      " FROM temp.grid_cases g CROSS JOIN variants v CROSS JOIN results r"
      " WHERE v.run_id=?1 AND r.run_id=?1 AND r.variant_id=v.id AND r.case_index=g.case_index"
      " ORDER BY g.case_index, v.position, r.repeat");
  q.bind(1, run_id);
  auto case_q = db.prepare(
      "SELECT case_id, messages_json, coalesce(reference,'') FROM cases"
      " WHERE run_id=? AND case_index=?");
  auto checks = db.prepare(
      "SELECT name, type, passed, required, weight, score, coalesce(detail,'')"
      " FROM check_outcomes WHERE result_id=? ORDER BY position");

  // Variants by position: positions need not be 0..n-1 (a merged run keeps its shards').
  auto slot_of = [&](long long position) -> std::size_t {
    for (std::size_t i = 0; i < variants.size(); ++i)
      if (variants[i].position == position) return i;
    return variants.size();
  };
  CaseGridRow row;
  bool open = false;
  auto flush = [&] {
    if (!open) return;
    row_verdict(row);
    ++counts.shown;
    fn(row);
    open = false;
  };
  while (q.step()) {
    const long long case_index = q.int64(0);
    if (!open || case_index != row.case_index) {
      flush();
      open = true;
      row.case_index = case_index;
      row.cells.assign(variants.size(), {});
      case_q.bind(1, run_id).bind(2, case_index);
      if (case_q.step()) {
        row.case_id = case_q.text(0);
        row.messages_json = case_q.text(1);
        row.reference = case_q.text(2);
      } else {
        row.case_id = "#" + std::to_string(case_index);
        row.messages_json.clear();
        row.reference.clear();
      }
      case_q.reset();
    }
    const std::size_t slot = slot_of(q.int64(1));
    if (slot >= row.cells.size()) continue;
    CaseGridResult r;
    r.repeat = static_cast<int>(q.int64(3));
    r.status = q.text(4);
    r.error_class = q.text(5);
    r.error_message = q.text(6);
    r.passed = q.int64(7) != 0;
    r.failure_kind = q.text(8);
    r.output = q.text(9);
    r.prompt_tokens = q.int64(10);
    r.completion_tokens = q.int64(11);
    r.latency_ms = q.real(12);
    r.cost_usd = q.real(13);
    checks.bind(1, q.int64(2));
    while (checks.step())
      r.checks.push_back({checks.text(0), checks.text(1), checks.int64(2) != 0,
                          checks.int64(3) != 0, checks.real(4), checks.real(5), checks.text(6)});
    checks.reset();
    row.cells[slot].results.push_back(std::move(r));
  }
  flush();
  q.reset();
  db.exec("DELETE FROM temp.grid_cases");
  return counts;
}

}  // namespace tb
