#pragma once
// Checkpoint sweeps in the HTML report: a line chart per sweep of conformance against training
// step, each point with its 95% interval as a bar (analysis/checkpoint_sweep.hpp), drawn with
// report/svg_chart's primitives. Models without a known step are left to the tables.
#include <string>

#include "analysis/run_summary.hpp"

namespace tb {

// One <figure> per sweep with at least one known step; empty when there is none.
std::string checkpoint_sweep_figures(const RunSummary& summary);

}  // namespace tb
