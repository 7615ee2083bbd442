#pragma once
#include <ostream>

#include "analysis/run_summary.hpp"

namespace tb {

// The per-variant table and the verdict printed after a run and by `tunebench report`.
void write_terminal_summary(const RunSummary& summary, std::ostream& out);

// One sentence per non-baseline variant comparing it with the baseline.
std::vector<std::string> verdict_lines(const RunSummary& summary);

}  // namespace tb
