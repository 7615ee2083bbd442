#include "report/summary_json.hpp"

#include <nlohmann/json.hpp>

#include "analysis/run_summary.hpp"

namespace tb {
namespace {

nlohmann::json interval(const Interval& i) {
  return {{"low", i.low}, {"high", i.high}};
}

nlohmann::json run_json(const RunRecord& run) {
  nlohmann::json j = {
      {"id", run.id},
      {"suite", run.suite_name},
      {"suite_file", run.suite_file},
      {"dataset", run.dataset_file},
      {"baseline", run.baseline},
      {"status", run.status},
      {"started_at", run.started_at},
      {"finished_at", run.finished_at},
      {"simulated", run.simulated},
      {"cases", run.cases},
      {"repeats", run.repeats},
      {"total_jobs", run.total_jobs},
      {"monthly_requests", run.monthly_requests},
      {"price_catalog", run.price_catalog},
      {"tool_version", run.tool_version},
      {"dataset_fingerprint", run.dataset_fingerprint},
      {"suite_fingerprint", run.suite_fingerprint},
      {"gate_status", run.gate_status.empty() ? nlohmann::json() : nlohmann::json(run.gate_status)},
      {"shard", nullptr},
      {"merged_from", nullptr},
      {"partial", run.partial}};
  if (run.shard_index) j["shard"] = {{"index", *run.shard_index}, {"count", run.shard_count}};
  if (!run.merged_from.empty())
    j["merged_from"] = nlohmann::json::parse(run.merged_from, nullptr, false);
  return j;
}

nlohmann::json variant_json(const VariantSummary& v) {
  nlohmann::json j = {
      {"id", v.variant.id},
      {"kind", v.variant.kind},
      {"model", v.variant.model},
      {"baseline", v.variant.is_baseline},
      {"results", v.results},
      {"ok", v.ok},
      {"errors", v.errors},
      {"conformant", v.conformant},
      {"conformance", v.conformance},
      {"conformance_ci", interval(v.conformance_ci)},
      {"cases", v.cases},
      {"conformance_effective_n", v.conformance_effective_n},
      {"repeats",
       {{"k", v.repeat_stats.k},
        {"cases", v.repeat_stats.cases},
        {"pass_at_k", v.repeat_stats.pass_at_k},
        {"pass_hat_k", v.repeat_stats.pass_hat_k},
        {"flaky", v.repeat_stats.flaky}}},
      {"mean_score", v.mean_score},
      {"prompt_tokens_mean", v.prompt_tokens_mean},
      {"prompt_tokens_median", v.prompt_tokens_median},
      {"prompt_chars_mean", v.prompt_chars_mean},
      {"completion_tokens_mean", v.completion_tokens_mean},
      {"tokens_from_usage", v.tokens_from_usage},
      {"local_counted", v.local_counted},
      {"local_matches", v.local_matches},
      {"paired", v.paired},
      {"savings_tokens_mean", v.savings_tokens_mean},
      {"savings_tokens_median", v.savings_tokens_median},
      {"savings_pct", v.savings_pct},
      {"savings_tokens_ci", interval(v.savings_tokens_ci)},
      {"only_variant_passed", v.only_variant_passed},
      {"only_baseline_passed", v.only_baseline_passed},
      {"conformance_p_value", v.conformance_p_value},
      {"conformance_difference", v.conformance_difference},
      {"conformance_difference_ci", interval(v.conformance_difference_ci)},
      {"cost_total", v.cost_total},
      {"cost_per_request", v.cost_per_request},
      {"cost_per_1k", v.cost_per_1k},
      {"cost_monthly", v.cost_monthly},
      {"training_cost", v.training_cost ? nlohmann::json(*v.training_cost) : nlohmann::json()},
      {"break_even_requests",
       v.break_even_requests ? nlohmann::json(*v.break_even_requests) : nlohmann::json()},
      {"cached", v.cached},
      {"retried", v.retried},
      {"error_classes", v.error_classes},
      {"failed_checks", v.failed_checks},
      {"failure_kinds", v.failure_kinds},
      {"failure_paths", v.failure_paths},
      // Measured time: the same results fetched twice never take the same milliseconds.
      {"latency",
       {{"p50_ms", v.latency_p50},
        {"p95_ms", v.latency_p95},
        {"p99_ms", v.latency_p99},
        {"mean_ms", v.latency_mean},
        {"streamed", v.streamed},
        {"ttft_p50_ms", v.ttft_p50},
        {"ttft_p90_ms", v.ttft_p90},
        {"ttft_p99_ms", v.ttft_p99},
        {"itl_p50_ms", v.itl_p50},
        {"output_tps_p50", v.output_tps_p50},
        {"model",
         {{"fitted", v.latency_model.ok},
          {"intercept_ms", v.latency_model.intercept_ms},
          {"ms_per_prompt_token", v.latency_model.ms_per_prompt_token},
          {"ms_per_completion_token", v.latency_model.ms_per_completion_token},
          {"r_squared", v.latency_model.r_squared}}}}}};
  return j;
}

}  // namespace

void write_summary_json(const RunSummary& summary, std::ostream& out) {
  nlohmann::json variants = nlohmann::json::array();
  for (const auto& v : summary.variants) variants.push_back(variant_json(v));
  const nlohmann::json j = {
      {"run", run_json(summary.run)}, {"baseline", summary.baseline}, {"variants", variants}};
  out << j.dump(2) << "\n";
}

}  // namespace tb
