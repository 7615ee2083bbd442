#include "analysis/run_summary.hpp"

#include <algorithm>
#include <cmath>
#include <initializer_list>

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
template <class At>
double interpolated(long long n, double p, At&& at) {
  if (n <= 0) return 0;
  const double rank = p / 100.0 * static_cast<double>(n - 1);
  const auto lo = static_cast<long long>(std::floor(rank));
  const auto hi = static_cast<long long>(std::ceil(rank));
  const double a = at(lo);
  const double b = hi == lo ? a : at(hi);
  return a + (b - a) * (rank - static_cast<double>(lo));
}

double store_percentile(Store& store, long long run_id, const std::string& variant, ResultColumn column,
                        long long n, double p) {
  return interpolated(n, p, [&](long long k) { return store.ranked_value(run_id, variant, column, k).value_or(0); });
}

// Several percentiles of one column from a single sorted scan.
std::vector<double> store_percentiles(Store& store, long long run_id, const std::string& variant, ResultColumn column,
                                      long long n, std::initializer_list<double> ps) {
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
  const auto values = store.ranked_values(run_id, variant, column, sorted);
  auto at = [&](long long r) {
    const auto i = static_cast<std::size_t>(std::lower_bound(sorted.begin(), sorted.end(), r) - sorted.begin());
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

double saving_percentile(Store& store, long long run_id, const std::string& variant, const std::string& baseline,
                         long long n, double p) {
  return interpolated(n, p, [&](long long k) { return store.ranked_saving(run_id, variant, baseline, k).value_or(0); });
}

double ratio(double a, long long n) { return n > 0 ? a / static_cast<double>(n) : 0; }

}  // namespace

RunSummary summarize_run(Store& store, long long run_id) {
  RunSummary summary;
  const auto run = store.run(run_id);
  if (!run) return summary;
  summary.run = *run;
  summary.baseline = run->baseline;
  const auto variants = store.variants(run_id);

  double baseline_cost_per_request = 0;
  {
    const auto base = store.variant_aggregates(run_id, summary.baseline);
    baseline_cost_per_request = ratio(base.cost_sum, base.results);
  }

  for (const auto& v : variants) {
    VariantSummary s;
    s.variant = v;
    const auto a = store.variant_aggregates(run_id, v.id);
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
    s.prompt_tokens_median = store_percentile(store, run_id, v.id, ResultColumn::prompt_tokens, a.prompt_n, 50);
    s.tokens_from_usage = a.usage_missing == 0;
    s.local_counted = a.local_counted;
    s.local_matches = a.local_matches;
    s.prompt_chars_mean = ratio(a.chars_sum, a.ok);
    s.completion_tokens_mean = ratio(a.completion_sum, a.completion_n);
    s.latency_mean = ratio(a.latency_sum, a.ok);
    const auto latency = store_percentiles(store, run_id, v.id, ResultColumn::latency_ms, a.ok, {50, 95, 99});
    s.latency_p50 = latency[0];
    s.latency_p95 = latency[1];
    s.latency_p99 = latency[2];
    s.streamed = a.ttft_n;
    if (a.ttft_n > 0) {
      const auto ttft = store_percentiles(store, run_id, v.id, ResultColumn::ttft_ms, a.ttft_n, {50, 90, 99});
      s.ttft_p50 = ttft[0];
      s.ttft_p90 = ttft[1];
      s.ttft_p99 = ttft[2];
    }
    s.itl_p50 = store_percentile(store, run_id, v.id, ResultColumn::itl_ms, a.itl_n, 50);
    s.output_tps_p50 = store_percentile(store, run_id, v.id, ResultColumn::output_tps, a.tps_n, 50);
    s.latency_model = fit_latency_model(store.latency_sums(run_id, v.id));
    s.cost_total = a.cost_sum;
    s.cost_per_request = ratio(a.cost_sum, a.results);
    s.cost_per_1k = s.cost_per_request * 1000;
    s.cost_monthly = s.cost_per_request * static_cast<double>(run->monthly_requests);
    s.error_classes = store.counts_by(run_id, v.id, CountKey::error_class);
    s.failed_checks = store.counts_by(run_id, v.id, CountKey::failed_check);
    s.failure_kinds = store.counts_by(run_id, v.id, CountKey::failure_kind);
    s.failure_paths = store.counts_by(run_id, v.id, CountKey::failure_path);

    const auto paired = store.paired_with(run_id, v.id, summary.baseline);
    s.paired = paired.pairs;
    s.only_variant_passed = paired.only_variant_passed;
    s.only_baseline_passed = paired.only_baseline_passed;
    s.conformance_p_value = mcnemar_p_value(paired.only_variant_passed, paired.only_baseline_passed);
    if (paired.pairs > 0) {
      s.savings_tokens_mean = paired.saving_sum / static_cast<double>(paired.pairs);
      s.savings_tokens_median = saving_percentile(store, run_id, v.id, summary.baseline, paired.pairs, 50);
      s.savings_pct = paired.baseline_sum > 0 ? 100.0 * (1.0 - paired.variant_sum / paired.baseline_sum) : 0;
      if (paired.pairs <= kBootstrapLimit) {
        std::vector<double> savings;
        savings.reserve(static_cast<std::size_t>(paired.pairs));
        store.for_each_saving(run_id, v.id, summary.baseline, [&](double x) { savings.push_back(x); });
        s.savings_tokens_ci = bootstrap_mean_interval(savings);
      } else {
        s.savings_tokens_ci = normal_mean_interval(static_cast<double>(paired.pairs), paired.saving_sum, paired.saving_sq_sum);
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
      s.break_even_requests = break_even_requests(*s.training_cost, baseline_cost_per_request, s.cost_per_request);
    summary.variants.push_back(std::move(s));
  }
  return summary;
}

}  // namespace tb
