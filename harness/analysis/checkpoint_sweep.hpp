#pragma once
// The variants of a run that one checkpoint or model sweep expanded into (suite/model_sweep.hpp;
// stored as variants.sweep_of, checkpoint_step and training_loss), grouped for the reports that
// show conformance against training step.
#include <cstddef>
#include <string>
#include <vector>

#include "analysis/run_summary.hpp"

namespace tb {

struct CheckpointSweep {
  std::string of;  // the variant the suite wrote
  // Indexes into RunSummary::variants: by training step, then those without one in run order.
  std::vector<std::size_t> variants;
  bool every_step_known = false;  // a checkpoint sweep (else a sweep over models)
};

// In the order the sweeps' first variants ran.
std::vector<CheckpointSweep> checkpoint_sweeps(const RunSummary& summary);

}  // namespace tb
