#pragma once
// Cost per request and break-even volume with 95% intervals, by the bootstrap over cases: a
// resample draws cases with replacement, each with all its repeats (the repeats of a case share
// its prompt and its answer's length, so they are one observation, not several), and the same
// draw for every strategy (they ran the same cases: their costs are paired). Cost per request
// is a ratio (cost of the drawn cases / their results), recomputed in each resample.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "analysis/self_hosted_cost.hpp"
#include "analysis/statistics.hpp"

namespace tb {

// What one case's repeats cost a strategy, and what a self-hosted price derives its cost from.
struct CaseCost {
  long long case_index = 0;
  std::uint32_t results = 0;
  double cost_usd = 0;   // as billed per token (a self-hosted model's part is 0)
  double latency_s = 0;  // the answered results'
  double tokens = 0;     // ... prompt + completion tokens
};

// One strategy's inputs: its cases (any order), its self-hosted price if it has one, and its
// one-time cost (training, embedding a corpus) spread over the horizon.
struct CostInput {
  std::vector<CaseCost> cases;
  std::optional<SelfHosted> self_hosted;
  double one_time_usd = 0;
};

// The cost per request of the cases given: billed, or derived from GPU time.
double cost_per_request(const CostInput& input, std::span<const CaseCost> cases);

// Where two strategies cost the same over the horizon: `a` is the one with more one-time cost.
// Above `monthly_requests` requests a month `a` is cheaper, below it `b` (when it exists).
struct BreakEven {
  std::size_t a = 0, b = 0;  // indices into the inputs
  // Nothing when a never catches up (it costs as much or more per request) or the one-time
  // costs are equal (then the cheaper per request wins at every volume).
  std::optional<double> monthly_requests;
  // 95% percentile interval; high is +infinity when a did not catch up in more than 2.5% of
  // the resamples ("never" at the top). Meaningless without monthly_requests.
  Interval ci;
};

// The break-even of a over b in requests a month over `horizon_months`, from their one-time
// costs and costs per request; nothing when there is none (see BreakEven).
std::optional<double> break_even_monthly(double one_time_a, double per_request_a, double one_time_b,
                                         double per_request_b, int horizon_months);

struct CostIntervals {
  std::vector<double> per_request;       // per input, the point estimate
  std::vector<Interval> per_request_ci;  // per input, 95%
  std::vector<BreakEven> pairs;          // every pair of inputs (i < j), oriented as above
  int resamples = 0;
};

// Resamples 2,000 times (fewer for runs so large that it would take more than ~2e7 case draws,
// never under 200) from a fixed seed: the same store always gives the same intervals.
CostIntervals bootstrap_costs(std::span<const CostInput> inputs, int horizon_months,
                              int resamples = 2000, std::uint64_t seed = 12345);

}  // namespace tb
