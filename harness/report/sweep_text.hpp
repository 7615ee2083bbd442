#pragma once
// Checkpoint and model sweeps in the terminal: one small table per sweep, a row per model by
// training step: step, training loss, conformance with its 95% interval, prompt tokens and
// cost per 1k requests (analysis/checkpoint_sweep.hpp). Nothing when the run has no sweep.
#include <ostream>

#include "analysis/run_summary.hpp"

namespace tb {

void write_checkpoint_sweeps(const RunSummary& summary, std::ostream& out);

}  // namespace tb
