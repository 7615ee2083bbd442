#pragma once
#include <string>

#include "analysis/run_summary.hpp"

namespace tb {

// The run report's charts, each an inline <svg> (see report/svg_chart.hpp) whose <desc> lists
// the numbers drawn. Every number comes from the RunSummary; a chart with nothing to draw is
// the empty string.

// Conformance per variant, a bar coloured by its level with the 95% interval as a whisker.
std::string conformance_chart(const RunSummary& summary);
// Cost per 1k requests against conformance; the variants no other beats on both are the
// Pareto front, joined by a line.
std::string cost_conformance_chart(const RunSummary& summary);
// Latency per variant as a box plot: box p25-p75, median, whiskers p5-p95, a ring at p99.
std::string latency_chart(const RunSummary& summary);
// Mean prompt tokens per variant, split into instructions / context / the case's own messages
// where the run counted the parts.
std::string prompt_tokens_chart(const RunSummary& summary);
// Each variant's results by failure kind, stacked, as a share of its results.
std::string failure_kinds_chart(const RunSummary& summary);

}  // namespace tb
