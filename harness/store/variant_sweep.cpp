#include "store/variant_sweep.hpp"

namespace tb::variant_sweep {

void write(sqlite::Database& db, long long run_id, const std::vector<VariantRecord>& variants) {
  auto update = db.prepare(
      "UPDATE variants SET sweep_of=?, checkpoint_step=?, training_loss=? WHERE run_id=? AND id=?");
  for (const auto& v : variants) {
    if (v.sweep_of.empty()) continue;
    update.bind(1, v.sweep_of);
    if (v.checkpoint_step)
      update.bind(2, *v.checkpoint_step);
    else
      update.bind_null(2);
    update.bind(3, v.training_loss).bind(4, run_id).bind(5, v.id).run();
  }
}

void read(sqlite::Database& db, long long run_id, std::vector<VariantRecord>& variants) {
  auto q = db.prepare(
      "SELECT id, sweep_of, checkpoint_step, training_loss FROM variants"
      " WHERE run_id=? AND sweep_of IS NOT NULL");
  q.bind(1, run_id);
  while (q.step()) {
    const std::string id = q.text(0);
    for (auto& v : variants) {
      if (v.id != id) continue;
      v.sweep_of = q.text(1);
      if (!q.is_null(2)) v.checkpoint_step = q.int64(2);
      if (!q.is_null(3)) v.training_loss = q.real(3);
    }
  }
}

}  // namespace tb::variant_sweep
