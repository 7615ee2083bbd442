#pragma once
// The decision a suite's `decide:` asks for: which strategy to ship at the team's volume.
// The cheapest over the horizon (one-time costs such as training included) among those whose
// conformance is not significantly below the bar (the upper end of its 95% interval reaches it)
// and whose p95 latency fits; why each other one loses; and the volume at which the answer
// would change, with its 95% interval (analysis/cost_bootstrap.hpp).
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "analysis/cost_bootstrap.hpp"
#include "analysis/decide_spec.hpp"
#include "analysis/statistics.hpp"

namespace tb {

// A strategy as the verdict weighs it (from analysis/run_summary).
struct VerdictCandidate {
  std::string variant;
  long long results = 0;
  double conformance = 0;
  Interval conformance_ci;
  double latency_p95_ms = 0;
  double cost_per_request = 0;
  Interval cost_per_request_ci;
  double one_time_usd = 0;  // training and corpus embedding
  bool derived = false;     // its cost is derived from GPU time (self-hosted)
};

enum class Exclusion { none, conformance, latency, no_results };

struct VerdictEntry {
  std::size_t candidate = 0;  // index into the candidates
  Exclusion excluded = Exclusion::none;
  double horizon_cost = 0;  // one-time + cost per request x monthly requests x horizon
  Interval horizon_cost_ci;
};

// Where the winner stops being the cheapest against one other eligible strategy.
struct Flip {
  std::size_t other = 0;     // candidate index
  bool winner_above = true;  // the winner is cheaper above the volume (else below it)
  double monthly_requests = 0;
  Interval ci;  // high may be +infinity
};

struct Verdict {
  Decide decide;
  std::optional<std::size_t> winner;  // candidate index; nothing when none is eligible
  std::vector<VerdictEntry> entries;  // every candidate: the winner first, then by horizon cost
  // The flip nearest the suite's volume (on a log scale), when there is one.
  std::optional<Flip> flip;
};

Verdict decide_verdict(std::span<const VerdictCandidate> candidates, const CostIntervals& costs,
                       const Decide& decide);

// Monthly cost of each candidate at a volume (one-time costs spread over the horizon), and the
// cheapest eligible one: a chart's data, from 1,000 to 100,000,000 requests a month.
struct SweepPoint {
  long long monthly_requests = 0;
  std::vector<double> monthly_cost;  // per candidate
  std::optional<std::size_t> cheapest_eligible;
};
std::vector<SweepPoint> volume_sweep(std::span<const VerdictCandidate> candidates,
                                     const Verdict& verdict);

}  // namespace tb
