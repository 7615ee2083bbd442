#include "report/json_report.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "analysis/run_summary.hpp"
#include "report/decision_json.hpp"
#include "store/store.hpp"

namespace tb {
namespace {

using json = nlohmann::json;

const auto number = json_number;
const auto interval = json_interval;
json count_or_null(long long v) {
  return v >= 0 ? json(v) : json(nullptr);
}

json run_json(const RunRecord& r) {
  return {{"id", r.id},
          {"suite", r.suite_name},
          {"suite_file", r.suite_file},
          {"dataset_file", r.dataset_file},
          {"dataset_fingerprint",
           r.dataset_fingerprint.empty() ? json(nullptr) : json(r.dataset_fingerprint)},
          {"started_at", r.started_at},
          {"finished_at", r.finished_at.empty() ? json(nullptr) : json(r.finished_at)},
          {"status", r.status},
          {"simulated", r.simulated},
          {"cases", r.cases},
          {"repeats", r.repeats},
          {"jobs", r.total_jobs},
          {"monthly_requests", r.monthly_requests},
          {"tool_version", r.tool_version},
          {"price_catalog", r.price_catalog},
          {"gate_status", r.gate_status.empty() ? json(nullptr) : json(r.gate_status)},
          {"suite_fingerprint",
           r.suite_fingerprint.empty() ? json(nullptr) : json(r.suite_fingerprint)},
          {"shard", r.shard_index ? json{{"index", *r.shard_index}, {"count", r.shard_count}}
                                  : json(nullptr)},
          {"merged_from",
           r.merged_from.empty() ? json(nullptr) : json::parse(r.merged_from, nullptr, false)},
          {"partial", r.partial}};
}

json variant_json(const VariantSummary& v, bool is_baseline) {
  const auto& r = v.variant;
  json out = {
      {"id", r.id},
      {"kind", r.kind},
      {"model", r.model},
      {"endpoint", r.endpoint},
      {"endpoint_kind", r.endpoint_kind},
      {"baseline", is_baseline},
      {"price_per_1m",
       {{"input", r.price_input},
        {"cached_input", r.price_cached_input},
        {"output", r.price_output}}},
      {"results", v.results},
      {"ok", v.ok},
      {"errors", v.errors},
      {"conformant", v.conformant},
      {"conformance", number(v.conformance)},
      {"conformance_ci95", interval(v.conformance_ci)},
      {"cases", v.cases},
      {"conformance_effective_n", number(v.conformance_effective_n)},
      {"repeats",
       {{"k", v.repeat_stats.k},
        {"cases", v.repeat_stats.cases},
        {"pass_at_k", number(v.repeat_stats.pass_at_k)},
        {"pass_hat_k", number(v.repeat_stats.pass_hat_k)},
        {"flaky_cases", v.repeat_stats.flaky}}},
      {"mean_score", number(v.mean_score)},
      {"prompt_tokens",
       {{"mean", number(v.prompt_tokens_mean)}, {"median", number(v.prompt_tokens_median)}}},
      {"completion_tokens_mean", number(v.completion_tokens_mean)},
      {"prompt_chars_mean", number(v.prompt_chars_mean)},
      {"tokens_from_usage", v.tokens_from_usage},
      {"cost",
       {{"total_usd", number(v.cost_total)},
        {"per_request_usd", number(v.cost_per_request)},
        {"per_1k_usd", number(v.cost_per_1k)},
        {"monthly_usd", number(v.cost_monthly)},
        {"training_usd", v.training_cost ? number(*v.training_cost) : json(nullptr)},
        // null: no training cost to recover; negative: never breaks even
        {"break_even_requests",
         v.break_even_requests ? number(*v.break_even_requests) : json(nullptr)},
        {"estimated_results", v.cost_estimated}}},
      {"latency_ms",
       {{"p50", number(v.latency_p50)},
        {"p95", number(v.latency_p95)},
        {"p99", number(v.latency_p99)},
        {"mean", number(v.latency_mean)}}},
      {"cached", v.cached},
      {"retried", v.retried},
      {"error_classes", v.error_classes},
      {"failed_checks", v.failed_checks},
      {"failure_kinds", v.failure_kinds},
      {"failure_paths", v.failure_paths}};
  add_cost_intervals(v, out["cost"]);
  if (v.streamed > 0)
    out["streaming"] = {
        {"results", v.streamed},
        {"ttft_ms",
         {{"p50", number(v.ttft_p50)}, {"p90", number(v.ttft_p90)}, {"p99", number(v.ttft_p99)}}},
        {"itl_ms_p50", number(v.itl_p50)},
        {"output_tokens_per_s_p50", number(v.output_tps_p50)}};
  if (v.split_results > 0)
    out["prompt_parts"] = {{"results", v.split_results},
                           {"instructions_mean", number(v.instruction_tokens_mean)},
                           {"context_mean", number(v.context_tokens_mean)},
                           {"case_mean", number(v.case_tokens_mean)},
                           {"context_share", number(v.context_share)}};
  if (v.retrieval) {
    const RetrievalSummary& r = *v.retrieval;
    const auto& q = r.quality;
    out["retrieval"] = {
        {"corpus", r.corpus},
        {"documents", r.documents},
        {"method", r.method},
        {"k", r.k},
        {"judged", q.judged},
        {"recall", q.judged > 0 ? number(q.recall) : json(nullptr)},
        {"precision", q.judged > 0 ? number(q.precision) : json(nullptr)},
        {"mrr", q.judged > 0 ? number(q.mrr) : json(nullptr)},
        {"ndcg", q.judged > 0 ? number(q.ndcg) : json(nullptr)},
        {"hit_rate", q.judged > 0 ? number(q.hit_rate) : json(nullptr)},
        {"with_gold_retrieved", {{"results", r.hit_results}, {"conformant", r.hit_conformant}}},
        {"without_gold_retrieved",
         {{"results", r.miss_results}, {"conformant", r.miss_conformant}}},
        {"search_ms", {{"p50", number(r.retrieval_ms_p50)}, {"p95", number(r.retrieval_ms_p95)}}},
        {"query_embedding_tokens_mean", number(r.embedding_tokens_mean)},
        {"query_embedding_cost_usd", number(r.embedding_cost_total)},
        {"index_embedding_tokens", r.index_embedding_tokens},
        {"index_cost_usd", number(r.index_cost)}};
  }
  // A variant of a checkpoint or model sweep: the variant the suite wrote, its step and loss.
  if (!r.sweep_of.empty())
    out["sweep"] = {{"of", r.sweep_of},
                    {"step", r.checkpoint_step ? json(*r.checkpoint_step) : json(nullptr)},
                    {"loss", r.training_loss ? number(*r.training_loss) : json(nullptr)}};
  if (!is_baseline)
    out["against_baseline"] = {
        {"paired", v.paired},
        {"savings_pct", number(v.savings_pct)},
        {"savings_tokens_mean", number(v.savings_tokens_mean)},
        {"savings_tokens_ci95", interval(v.savings_tokens_ci)},
        {"conformance_difference", number(v.conformance_difference)},
        {"conformance_difference_ci95", interval(v.conformance_difference_ci)},
        {"cases_only_variant_passed", v.only_variant_passed},
        {"cases_only_baseline_passed", v.only_baseline_passed},
        {"p_value", number(v.conformance_p_value)}};
  return out;
}

// A result's prompt by part and, for rag, what it retrieved: only where they apply.
void add_rag_fields(const ResultRecord& r, json& out) {
  if (r.instruction_tokens >= 0 && r.context_tokens >= 0 && r.case_tokens >= 0)
    out["prompt_parts"] = {{"instructions", r.instruction_tokens},
                           {"context", r.context_tokens},
                           {"case", r.case_tokens}};
  if (r.retrieval_ms < 0) return;
  json passages = json::array();
  for (const auto& p : r.retrieved)
    passages.push_back({{"chunk_id", p.chunk_id},
                        {"document_id", p.document_id},
                        {"score", number(p.score)},
                        {"tokens", p.tokens}});
  out["retrieval"] = {{"ms", number(r.retrieval_ms)},
                      {"embedding_tokens", r.embedding_tokens},
                      {"embedding_cost_usd", number(r.embedding_cost_usd)},
                      {"passages", std::move(passages)}};
}

json result_json(const ResultRecord& r) {
  json checks = json::array();
  for (const auto& c : r.checks)
    checks.push_back({{"name", c.name},
                      {"type", c.type},
                      {"passed", c.passed},
                      {"required", c.required},
                      {"weight", number(c.weight)},
                      {"score", number(c.score)},
                      {"detail", c.detail}});
  json out = {{"variant", r.variant_id},
              {"case_index", r.case_index},
              {"case_id", r.case_id},
              {"repeat", r.repeat},
              {"status", r.status},
              {"error_class", r.error_class},
              {"error_message", r.error_message.empty() ? json(nullptr) : json(r.error_message)},
              {"conformant", r.conformant},
              {"score", number(r.score)},
              {"checks", std::move(checks)},
              {"prompt_tokens", count_or_null(r.prompt_tokens)},
              {"completion_tokens", count_or_null(r.completion_tokens)},
              {"cached_tokens", r.cached_tokens},
              {"local_prompt_tokens", count_or_null(r.local_prompt_tokens)},
              {"latency_ms", number(r.latency_ms)},
              {"ttft_ms", r.ttft_ms >= 0 ? number(r.ttft_ms) : json(nullptr)},
              {"attempts", r.attempts},
              {"cached", r.cached},
              {"cost_usd", number(r.cost_usd)},
              {"usage_estimated", r.usage_estimated},
              {"usage_note", r.usage_note.empty() ? json(nullptr) : json(r.usage_note)},
              {"finish_reason", r.finish_reason},
              {"failure_kind", r.failure_kind},
              {"failure_path", r.failure_path.empty() ? json(nullptr) : json(r.failure_path)},
              {"output", r.output}};
  add_rag_fields(r, out);
  return out;
}

// Invalid UTF-8 (a database written before texts were made valid) becomes U+FFFD, as in the CSV.
std::string dump(const json& j, int indent) {
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

}  // namespace

void write_json_report(Store& store, const RunSummary& summary, std::ostream& out) {
  json gates = json::array();
  for (const auto& g : store.gates(summary.run.id))
    gates.push_back(
        {{"gate", g.gate}, {"variant", g.variant}, {"passed", g.passed}, {"detail", g.detail}});
  json variants = json::array();
  for (const auto& v : summary.variants)
    variants.push_back(variant_json(v, v.variant.id == summary.baseline));
  const json head = {{"format", kJsonReportFormat},     {"run", run_json(summary.run)},
                     {"baseline", summary.baseline},    {"gates", std::move(gates)},
                     {"variants", std::move(variants)}, {"decision", decision_json(summary)}};
  // The head as an object without its closing brace, then "results" streamed record by record.
  std::string text = dump(head, 2);
  text.erase(text.find_last_of('}'));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  out << text << ",\n  \"results\": [";
  bool first = true;
  Store::ResultQuery query;
  query.with_checks = true;
  query.with_retrievals = true;
  store.for_each_result(summary.run.id, query, [&](const ResultRecord& r) {
    out << (first ? "\n    " : ",\n    ") << dump(result_json(r), -1);
    first = false;
  });
  out << (first ? "]\n}\n" : "\n  ]\n}\n");
}

}  // namespace tb
