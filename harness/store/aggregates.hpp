#pragma once
// Plain results of the store's aggregate queries (what reports are computed from).
#include <map>
#include <string>

namespace tb {

// Columns that reports take percentiles of.
enum class ResultColumn { prompt_tokens, latency_ms, ttft_ms, itl_ms, output_tps };

// Sums for the least-squares fit of latency on prompt (p) and completion (c) tokens.
struct LatencySums {
  double n = 0, p = 0, c = 0, pp = 0, pc = 0, cc = 0, y = 0, py = 0, cy = 0, yy = 0;
};

struct VariantAggregates {
  long long results = 0, ok = 0, errors = 0, conformant = 0, cached = 0, retried = 0;
  double score_sum = 0, cost_sum = 0;
  long long prompt_n = 0;  // answered results with a prompt token count (usage, else local)
  double prompt_sum = 0;
  long long usage_missing = 0;  // ... of which only the local count was known
  double chars_sum = 0;
  long long completion_n = 0;
  double completion_sum = 0;
  double latency_sum = 0;
  long long ttft_n = 0, itl_n = 0, tps_n = 0;
  long long local_counted = 0, local_matches = 0;
  LatencySums latency;  // over answered, uncached results with both token counts
};

// How a variant's results ended, counted in one pass.
struct OutcomeCounts {
  std::map<std::string, long long> error_classes;  // errors by class
  std::map<std::string, long long> failure_kinds;  // answers by failure kind (not "none")
  std::map<std::string, long long> failure_paths;  // "kind path" where a path applies
};

// A variant against the baseline on the same case and repeat.
struct PairedAggregates {
  long long pairs = 0;  // both answered with token counts
  double baseline_sum = 0, variant_sum = 0;
  double saving_sum = 0, saving_sq_sum = 0;
  long long only_variant_passed = 0, only_baseline_passed = 0;  // over all paired jobs
};

}  // namespace tb
