#include "report/csv_report.hpp"

#include <algorithm>
#include <string>

#include "analysis/run_summary.hpp"
#include "analysis/self_hosted_cost.hpp"
#include "common/text.hpp"
#include "store/record_scrub.hpp"
#include "store/store.hpp"

namespace tb {

std::string csv_field(std::string_view value) {
  // Valid UTF-8 whatever the store holds (a database written before texts were made valid).
  std::string text(value);
  make_valid_utf8(text);
  // Formula injection (OWASP): a spreadsheet runs a cell starting with =, +, -, @, tab or CR as
  // a formula, and an answer is whatever a model or a server chose to write. A leading single
  // quote makes it text; the cell is quoted as well.
  if (!text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos)
    text.insert(0, 1, '\'');
  else if (text.find_first_of(",\"\r\n") == std::string::npos)
    return text;
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

namespace {

// A rag result's passages, best first: "chunk-id score; ...".
std::string retrieved_text(const ResultRecord& r) {
  std::string out;
  for (const auto& p : r.retrieved)
    out += (out.empty() ? "" : "; ") + p.chunk_id + " " + fixed(p.score, 4);
  return out;
}

}  // namespace

void write_csv_report(Store& store, long long run_id, std::ostream& out) {
  const auto run = store.run(run_id);
  const std::string simulated = run && run->simulated ? "yes" : "no";
  out << "run_id,simulated,variant,model,case_index,case_id,repeat,status,error_class,conformant,"
         "score,failed_checks,prompt_tokens,completion_tokens,cached_tokens,prompt_chars,"
         "latency_ms,ttft_ms,attempts,cached,cost_usd,usage_estimated,cost_basis,finish_reason,failure_kind,"
         "failure_path,instruction_tokens,context_tokens,case_tokens,retrieval_ms,embedding_tokens,"
         "retrieved,output\r\n";
  std::map<std::string, std::string> models;
  bool self_hosted = false;
  for (const auto& v : store.variants(run_id)) {
    models[v.id] = v.model;
    self_hosted |= self_hosted_from_params(v.params_json).has_value();
  }
  // A self-hosted variant's results are not billed: each gets its tokens' share of the GPU
  // time at the throughput the whole run measured (analysis/run_summary), labelled derived.
  std::map<std::string, double> usd_per_token;
  if (self_hosted)
    for (const auto& v : summarize_run(store, run_id).variants)
      if (v.self_hosted) usd_per_token[v.variant.id] = v.self_hosted->cost.usd_per_1m_tokens / 1e6;
  Store::ResultQuery query;
  query.with_checks = true;
  query.with_retrievals = true;
  store.for_each_result(run_id, query, [&](const ResultRecord& r) {
    std::string failed;
    for (const auto& c : r.checks)
      if (!c.passed)
        failed += (failed.empty() ? "" : "; ") + c.name + (c.detail.empty() ? "" : ": " + c.detail);
    if (r.status != "ok") failed = r.error_message;
    auto number = [](long long v) { return v >= 0 ? std::to_string(v) : std::string(); };
    const auto rate = usd_per_token.find(r.variant_id);
    const bool derived = rate != usd_per_token.end();
    const double cost =
        derived && r.status == "ok"
            ? r.cost_usd + rate->second * static_cast<double>(std::max(0LL, r.prompt_tokens >= 0 ? r.prompt_tokens
                                                                                               : r.local_prompt_tokens) +
                                                              std::max(0LL, r.completion_tokens))
            : r.cost_usd;
    out << run_id << ',' << simulated << ',' << csv_field(r.variant_id) << ','
        << csv_field(models[r.variant_id]) << ',' << r.case_index << ',' << csv_field(r.case_id)
        << ',' << r.repeat << ',' << r.status << ',' << r.error_class << ','
        << (r.conformant ? 1 : 0) << ',' << fixed(r.score, 4) << ',' << csv_field(failed) << ','
        << number(r.prompt_tokens) << ',' << number(r.completion_tokens) << ',' << r.cached_tokens
        << ',' << r.prompt_chars << ',' << fixed(r.latency_ms, 2) << ','
        << (r.ttft_ms >= 0 ? fixed(r.ttft_ms, 2) : std::string()) << ',' << r.attempts << ','
        << (r.cached ? 1 : 0) << ',' << fixed(cost, 8) << ',' << (r.usage_estimated ? 1 : 0) << ','
        << (derived ? "derived" : "billed")
        << ',' << csv_field(r.finish_reason) << ',' << csv_field(r.failure_kind) << ','
        << csv_field(r.failure_path) << ',' << number(r.instruction_tokens) << ','
        << number(r.context_tokens) << ',' << number(r.case_tokens) << ','
        << (r.retrieval_ms >= 0
                ? fixed(r.retrieval_ms, 3) + ',' + std::to_string(r.embedding_tokens)
                : std::string(","))
        << ',' << csv_field(retrieved_text(r)) << ',' << csv_field(r.output) << "\r\n";
  });
}

}  // namespace tb
