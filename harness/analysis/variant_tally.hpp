#pragma once
// A variant's results counted, summed and ranked in one pass over the store, and paired with
// the baseline's results on the same case and repeat.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analysis/case_outcomes.hpp"
#include "analysis/cost_bootstrap.hpp"
#include "analysis/paired_cases.hpp"
#include "analysis/statistics.hpp"

namespace tb {

struct ResultFacts;

// The baseline's outcome on every job, so that a variant's results pair up as they stream by:
// a few bytes per job, indexed by case and repeat.
class BaselineIndex {
 public:
  BaselineIndex(long long cases, int repeats);
  void add(const ResultFacts& r);

  struct Entry {
    bool present = false;
    bool ok = false;
    bool conformant = false;
    bool counted = false;  // a prompt token count (usage, else local) is known
    long long prompt_tokens = 0;
  };
  // nothing when the baseline has no result on the job
  std::optional<Entry> find(long long case_index, int repeat) const;
  // The baseline's repeats of a case and how many were conformant.
  CaseOutcome case_outcome(long long case_index) const;

 private:
  long long slot(long long case_index, int repeat) const;
  long long cases_;
  int repeats_;
  std::vector<long long> prompt_tokens_;
  std::vector<std::uint8_t> flags_;
};

struct VariantTally {
  long long results = 0, ok = 0, errors = 0, conformant = 0, cached = 0, retried = 0;
  double score_sum = 0, cost_sum = 0;  // score over answered results
  long long prompt_n = 0;              // answered results with a prompt token count
  double prompt_sum = 0;
  long long usage_missing = 0;  // ... of which only the local count was known
  long long cost_estimated = 0;  // answered results costed from local counts (no usable usage)
  double chars_sum = 0;
  long long completion_n = 0;
  double completion_sum = 0;
  double latency_sum = 0;
  long long local_counted = 0, local_matches = 0;  // local count beside the API's, and equal
  LatencySums latency_fit;  // over answered, uncached results with both token counts
  // The prompt by part (local counts) over every result that has them, answered or not: the
  // prompt was built either way. Retrieval time and embedding cost over rag results.
  long long split_n = 0;
  double instruction_sum = 0, context_sum = 0, case_sum = 0;
  std::vector<double> retrieval_ms;
  double embedding_tokens_sum = 0, embedding_cost_sum = 0;

  // Values of the answered results, for percentiles (in job order until sorted).
  std::vector<double> prompt_tokens, latency_ms, ttft_ms, itl_ms, output_tps;

  std::map<std::string, long long> error_classes;  // errors by class
  std::map<std::string, long long> failure_kinds;  // answers by failure kind (not "none")
  std::map<std::string, long long> failure_paths;  // "kind path" where a path applies

  // Against the baseline, over jobs both answered with prompt counts ("pairs").
  long long pairs = 0;
  double baseline_sum = 0, variant_sum = 0, saving_sum = 0, saving_sq_sum = 0;
  std::vector<double> savings;  // baseline - variant prompt tokens per pair, in job order

  // Per case (the unit of intervals and tests): this variant's repeats and passes, and the
  // same paired with the baseline's on the case. In case order.
  std::vector<CaseOutcome> cases;
  std::vector<PairedCase> paired_cases;
  std::vector<CaseCost> case_costs;  // what each case's repeats cost (analysis/cost_bootstrap)

  // `baseline` is null for the baseline itself (it pairs with itself trivially). Results come
  // in (case, repeat) order; finish() closes the last case.
  void add(const ResultFacts& r, const BaselineIndex* baseline);
  void finish();

 private:
  void close_case();
  long long current_case_ = -1;
  CaseOutcome current_;
  CaseCost current_cost_;
  const BaselineIndex* baseline_ = nullptr;
};

}  // namespace tb
