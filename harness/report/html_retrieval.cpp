#include "report/html_retrieval.hpp"

#include <algorithm>

#include "common/text.hpp"
#include "report/html_table.hpp"
#include "report/report_text.hpp"
#include "report/retrieval_text.hpp"

namespace tb {
namespace {

std::string segment(double tokens, double scale, const char* color, const char* title) {
  const double w = scale > 0 ? std::clamp(tokens / scale, 0.0, 1.0) * 240 : 0;
  return "<span class=\"bar\" title=\"" + std::string(title) + "\" style=\"width:" + fixed(w, 0) +
         "px;background:" + color + ";border-radius:0\"></span>";
}

}  // namespace

void write_html_prompt_composition(const RunSummary& summary, std::ostream& h) {
  double scale = 0;
  for (const auto& v : summary.variants)
    if (v.split_results > 0)
      scale =
          std::max(scale, v.instruction_tokens_mean + v.context_tokens_mean + v.case_tokens_mean);
  if (scale == 0) return;
  h << "<h2>Prompt composition</h2>";
  open_html_table(h, "Mean prompt tokens per request by part",
                  {{"variant", true},
                   {"instructions"},
                   {"context"},
                   {"case"},
                   {"context share"},
                   {"<span class=\"bar\" style=\"width:10px;background:#4a7bd8\"></span> "
                    "instructions <span class=\"bar\" style=\"width:10px;background:#e8a33d\">"
                    "</span> context <span class=\"bar\" style=\"width:10px;background:#8a94a6\">"
                    "</span> case",
                    true}});
  for (const auto& v : summary.variants) {
    h << "<tr><th scope=\"row\" class=\"l\">" << html_escape(v.variant.id) << "</th>";
    if (v.split_results == 0) {
      h << "<td>\u2014</td><td>\u2014</td><td>\u2014</td><td>\u2014</td><td></td></tr>\n";
      continue;
    }
    h << "<td>" << format_count(v.instruction_tokens_mean) << "</td><td>"
      << format_count(v.context_tokens_mean) << "</td><td>" << format_count(v.case_tokens_mean)
      << "</td><td>" << (v.context_tokens_mean > 0 ? format_pct(v.context_share) : "\u2014")
      << "</td><td class=\"l\" style=\"white-space:nowrap\">"
      << segment(v.instruction_tokens_mean, scale, "#4a7bd8", "instructions")
      << segment(v.context_tokens_mean, scale, "#e8a33d", context_label(v).c_str())
      << segment(v.case_tokens_mean, scale, "#8a94a6", "case") << "</td></tr>\n";
  }
  close_html_table(h);
  h << "<p class=\"small\">Mean prompt tokens per request by part, counted with the "
       "model's tokenizer: the instructions (system messages before the case's own), the context "
       "that changes with the case (the passages a rag variant retrieved, what they add to the "
       "prompt, "
       "or a few-shot variant's worked examples), and the case's own messages. What "
       "retrieval costs in prompt length stands next to what a fine-tune saves.</p>\n";
}

void write_html_retrieval(const RunSummary& summary, std::ostream& h) {
  if (!has_retrieval(summary)) return;
  h << "<h2>Retrieval</h2>";
  open_html_table(h, "Retrieval quality against the gold passages, search time and embedding cost",
                  {{"variant", true},
                   {"method", true},
                   {"corpus", true},
                   {"k"},
                   {"recall@k"},
                   {"precision@k"},
                   {"MRR"},
                   {"nDCG@k"},
                   {"hit rate"},
                   {"results judged"},
                   {"conformance with / without a gold passage retrieved"},
                   {"search p50 / p95 ms"},
                   {"query embeddings / 1k requests"},
                   {"corpus embedded once"}});
  for (const auto& v : summary.variants) {
    if (!v.retrieval) continue;
    const RetrievalSummary& r = *v.retrieval;
    const auto& q = r.quality;
    h << "<tr><th scope=\"row\" class=\"l\">" << html_escape(v.variant.id)
      << "</th><td class=\"l\">" << html_escape(r.method) << "</td><td class=\"l\">"
      << html_escape(r.corpus) << " (" << with_thousands(r.documents) << " documents)</td><td>"
      << r.k << "</td>";
    if (q.judged > 0)
      h << "<td>" << format_pct(q.recall) << "</td><td>" << format_pct(q.precision) << "</td><td>"
        << fixed(q.mrr, 3) << "</td><td>" << fixed(q.ndcg, 3) << "</td><td>"
        << format_pct(q.hit_rate) << "</td><td>" << with_thousands(q.judged) << "</td><td>"
        << html_escape(hit_split_text(r)) << "</td>";
    else
      h << "<td colspan=\"7\" class=\"small\">no gold passages in the dataset</td>";
    h << "<td>" << fixed(r.retrieval_ms_p50, 2) << " / " << fixed(r.retrieval_ms_p95, 2)
      << "</td><td>"
      << format_usd(r.embedding_cost_total * 1000 /
                    std::max<double>(1, static_cast<double>(v.results)))
      << "</td><td>"
      << (r.index_embedding_tokens > 0 ? format_usd(r.index_cost) + " (" +
                                             with_thousands(r.index_embedding_tokens) + " tokens)"
                                       : std::string("\u2014"))
      << "</td></tr>\n";
  }
  close_html_table(h);
  h << "<p class=\"small\">Measured on the results whose case names its gold passages "
       "(<code>\"gold\": [\"doc-id\"]</code> on a dataset line): recall@k = share of gold passages "
       "among the k retrieved, precision@k = retrieved passages that are gold / k, MRR = mean of "
       "1 / rank of the first gold passage, nDCG@k with binary relevance, hit rate = share with "
       "at least one gold passage. A gold passage found twice (two chunks of it) counts once. "
       "Search time is the index's alone, apart from the model's latency; embedding a query "
       "counts in each request's cost, embedding the corpus is paid once.</p>\n";
}

}  // namespace tb
