#pragma once
#include <string>

#include "analysis/run_summary.hpp"

namespace tb {

// Monthly cost against monthly volume, both on log scales, one line per strategy (one-time
// costs spread over the decide: horizon, as the verdict counts them), from the summary's volume
// sweep (1k to 100M requests a month). Break-even points of the winner (or, without a verdict,
// of the baseline) with each other strategy are marked with their 95% interval in the tooltip
// and the text alternative; the suite's volume is a dashed line. Empty when there is no sweep.
std::string monthly_cost_chart(const RunSummary& summary);

}  // namespace tb
