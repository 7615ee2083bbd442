#pragma once
// Two runs (or two variants of one run) on the same cases: which cases regressed, which were
// fixed, and whether conformance, score, cost, latency and prompt length really moved. Cases
// pair by their id (the dataset's id, else the hash of their messages), never by position, and
// every interval and test counts cases, with repeats clustered within them.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "analysis/paired_cases.hpp"
#include "analysis/statistics.hpp"
#include "store/records.hpp"

namespace tb {

class Store;

// One side of a comparison: a run of a store (the same store may hold both sides).
struct RunSide {
  Store* store = nullptr;
  long long run_id = 0;
  std::string label;  // as the user named it: "7", "other.db:12"
};

// A case whose verdict differs between the sides. A case passes on a side when a strict
// majority of its repeats there are conformant (with one repeat: when it is).
struct CaseChange {
  std::string case_id;
  long long a_case_index = 0;
  long long b_case_index = 0;
  CaseOutcome a, b;
};

// A difference of two figures with its 95% interval.
struct Difference {
  double a = 0, b = 0;
  double diff = 0;  // b - a
  Interval ci;
  bool known = false;  // both sides have the figure
};

struct VariantComparison {
  std::string a_variant, b_variant;
  long long paired_cases = 0, only_in_a = 0, only_in_b = 0;
  long long a_results = 0, b_results = 0;
  std::vector<CaseChange> regressed;  // passed in A, fails in B
  std::vector<CaseChange> fixed;      // failed in A, passes in B
  long long still_failing = 0;
  double conformance_a = 0, conformance_b = 0;  // over each side's results
  PairedComparison conformance;                 // on the paired cases (b - a)
  Difference score;          // mean score per case
  Difference cost_per_1k;    // USD per 1,000 requests, per case
  Difference prompt_tokens;  // mean prompt tokens per case
  Difference latency_p50;    // ms over requests (distribution-free intervals)
  Difference latency_p95;
  std::map<std::string, long long> new_failure_kinds;  // in B, never seen in A: answers
  std::map<std::string, long long> new_failure_paths;  // "kind /path" in B, never in A
};

struct RunComparison {
  RunRecord a, b;
  std::string a_label, b_label;
  std::vector<VariantComparison> variants;
};

// Compares each pair (A's variant, B's variant). Throws StoreError when a side has no such run
// or variant.
RunComparison compare_runs(const RunSide& a, const RunSide& b,
                           const std::vector<std::pair<std::string, std::string>>& pairs);

// The pairs to compare by default: every variant id both runs have, in A's order.
std::vector<std::pair<std::string, std::string>> shared_variants(Store& a_store, long long a_run,
                                                                 Store& b_store, long long b_run);

}  // namespace tb
