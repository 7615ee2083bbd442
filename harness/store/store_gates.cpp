#include "store/store.hpp"

#include <limits>

#include "store/store_impl.hpp"

// The gates judged on a run: written together with the run's gate status, read by `runs`,
// `gate` and the reports, and the search for the newest run whose gates passed.
namespace tb {

void Store::save_gates(long long run_id, const std::vector<GateRecord>& gates) {
  auto& db = impl_->db;
  db.exec("BEGIN IMMEDIATE");
  try {
    db.prepare("DELETE FROM gate_results WHERE run_id=?").bind(1, run_id).run();
    auto insert = db.prepare(
        "INSERT INTO gate_results(run_id, position, gate, variant, passed, figure, threshold, low, "
        "high,"
        " against, detail, evaluated_at) "
        "VALUES(?,?,?,?,?,?,?,?,?,?,?,strftime('%Y-%m-%dT%H:%M:%SZ','now'))");
    bool all = true;
    for (std::size_t i = 0; i < gates.size(); ++i) {
      const auto& g = gates[i];
      all = all && g.passed;
      insert.bind(1, run_id)
          .bind(2, static_cast<long long>(i))
          .bind(3, g.gate)
          .bind(4, g.variant)
          .bind(5, g.passed ? 1 : 0)
          .bind(6, g.figure)
          .bind(7, g.threshold)
          .bind(8, g.low)
          .bind(9, g.high)
          .bind(10, g.against)
          .bind(11, g.detail);
      insert.run();
    }
    auto status = db.prepare("UPDATE runs SET gate_status=? WHERE id=?");
    if (gates.empty()) status.bind_null(1);
    // A literal, not a temporary std::string: bind() does not copy (SQLITE_STATIC) and the
    // statement steps after this line (ASan: stack-use-after-scope, seen on a merged run's gates).
    else
      status.bind(1, all ? "pass" : "fail");
    status.bind(2, run_id).run();
    db.exec("COMMIT");
  } catch (...) {
    db.rollback();
    throw;
  }
}

std::vector<GateRecord> Store::gates(long long run_id) {
  auto q = impl_->db.prepare(
      "SELECT gate, variant, passed, figure, threshold, low, high, coalesce(against,''), detail"
      " FROM gate_results WHERE run_id=? ORDER BY position");
  q.bind(1, run_id);
  std::vector<GateRecord> out;
  auto optional_real = [&](int column) -> std::optional<double> {
    if (q.is_null(column)) return std::nullopt;
    return q.real(column);
  };
  while (q.step()) {
    GateRecord g;
    g.gate = q.text(0);
    g.variant = q.text(1);
    g.passed = q.int64(2) != 0;
    g.figure = optional_real(3);
    g.threshold = optional_real(4);
    g.low = optional_real(5);
    g.high = optional_real(6);
    g.against = q.text(7);
    g.detail = q.text(8);
    out.push_back(std::move(g));
  }
  return out;
}

std::optional<long long> Store::latest_passing_run(const std::string& suite_name,
                                                   std::optional<long long> before) {
  auto q = impl_->db.prepare(
      "SELECT id FROM runs WHERE suite_name=? AND gate_status='pass' AND id<? ORDER BY id DESC "
      "LIMIT 1");
  q.bind(1, suite_name).bind(2, before.value_or(std::numeric_limits<long long>::max()));
  if (!q.step()) return std::nullopt;
  return q.int64(0);
}

}  // namespace tb
