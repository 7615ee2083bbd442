#pragma once
// The charts of the reports that look across runs: `compare` (two runs, paired by case) and
// `trend` (every stored run of a suite). Drawn with the run report's pieces (report/svg_chart)
// so the three reports look alike; each returns an inline <svg>, or "" with nothing to draw.
#include <string>
#include <vector>

#include "analysis/run_compare.hpp"
#include "analysis/statistics.hpp"

namespace tb {

// Per compared pair of variants, the change in conformance (B - A) on the paired cases with its
// 95% interval around a zero line; red when the whole interval is below zero (a significant
// drop), green when above.
std::string compare_conformance_chart(const RunComparison& comparison);

// One variant's figure in one stored run, for the trend chart.
struct TrendPoint {
  long long run_id = 0;
  std::string variant;
  double value = 0;
  Interval ci;  // drawn when has_ci
  bool has_ci = false;
};

// The figure over the runs (oldest first, one x position per run), one line per variant;
// `metric` is conformance (fractions, percent axis), cost (USD per 1k) or p95 (ms).
std::string trend_chart(const std::vector<long long>& runs, const std::vector<TrendPoint>& points,
                        const std::string& metric);

}  // namespace tb
