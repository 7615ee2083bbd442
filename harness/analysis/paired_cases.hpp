#pragma once
// Two variants (or two runs) on the same cases: is one's conformance really different from the
// other's? The test and the interval treat each case as one observation, its repeats clustered.
#include <span>

#include "analysis/case_outcomes.hpp"
#include "analysis/statistics.hpp"

namespace tb {

struct PairedCase {
  CaseOutcome a;  // the reference side (baseline, or run A of a compare)
  CaseOutcome b;
};

struct PairedComparison {
  long long cases = 0;      // cases where both sides have results
  long long b_better = 0;   // cases whose pass rate is higher for b
  long long a_better = 0;
  double difference = 0;    // mean over cases of rate(b) - rate(a)
  Interval difference_ci;   // 95%: bootstrap over cases, normal approximation above 5,000
  // Two-sided, exact: the sign-flip permutation test on the per-case differences (under the
  // null, which side a case's outcomes came from is a coin toss). With one repeat per case it
  // is the exact McNemar test; with k repeats it is McNemar's on cases, not on k times as many
  // "pairs". Above ~50 million steps of exact computation it uses the normal approximation.
  double p_value = 1;
  bool exact = true;
};

PairedComparison compare_paired(std::span<const PairedCase> cases);

}  // namespace tb
