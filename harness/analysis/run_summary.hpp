#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analysis/case_outcomes.hpp"
#include "analysis/cost_bootstrap.hpp"
#include "analysis/decide_spec.hpp"
#include "analysis/verdict.hpp"
#include "analysis/retrieval_quality.hpp"
#include "analysis/statistics.hpp"
#include "store/records.hpp"

namespace tb {

class Store;

// What a rag variant's retrieval found and cost (see analysis/retrieval_quality.hpp).
struct RetrievalSummary {
  std::string corpus;  // as the suite names it
  std::string method;  // bm25, embeddings or hybrid
  int k = 0;
  long long documents = 0;  // in the corpus
  RetrievalQuality quality;  // over results whose case names gold passages
  // Conformance of those results apart: with a gold passage among the k retrieved, and without.
  long long hit_results = 0, hit_conformant = 0;
  long long miss_results = 0, miss_conformant = 0;
  double retrieval_ms_p50 = 0, retrieval_ms_p95 = 0;  // searching, apart from the model
  double embedding_tokens_mean = 0;  // per request: embedding the query
  double embedding_cost_total = 0;   // ... summed (part of cost_total)
  long long index_embedding_tokens = 0;  // embedding the corpus, once
  double index_cost = 0;
};

// Everything a report says about one variant, computed once from the store so that the
// terminal, HTML and CSV never disagree.
struct VariantSummary {
  VariantRecord variant;
  long long results = 0;
  long long ok = 0;  // answered (status ok)
  long long errors = 0;
  long long conformant = 0;
  double conformance = 0;  // conformant / results (errors count as non-conformant)
  // 95%, on cases with their repeats clustered (see analysis/case_outcomes.hpp).
  Interval conformance_ci;
  long long cases = 0;                 // cases with at least one result
  double conformance_effective_n = 0;  // the sample size the interval is worth
  RepeatStats repeat_stats;            // pass@k, pass^k and flaky cases, k = the run's repeats
  double mean_score = 0;

  double prompt_tokens_mean = 0;
  double prompt_tokens_median = 0;
  double prompt_chars_mean = 0;
  double completion_tokens_mean = 0;
  bool tokens_from_usage = true;  // false when some counts are local estimates
  // The prompt by part, mean local tokens per request (known when split_results > 0): the
  // instructions (system messages before the case's own), retrieved context, the case's own
  // messages; context_share is the context's part of their sum.
  long long split_results = 0;
  double instruction_tokens_mean = 0, context_tokens_mean = 0, case_tokens_mean = 0;
  double context_share = 0;
  std::optional<RetrievalSummary> retrieval;  // rag variants
  long long local_counted = 0;    // results with both a local count and the API's usage
  long long local_matches = 0;    // ... where the two agree exactly

  // Against the baseline, paired on the same case and repeat.
  long long paired = 0;
  double savings_tokens_mean = 0;
  double savings_tokens_median = 0;
  double savings_pct = 0;          // 1 - mean(variant) / mean(baseline), in %
  Interval savings_tokens_ci;      // bootstrap 95% of the mean per-request saving
  // Cases whose pass rate is higher for this variant / for the baseline (McNemar's discordant
  // pairs with one repeat).
  long long only_variant_passed = 0;
  long long only_baseline_passed = 0;
  double conformance_p_value = 1;  // exact McNemar on cases (sign-flip test with repeats)
  double conformance_difference = 0;  // mean over cases of this variant's rate - the baseline's
  Interval conformance_difference_ci;

  double cost_total = 0;
  // Answered results costed from local token counts because the server's usage was missing or
  // not believable (results.usage_estimated): their share of cost_total is an estimate.
  long long cost_estimated = 0;
  double cost_per_request = 0;
  double cost_per_1k = 0;
  double cost_monthly = 0;  // at the suite's monthly volume, without training
  // 95%, bootstrap over cases with their repeats (analysis/cost_bootstrap.hpp).
  Interval cost_per_request_ci, cost_monthly_ci;
  // Self-hosted (price: {gpu_hour_usd}): every cost above is derived from GPU time at this
  // throughput, not billed (analysis/self_hosted_cost.hpp).
  struct SelfHostedSummary {
    SelfHosted setting;
    SelfHostedCost cost;  // over the whole run
  };
  std::optional<SelfHostedSummary> self_hosted;
  double one_time_cost = 0;  // training and embedding the corpus, paid once
  std::optional<double> training_cost;
  std::optional<double> break_even_requests;  // < 0: never breaks even

  double latency_p50 = 0, latency_p95 = 0, latency_p99 = 0, latency_mean = 0;
  double latency_p5 = 0, latency_p25 = 0, latency_p75 = 0;  // the HTML's box plot
  long long streamed = 0;  // results with a time to first token
  double ttft_p50 = 0, ttft_p90 = 0, ttft_p99 = 0;
  double itl_p50 = 0;         // inter-token latency, ms
  double output_tps_p50 = 0;  // completion tokens per second after the first
  long long cached = 0;       // results answered from the response cache
  long long retried = 0;      // results that needed more than one attempt
  LatencyModel latency_model;

  std::map<std::string, long long> error_classes;  // class -> count
  // check name -> results in which a check of that name failed (two checks may share a name:
  // counted once per result, so the share of results is at most 100%)
  std::map<std::string, long long> failed_checks;
  std::map<std::string, long long> failure_kinds;  // taxonomy kind -> answers (none excluded)
  std::map<std::string, long long> failure_paths;  // "kind /path" -> answers, where a path applies
};

struct RunSummary {
  RunRecord run;
  std::string baseline;
  std::vector<VariantSummary> variants;
  // The decision (analysis/verdict.hpp): the suite's `decide:`, its candidates (one per
  // variant, in the same order), costs with intervals and the break-even of every pair, the
  // verdict when `decide:` asks for one, and the volume sweep.
  Decide decide;
  std::vector<VerdictCandidate> candidates;
  CostIntervals costs;
  std::optional<Verdict> verdict;
  std::vector<SweepPoint> sweep;
  const VariantSummary* find(const std::string& id) const;
};

RunSummary summarize_run(Store& store, long long run_id);

}  // namespace tb
