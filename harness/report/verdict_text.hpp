#pragma once
// The verdict in words, written once for the terminal, the HTML report and the JSON export so
// that the three never say different things (the figures are analysis/verdict.hpp's).
#include <string>
#include <vector>

namespace tb {

struct RunSummary;
struct VariantSummary;

// "1,400", "610", "never" (infinite): a volume rounded to `digits` significant figures.
std::string format_volume(double requests, int digits = 2);

// "900 requests a month; 95% interval 610 to 1,400": two significant figures, more (up to
// four) when the interval is so narrow that an end would read like the estimate.
std::string volume_with_interval(double requests, double low, double high);

struct VerdictText {
  std::string headline;          // "ship fine-tuned: ..." or "no strategy meets the bar: ..."
  std::vector<std::string> why;  // one line per other strategy: why it loses
  std::string flip;              // where the answer changes; empty when nothing is weighed
};

// Nothing to say (empty headline) when the run has no verdict (no `decide:` asking for one).
VerdictText verdict_text(const RunSummary& summary);

// Every pair's break-even in words, those with one only: "fine-tuned is cheaper than prompted
// above 900 requests a month (95% interval 610 to 1,400)".
std::vector<std::string> break_even_lines(const RunSummary& summary);

// How a self-hosted variant's cost was derived: "derived: $2.50/GPU-hour x 1 GPU at 1,234
// tokens/s measured at concurrency 16"; empty for a variant billed per token.
std::string derived_cost_note(const VariantSummary& v);

}  // namespace tb
