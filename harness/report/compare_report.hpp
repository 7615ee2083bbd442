#pragma once
// The report of `tunebench compare`: per pair of variants, what regressed and what moved, then
// the regressed cases with both outputs and the check that now fails. As text (terminal), JSON
// (machines), Markdown (CI job summaries such as $GITHUB_STEP_SUMMARY) and HTML (one file).
#include <ostream>
#include <string_view>
#include <vector>

#include "store/records.hpp"

namespace tb {

class Store;
struct RunComparison;

enum class CompareFormat { text, json, md, html };

struct CompareReportOptions {
  CompareFormat format = CompareFormat::text;
  std::size_t max_cases = 50;  // regressed cases shown with their outputs, per pair
};

// Run A's outputs come from `a_store`, run B's from `b_store` (the same store when both runs
// are in one file). `gates` are printed at the end when given.
void write_compare_report(const RunComparison& comparison, Store& a_store, Store& b_store,
                          const std::vector<GateRecord>& gates, const CompareReportOptions& options,
                          std::ostream& out);

}  // namespace tb
