#include "report/retrieval_text.hpp"

#include <algorithm>

#include "common/text.hpp"
#include "report/report_text.hpp"

namespace tb {

bool has_retrieval(const RunSummary& summary) {
  for (const auto& v : summary.variants)
    if (v.retrieval) return true;
  return false;
}

bool has_context(const RunSummary& summary) {
  for (const auto& v : summary.variants)
    if (v.split_results > 0 && v.context_tokens_mean > 0) return true;
  return false;
}

std::string context_share_text(const VariantSummary& v) {
  if (v.split_results == 0 || v.context_tokens_mean <= 0) return "-";
  return format_pct(v.context_share);
}

std::string context_label(const VariantSummary& v) {
  if (v.retrieval) return "retrieved context";
  if (v.variant.kind == "few-shot") return "worked examples";
  return "context";
}

std::string recall_text(const VariantSummary& v) {
  if (!v.retrieval || v.retrieval->quality.judged == 0) return "-";
  return format_pct(v.retrieval->quality.recall);
}

std::string prompt_split_text(const VariantSummary& v) {
  if (v.split_results == 0) return "-";
  return format_count(v.instruction_tokens_mean) + " / " + format_count(v.context_tokens_mean) +
         " / " + format_count(v.case_tokens_mean);
}

std::string hit_split_text(const RetrievalSummary& r) {
  auto part = [](long long conformant, long long n) {
    return n == 0 ? std::string("-")
                  : format_pct(static_cast<double>(conformant) / static_cast<double>(n)) + " of " +
                        with_thousands(n);
  };
  return "conformance " + part(r.hit_conformant, r.hit_results) +
         " with a gold passage retrieved, " + part(r.miss_conformant, r.miss_results) + " without";
}

std::vector<std::string> retrieval_lines(const RunSummary& summary) {
  std::vector<std::string> lines;
  for (const auto& v : summary.variants) {
    if (!v.retrieval) continue;
    const RetrievalSummary& r = *v.retrieval;
    const std::string k = std::to_string(r.k);
    std::string line = v.variant.id + ": " + r.method + ", k=" + k + " from " + r.corpus + " (" +
                       with_thousands(r.documents) + " documents): ";
    if (r.quality.judged > 0) {
      const auto& q = r.quality;
      line += "recall@" + k + " " + format_pct(q.recall) + ", precision@" + k + " " +
              format_pct(q.precision) + ", MRR " + fixed(q.mrr, 3) + ", nDCG@" + k + " " +
              fixed(q.ndcg, 3) + ", hit rate " + format_pct(q.hit_rate) + " on " +
              with_thousands(q.judged) + (q.judged == 1 ? " result" : " results") +
              " with gold passages";
      line += "; " + hit_split_text(r);
    } else {
      line += "no gold passages to measure against (name them per case: \"gold\": [\"doc-id\"])";
    }
    line += "; search p50 " + fixed(r.retrieval_ms_p50, 2) + " ms, p95 " +
            fixed(r.retrieval_ms_p95, 2) + " ms";
    if (r.index_embedding_tokens > 0)
      line += "; embedding the queries " +
              format_usd(r.embedding_cost_total * 1000 /
                         std::max<double>(1, static_cast<double>(v.results))) +
              " per 1k requests (in the cost), the corpus once " + format_usd(r.index_cost) + " (" +
              with_thousands(r.index_embedding_tokens) + " tokens)";
    lines.push_back(line);
  }
  return lines;
}

}  // namespace tb
