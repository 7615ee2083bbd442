#include "analysis/run_summary.hpp"

#include <cmath>
#include <unordered_map>

#include "analysis/cost.hpp"
#include "store/store.hpp"

namespace tb {

const VariantSummary* RunSummary::find(const std::string& id) const {
  for (const auto& v : variants)
    if (v.variant.id == id) return &v;
  return nullptr;
}

namespace {

struct Collected {
  std::vector<double> prompt_tokens, prompt_chars, completion_tokens, latency, ttft, itl, tps, score;
  std::vector<double> fit_latency, fit_prompt, fit_completion;
  // (case, repeat) -> (prompt tokens, conformant), for pairing with the baseline.
  std::unordered_map<long long, std::pair<double, bool>> by_job;
};

long long job_key(long long case_index, int repeat) { return case_index * 4096 + repeat; }

double nan_to_zero(double v) { return std::isnan(v) ? 0 : v; }

}  // namespace

RunSummary summarize_run(Store& store, long long run_id) {
  RunSummary summary;
  const auto run = store.run(run_id);
  if (!run) return summary;
  summary.run = *run;
  summary.baseline = run->baseline;
  const auto variants = store.variants(run_id);
  std::map<std::string, Collected> collected;
  std::map<std::string, VariantSummary> by_id;
  for (const auto& v : variants) by_id[v.id].variant = v;

  Store::ResultQuery query;
  query.with_checks = true;
  store.for_each_result(run_id, query, [&](const ResultRecord& r) {
    auto& s = by_id[r.variant_id];
    auto& c = collected[r.variant_id];
    ++s.results;
    s.cost_total += r.cost_usd;
    s.cached += r.cached;
    s.retried += r.attempts > 1;
    if (r.status != "ok") {
      ++s.errors;
      ++s.error_classes[r.error_class];
      c.by_job[job_key(r.case_index, r.repeat)] = {std::nan(""), false};
      return;
    }
    ++s.ok;
    if (r.conformant) ++s.conformant;
    c.score.push_back(r.score);
    for (const auto& check : r.checks)
      if (!check.passed) ++s.failed_checks[check.name];
    if (r.failure_kind != "none" && !r.failure_kind.empty()) {
      ++s.failure_kinds[r.failure_kind];
      if (!r.failure_path.empty()) ++s.failure_paths[r.failure_kind + " " + r.failure_path];
    }
    if (r.local_prompt_tokens >= 0 && r.prompt_tokens >= 0) {
      ++s.local_counted;
      s.local_matches += r.local_prompt_tokens == r.prompt_tokens;
    }
    double tokens = static_cast<double>(r.prompt_tokens);
    if (r.prompt_tokens < 0) {
      s.tokens_from_usage = false;
      tokens = r.local_prompt_tokens >= 0 ? static_cast<double>(r.local_prompt_tokens) : std::nan("");
    }
    if (!std::isnan(tokens)) c.prompt_tokens.push_back(tokens);
    c.prompt_chars.push_back(static_cast<double>(r.prompt_chars));
    if (r.completion_tokens >= 0) c.completion_tokens.push_back(static_cast<double>(r.completion_tokens));
    c.latency.push_back(r.latency_ms);
    if (r.ttft_ms >= 0) c.ttft.push_back(r.ttft_ms);
    if (r.itl_ms >= 0) c.itl.push_back(r.itl_ms);
    if (r.output_tps >= 0) c.tps.push_back(r.output_tps);
    if (!std::isnan(tokens) && r.completion_tokens >= 0) {
      c.fit_latency.push_back(r.latency_ms);
      c.fit_prompt.push_back(tokens);
      c.fit_completion.push_back(static_cast<double>(r.completion_tokens));
    }
    c.by_job[job_key(r.case_index, r.repeat)] = {tokens, r.conformant};
  });

  const auto& base_jobs = collected[summary.baseline].by_job;
  double baseline_cost_per_request = 0;
  if (auto it = by_id.find(summary.baseline); it != by_id.end() && it->second.results > 0)
    baseline_cost_per_request = it->second.cost_total / static_cast<double>(it->second.results);

  for (const auto& v : variants) {
    auto& s = by_id[v.id];
    auto& c = collected[v.id];
    s.conformance = s.results > 0 ? static_cast<double>(s.conformant) / static_cast<double>(s.results) : 0;
    s.conformance_ci = wilson_interval(s.conformant, s.results);
    s.mean_score = nan_to_zero(mean(c.score));
    s.prompt_tokens_mean = nan_to_zero(mean(c.prompt_tokens));
    s.prompt_tokens_median = nan_to_zero(percentile(c.prompt_tokens, 50));
    s.prompt_chars_mean = nan_to_zero(mean(c.prompt_chars));
    s.completion_tokens_mean = nan_to_zero(mean(c.completion_tokens));
    s.latency_p50 = nan_to_zero(percentile(c.latency, 50));
    s.latency_p95 = nan_to_zero(percentile(c.latency, 95));
    s.latency_p99 = nan_to_zero(percentile(c.latency, 99));
    s.latency_mean = nan_to_zero(mean(c.latency));
    s.streamed = static_cast<long long>(c.ttft.size());
    if (!c.ttft.empty()) {
      s.ttft_p50 = percentile(c.ttft, 50);
      s.ttft_p90 = percentile(c.ttft, 90);
      s.ttft_p99 = percentile(c.ttft, 99);
    }
    if (!c.itl.empty()) s.itl_p50 = percentile(c.itl, 50);
    if (!c.tps.empty()) s.output_tps_p50 = percentile(c.tps, 50);
    s.latency_model = fit_latency_model(c.fit_latency, c.fit_prompt, c.fit_completion);
    s.cost_per_request = s.results > 0 ? s.cost_total / static_cast<double>(s.results) : 0;
    s.cost_per_1k = s.cost_per_request * 1000;
    s.cost_monthly = s.cost_per_request * static_cast<double>(run->monthly_requests);

    std::vector<double> savings;
    double base_sum = 0, variant_sum = 0;
    for (const auto& [key, mine] : c.by_job) {
      const auto it = base_jobs.find(key);
      if (it == base_jobs.end()) continue;
      const auto& theirs = it->second;
      if (theirs.second && !mine.second) ++s.only_baseline_passed;
      if (mine.second && !theirs.second) ++s.only_variant_passed;
      if (std::isnan(mine.first) || std::isnan(theirs.first)) continue;
      savings.push_back(theirs.first - mine.first);
      base_sum += theirs.first;
      variant_sum += mine.first;
    }
    s.paired = static_cast<long long>(savings.size());
    if (!savings.empty()) {
      s.savings_tokens_mean = mean(savings);
      s.savings_tokens_median = percentile(savings, 50);
      s.savings_tokens_ci = bootstrap_mean_interval(savings);
      s.savings_pct = base_sum > 0 ? 100.0 * (1.0 - variant_sum / base_sum) : 0;
    }
    s.conformance_p_value = mcnemar_p_value(s.only_variant_passed, s.only_baseline_passed);

    if (v.training_cost_usd) {
      s.training_cost = *v.training_cost_usd;
    } else if (v.training_tokens > 0 && v.price_training) {
      ModelPrice price;
      price.training = v.price_training;
      s.training_cost = training_cost(price, v.training_tokens, std::max(1, v.training_epochs));
    }
    if (s.training_cost && v.id != summary.baseline)
      s.break_even_requests = break_even_requests(*s.training_cost, baseline_cost_per_request, s.cost_per_request);
    summary.variants.push_back(s);
  }
  return summary;
}

}  // namespace tb
