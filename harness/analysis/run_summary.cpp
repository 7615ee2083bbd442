#include "analysis/run_summary.hpp"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <map>

#include "analysis/cost.hpp"
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

// numpy-style interpolated percentile p of n ranked values; `at(k)` is the k-th smallest.
// Percentiles interpolated between the two nearest ranks, all read by one sorted scan:
// values_at(ascending ranks) -> the values at those ranks.
template <class ValuesAt>
std::vector<double> percentiles(long long n, std::initializer_list<double> ps,
                                ValuesAt&& values_at) {
  std::vector<double> out(ps.size(), 0.0);
  if (n <= 0) return out;
  std::vector<long long> ranks;
  for (const double p : ps) {
    const double rank = p / 100.0 * static_cast<double>(n - 1);
    ranks.push_back(static_cast<long long>(std::floor(rank)));
    ranks.push_back(static_cast<long long>(std::ceil(rank)));
  }
  std::vector<long long> sorted = ranks;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  const std::vector<double> values = values_at(sorted);
  auto at = [&](long long r) {
    const auto i = static_cast<std::size_t>(std::lower_bound(sorted.begin(), sorted.end(), r) -
                                            sorted.begin());
    return i < values.size() ? values[i] : 0.0;
  };
  std::size_t k = 0;
  for (const double p : ps) {
    const double rank = p / 100.0 * static_cast<double>(n - 1);
    const double a = at(ranks[2 * k]), b = at(ranks[2 * k + 1]);
    out[k++] = a + (b - a) * (rank - std::floor(rank));
  }
  return out;
}

std::vector<double> store_percentiles(Store& store, long long run_id, const std::string& variant,
                                      ResultColumn column, long long n,
                                      std::initializer_list<double> ps) {
  return percentiles(n, ps, [&](const std::vector<long long>& ranks) {
    return store.ranked_values(run_id, variant, column, ranks);
  });
}

double store_median(Store& store, long long run_id, const std::string& variant, ResultColumn column,
                    long long n) {
  return store_percentiles(store, run_id, variant, column, n, {50})[0];
}

double saving_median(Store& store, long long run_id, const std::string& variant,
                     const std::string& baseline, long long n) {
  return percentiles(n, {50}, [&](const std::vector<long long>& ranks) {
    return store.ranked_savings(run_id, variant, baseline, ranks);
  })[0];
}

double ratio(double a, long long n) {
  return n > 0 ? a / static_cast<double>(n) : 0;
}

}  // namespace

RunSummary summarize_run(Store& store, long long run_id) {
  RunSummary summary;
  const auto run = store.run(run_id);
  if (!run) return summary;
  summary.run = *run;
  summary.baseline = run->baseline;
  const auto variants = store.variants(run_id);

  std::map<std::string, VariantAggregates> aggregates;
  for (const auto& v : variants) aggregates[v.id] = store.variant_aggregates(run_id, v.id);
  double baseline_cost_per_request = 0;
  if (const auto base = aggregates.find(summary.baseline); base != aggregates.end()) {
    baseline_cost_per_request = ratio(base->second.cost_sum, base->second.results);
  }

  for (const auto& v : variants) {
    VariantSummary s;
    s.variant = v;
    const VariantAggregates& a = aggregates.at(v.id);
    s.results = a.results;
    s.ok = a.ok;
    s.errors = a.errors;
    s.conformant = a.conformant;
    s.cached = a.cached;
    s.retried = a.retried;
    s.conformance = ratio(static_cast<double>(a.conformant), a.results);
    s.conformance_ci = wilson_interval(a.conformant, a.results);
    s.mean_score = ratio(a.score_sum, a.ok);
    s.prompt_tokens_mean = ratio(a.prompt_sum, a.prompt_n);
    s.prompt_tokens_median =
        store_median(store, run_id, v.id, ResultColumn::prompt_tokens, a.prompt_n);
    s.tokens_from_usage = a.usage_missing == 0;
    s.local_counted = a.local_counted;
    s.local_matches = a.local_matches;
    s.prompt_chars_mean = ratio(a.chars_sum, a.ok);
    s.completion_tokens_mean = ratio(a.completion_sum, a.completion_n);
    s.latency_mean = ratio(a.latency_sum, a.ok);
    const auto latency =
        store_percentiles(store, run_id, v.id, ResultColumn::latency_ms, a.ok, {50, 95, 99});
    s.latency_p50 = latency[0];
    s.latency_p95 = latency[1];
    s.latency_p99 = latency[2];
    s.streamed = a.ttft_n;
    if (a.ttft_n > 0) {
      const auto ttft =
          store_percentiles(store, run_id, v.id, ResultColumn::ttft_ms, a.ttft_n, {50, 90, 99});
      s.ttft_p50 = ttft[0];
      s.ttft_p90 = ttft[1];
      s.ttft_p99 = ttft[2];
    }
    s.itl_p50 = store_median(store, run_id, v.id, ResultColumn::itl_ms, a.itl_n);
    s.output_tps_p50 = store_median(store, run_id, v.id, ResultColumn::output_tps, a.tps_n);
    s.latency_model = fit_latency_model(a.latency);
    s.cost_total = a.cost_sum;
    s.cost_per_request = ratio(a.cost_sum, a.results);
    s.cost_per_1k = s.cost_per_request * 1000;
    s.cost_monthly = s.cost_per_request * static_cast<double>(run->monthly_requests);
    OutcomeCounts outcomes = store.outcome_counts(run_id, v.id);
    s.error_classes = std::move(outcomes.error_classes);
    s.failure_kinds = std::move(outcomes.failure_kinds);
    s.failure_paths = std::move(outcomes.failure_paths);
    s.failed_checks = store.failed_check_counts(run_id, v.id);

    // The baseline paired with itself needs no join: every counted pair saves nothing.
    PairedAggregates paired;
    if (v.id == summary.baseline) {
      paired.pairs = a.prompt_n;
      paired.baseline_sum = paired.variant_sum = a.prompt_sum;
    } else {
      paired = store.paired_with(run_id, v.id, summary.baseline);
    }
    s.paired = paired.pairs;
    s.only_variant_passed = paired.only_variant_passed;
    s.only_baseline_passed = paired.only_baseline_passed;
    s.conformance_p_value =
        mcnemar_p_value(paired.only_variant_passed, paired.only_baseline_passed);
    if (paired.pairs > 0) {
      s.savings_tokens_mean = paired.saving_sum / static_cast<double>(paired.pairs);
      s.savings_tokens_median =
          v.id == summary.baseline
              ? 0
              : saving_median(store, run_id, v.id, summary.baseline, paired.pairs);
      s.savings_pct =
          paired.baseline_sum > 0 ? 100.0 * (1.0 - paired.variant_sum / paired.baseline_sum) : 0;
      if (v.id == summary.baseline) {
        s.savings_tokens_ci = normal_mean_interval(static_cast<double>(paired.pairs), 0, 0);
      } else if (paired.pairs <= kBootstrapLimit) {
        std::vector<double> savings;
        savings.reserve(static_cast<std::size_t>(paired.pairs));
        store.for_each_saving(run_id, v.id, summary.baseline,
                              [&](double x) { savings.push_back(x); });
        s.savings_tokens_ci = bootstrap_mean_interval(savings);
      } else {
        s.savings_tokens_ci = normal_mean_interval(static_cast<double>(paired.pairs),
                                                   paired.saving_sum, paired.saving_sq_sum);
      }
    }

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
    summary.variants.push_back(std::move(s));
  }
  return summary;
}

}  // namespace tb
