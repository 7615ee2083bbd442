#pragma once
// Cases, not requests, are the unit of every interval and test: the repeats of one case share
// its difficulty, so five repeats of 60 cases are not 300 independent observations. These are
// the estimators over a variant's per-case outcomes.
#include <cstdint>
#include <span>

#include "analysis/statistics.hpp"

namespace tb {

// How many of a case's repeats a variant ran, and how many of those passed.
struct CaseOutcome {
  std::uint32_t passed = 0;
  std::uint32_t runs = 0;
};

// A pass rate over cases: the mean of the per-case rates, with a Wilson interval whose sample
// size is the effective one (Korn & Graubard's design-effect adjustment): the binomial variance
// of the rate divided by its variance estimated between cases. With one repeat per case this
// is the plain Wilson interval on the cases; with repeats of identical outcome it stays that of
// the cases, however many repeats there are.
struct ClusteredRate {
  double rate = 0;
  Interval ci;
  double effective_n = 0;  // between the number of cases and the number of results
  long long cases = 0;     // cases with at least one result
};
ClusteredRate clustered_rate(std::span<const CaseOutcome> cases);

// pass@k: the chance that at least one of k samples of a case passes, estimated without bias
// from n >= k samples of which c passed (Chen et al. 2021, the HumanEval paper):
// 1 - C(n-c, k) / C(n, k).
double pass_at_k(int n, int c, int k);
// pass^k: the chance that all k samples pass, estimated without bias: C(c, k) / C(n, k).
double pass_hat_k(int n, int c, int k);

// A variant's repeat behaviour over its cases with at least k runs.
struct RepeatStats {
  int k = 1;
  long long cases = 0;     // cases with at least k runs
  double pass_at_k = 0;    // mean over those cases
  double pass_hat_k = 0;   // mean over those cases ("pass in every repeat")
  long long flaky = 0;     // cases that passed in some repeats and failed in others
};
RepeatStats repeat_stats(std::span<const CaseOutcome> cases, int k);

}  // namespace tb
