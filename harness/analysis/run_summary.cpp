#include "analysis/run_summary.hpp"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <map>

#include <nlohmann/json.hpp>

#include "analysis/cost.hpp"
#include "analysis/paired_cases.hpp"
#include "analysis/retrieval_quality.hpp"
#include "analysis/variant_tally.hpp"
#include "store/result_facts.hpp"
#include "store/store.hpp"

namespace tb {

const VariantSummary* RunSummary::find(const std::string& id) const {
  for (const auto& v : variants)
    if (v.variant.id == id) return &v;
  return nullptr;
}

namespace {

// Up to this many pairs the saving's interval is bootstrapped from the values; above it the
// normal approximation is as good and needs no values in memory.
constexpr long long kBootstrapLimit = 5000;

// numpy-style interpolated percentiles of the values (sorted here); 0 when there are none.
std::vector<double> percentiles(std::vector<double>& values, std::initializer_list<double> ps) {
  std::vector<double> out(ps.size(), 0.0);
  if (values.empty()) return out;
  std::sort(values.begin(), values.end());
  std::size_t k = 0;
  for (const double p : ps) out[k++] = sorted_percentile(values, p);
  return out;
}

double median(std::vector<double>& values) {
  return percentiles(values, {50})[0];
}

double ratio(double a, long long n) {
  return n > 0 ? a / static_cast<double>(n) : 0;
}

// A rag variant's retrieval: its settings (stored with the variant), the measures against the
// gold passages of its cases, and what searching and embedding cost.
RetrievalSummary summarize_retrieval(Store& store, long long run_id, const VariantRecord& v,
                                     VariantTally& a) {
  RetrievalSummary out;
  const auto settings = nlohmann::json::parse(v.retrieve_json, nullptr, false);
  if (settings.is_object()) {
    out.corpus = settings.value("corpus", "");
    out.method = settings.value("method", "");
    out.k = settings.value("k", 0);
    out.documents = settings.value("documents", 0LL);
  }
  RetrievalQualityTally quality;
  std::vector<RankedPassage> ranked;
  store.for_each_retrieval_facts(run_id, v.id, [&](const RetrievalFacts& r) {
    const auto gold = parse_gold(r.gold_json);
    if (gold.empty()) return;
    ranked.clear();
    for (const auto& p : r.passages) ranked.push_back({p.chunk_id, p.document_id});
    const RetrievalScores scores = score_retrieval(ranked, gold, out.k);
    quality.add(scores);
    (scores.hit ? out.hit_results : out.miss_results) += 1;
    (scores.hit ? out.hit_conformant : out.miss_conformant) += r.conformant;
  });
  out.quality = quality.result();
  const auto ms = percentiles(a.retrieval_ms, {50, 95});
  out.retrieval_ms_p50 = ms[0];
  out.retrieval_ms_p95 = ms[1];
  out.embedding_tokens_mean =
      ratio(a.embedding_tokens_sum, static_cast<long long>(a.retrieval_ms.size()));
  out.embedding_cost_total = a.embedding_cost_sum;
  out.index_embedding_tokens = v.index_embedding_tokens;
  out.index_cost = v.index_cost_usd;
  return out;
}

// Cost intervals, the break-even of every pair, the verdict and the volume sweep, over the
// variants in their order.
void add_decision(RunSummary& summary, std::map<std::string, std::vector<CaseCost>>& case_costs) {
  summary.decide = decide_from_suite_json(summary.run.suite_json);
  summary.decide.monthly_requests = summary.run.monthly_requests;
  std::vector<CostInput> inputs;
  for (const auto& s : summary.variants) {
    CostInput in;
    in.cases = std::move(case_costs[s.variant.id]);
    if (s.self_hosted) in.self_hosted = s.self_hosted->setting;
    in.one_time_usd = s.one_time_cost;
    inputs.push_back(std::move(in));
  }
  summary.costs = bootstrap_costs(inputs, summary.decide.horizon_months);
  const double monthly = static_cast<double>(summary.run.monthly_requests);
  for (std::size_t i = 0; i < summary.variants.size(); ++i) {
    auto& s = summary.variants[i];
    s.cost_per_request_ci = summary.costs.per_request_ci[i];
    s.cost_monthly_ci = {s.cost_per_request_ci.low * monthly, s.cost_per_request_ci.high * monthly};
    VerdictCandidate c;
    c.variant = s.variant.id;
    c.results = s.results;
    c.conformance = s.conformance;
    c.conformance_ci = s.conformance_ci;
    c.latency_p95_ms = s.latency_p95;
    c.cost_per_request = s.cost_per_request;
    c.cost_per_request_ci = s.cost_per_request_ci;
    c.one_time_usd = s.one_time_cost;
    c.derived = s.self_hosted.has_value();
    summary.candidates.push_back(std::move(c));
  }
  const Verdict verdict = decide_verdict(summary.candidates, summary.costs, summary.decide);
  summary.sweep = volume_sweep(summary.candidates, verdict);
  if (summary.decide.verdict) summary.verdict = verdict;
}

}  // namespace

RunSummary summarize_run(Store& store, long long run_id) {
  RunSummary summary;
  const auto run = store.run(run_id);
  if (!run) return summary;
  summary.run = *run;
  summary.baseline = run->baseline;
  const auto variants = store.variants(run_id);

  // One indexed scan per variant, the baseline's first so that the others pair with it as they
  // stream by; only the values that percentiles need stay in memory, one variant at a time.
  BaselineIndex baseline_index(run->cases, run->repeats);
  std::vector<const VariantRecord*> order;
  for (const auto& v : variants)
    if (v.id == summary.baseline)
      order.insert(order.begin(), &v);
    else
      order.push_back(&v);
  std::map<std::string, VariantSummary> by_id;
  std::map<std::string, std::vector<CaseCost>> case_costs;
  double baseline_cost_per_request = 0;

  for (const VariantRecord* vp : order) {
    const VariantRecord& v = *vp;
    const bool is_baseline = v.id == summary.baseline;
    VariantTally a;
    store.for_each_result_facts(run_id, v.id, [&](const ResultFacts& r) {
      a.add(r, is_baseline ? nullptr : &baseline_index);
      if (is_baseline) baseline_index.add(r);
    });
    a.finish();
    VariantSummary s;
    s.variant = v;
    // Self-hosted: the cost is GPU time over the throughput measured here (or given).
    if (const auto hosted = self_hosted_from_params(v.params_json)) {
      double latency_s = 0, tokens = 0;
      for (const auto& c : a.case_costs) {
        latency_s += c.latency_s;
        tokens += c.tokens;
      }
      s.self_hosted = VariantSummary::SelfHostedSummary{*hosted, self_hosted_cost(*hosted, latency_s, tokens)};
      a.cost_sum += s.self_hosted->cost.usd;  // beside what was billed (a rag query's embedding)
    }
    if (is_baseline) baseline_cost_per_request = ratio(a.cost_sum, a.results);
    s.results = a.results;
    s.ok = a.ok;
    s.errors = a.errors;
    s.conformant = a.conformant;
    s.cached = a.cached;
    s.retried = a.retried;
    s.conformance = ratio(static_cast<double>(a.conformant), a.results);
    const ClusteredRate rate = clustered_rate(a.cases);
    s.conformance_ci = rate.ci;
    s.cases = rate.cases;
    s.conformance_effective_n = rate.effective_n;
    s.repeat_stats = repeat_stats(a.cases, run->repeats);
    s.mean_score = ratio(a.score_sum, a.ok);
    s.prompt_tokens_mean = ratio(a.prompt_sum, a.prompt_n);
    s.prompt_tokens_median = median(a.prompt_tokens);
    s.tokens_from_usage = a.usage_missing == 0;
    s.local_counted = a.local_counted;
    s.local_matches = a.local_matches;
    s.prompt_chars_mean = ratio(a.chars_sum, a.ok);
    s.split_results = a.split_n;
    s.instruction_tokens_mean = ratio(a.instruction_sum, a.split_n);
    s.context_tokens_mean = ratio(a.context_sum, a.split_n);
    s.case_tokens_mean = ratio(a.case_sum, a.split_n);
    const double split_total = a.instruction_sum + a.context_sum + a.case_sum;
    s.context_share = split_total > 0 ? a.context_sum / split_total : 0;
    if (!v.retrieve_json.empty()) s.retrieval = summarize_retrieval(store, run_id, v, a);
    s.completion_tokens_mean = ratio(a.completion_sum, a.completion_n);
    s.latency_mean = ratio(a.latency_sum, a.ok);
    const auto latency = percentiles(a.latency_ms, {5, 25, 50, 75, 95, 99});
    s.latency_p5 = latency[0];
    s.latency_p25 = latency[1];
    s.latency_p50 = latency[2];
    s.latency_p75 = latency[3];
    s.latency_p95 = latency[4];
    s.latency_p99 = latency[5];
    s.streamed = static_cast<long long>(a.ttft_ms.size());
    const auto ttft = percentiles(a.ttft_ms, {50, 90, 99});
    s.ttft_p50 = ttft[0];
    s.ttft_p90 = ttft[1];
    s.ttft_p99 = ttft[2];
    s.itl_p50 = median(a.itl_ms);
    s.output_tps_p50 = median(a.output_tps);
    s.latency_model = fit_latency_model(a.latency_fit);
    s.cost_total = a.cost_sum;
    s.cost_estimated = a.cost_estimated;
    s.cost_per_request = ratio(a.cost_sum, a.results);
    s.cost_per_1k = s.cost_per_request * 1000;
    s.cost_monthly = s.cost_per_request * static_cast<double>(run->monthly_requests);
    s.error_classes = std::move(a.error_classes);
    s.failure_kinds = std::move(a.failure_kinds);
    s.failure_paths = std::move(a.failure_paths);
    s.failed_checks = store.failed_check_counts(run_id, v.id);

    s.paired = a.pairs;
    if (!is_baseline) {
      const PairedComparison paired = compare_paired(a.paired_cases);
      s.only_variant_passed = paired.b_better;
      s.only_baseline_passed = paired.a_better;
      s.conformance_p_value = paired.p_value;
      s.conformance_difference = paired.difference;
      s.conformance_difference_ci = paired.difference_ci;
    }
    if (a.pairs > 0) {
      s.savings_tokens_mean = a.saving_sum / static_cast<double>(a.pairs);
      s.savings_pct = a.baseline_sum > 0 ? 100.0 * (1.0 - a.variant_sum / a.baseline_sum) : 0;
      if (is_baseline) {
        s.savings_tokens_ci = normal_mean_interval(static_cast<double>(a.pairs), 0, 0);
      } else if (a.pairs <= kBootstrapLimit) {
        s.savings_tokens_ci = bootstrap_mean_interval(a.savings);  // in job order: reproducible
      } else {
        s.savings_tokens_ci =
            normal_mean_interval(static_cast<double>(a.pairs), a.saving_sum, a.saving_sq_sum);
      }
      s.savings_tokens_median = median(a.savings);
    }
    case_costs.emplace(v.id, std::move(a.case_costs));
    by_id.emplace(v.id, std::move(s));
  }

  for (const auto& v : variants) {
    VariantSummary& s = by_id.at(v.id);
    if (v.training_cost_usd) {
      s.training_cost = *v.training_cost_usd;
    } else if (v.training_tokens > 0 && v.price_training) {
      ModelPrice price;
      price.training = v.price_training;
      s.training_cost = training_cost(price, v.training_tokens, std::max(1, v.training_epochs));
    }
    if (s.training_cost && v.id != summary.baseline)
      s.break_even_requests =
          break_even_requests(*s.training_cost, baseline_cost_per_request, s.cost_per_request);
    s.one_time_cost = s.training_cost.value_or(0) + (s.retrieval ? s.retrieval->index_cost : 0);
    summary.variants.push_back(std::move(s));
  }
  add_decision(summary, case_costs);
  return summary;
}

}  // namespace tb
