#pragma once
#include <ostream>

#include "analysis/run_summary.hpp"

namespace tb {

// The per-variant table and the verdict printed after a run and by `tunebench report`.
void write_terminal_summary(const RunSummary& summary, std::ostream& out);

// The decision after the table: how self-hosted costs were derived, and when the suite's
// `decide:` asks for a verdict, costs with intervals, break-even volumes and the verdict.
void write_decision(const RunSummary& summary, std::ostream& out);

// One sentence per non-baseline variant comparing it with the baseline.
std::vector<std::string> verdict_lines(const RunSummary& summary);

// "costed from estimates (...): a 3 of 10 results, b 1 of 10"; empty when every answered result
// was costed from the server's usage. The terminal and the HTML print it alike.
std::string estimated_cost_text(const RunSummary& summary);

// "31.7% fenced, 11.7% missing_property (8.3% /definition)": the failure taxonomy of a variant,
// most frequent first; "no format failures" when there are none.
std::string taxonomy_text(const VariantSummary& v);

}  // namespace tb
