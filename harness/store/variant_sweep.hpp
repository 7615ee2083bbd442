#pragma once
// Internal to store/: what a variant of a checkpoint or model sweep keeps (schema v14, columns
// variants.sweep_of, checkpoint_step and training_loss), written with the run's variants and
// read back with them. NULL for variants that no sweep expanded.
#include <vector>

#include "store/records.hpp"
#include "store/sqlite_db.hpp"

namespace tb::variant_sweep {

// Inside the caller's transaction, after the run's variants are inserted.
void write(sqlite::Database& db, long long run_id, const std::vector<VariantRecord>& variants);
// Fills the sweep fields of a run's variants (matched by id).
void read(sqlite::Database& db, long long run_id, std::vector<VariantRecord>& variants);

}  // namespace tb::variant_sweep
