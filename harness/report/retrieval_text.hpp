// The rag strategy in words, shared by the terminal summary and the HTML report: what a
// variant's prompt is made of, and what its retrieval found and cost.
#pragma once

#include <string>
#include <vector>

#include "analysis/run_summary.hpp"

namespace tb {

// Whether any variant retrieved passages (the reports then show the retrieval columns).
bool has_retrieval(const RunSummary& summary);

// Whether any variant's prompt carries context that changes with the case: a rag variant's
// retrieved passages or a few-shot variant's worked examples (the reports then show its share).
bool has_context(const RunSummary& summary);

// "23.0%": the context's share of a variant's prompt; "-" for variants without context.
std::string context_share_text(const VariantSummary& v);
// What a variant's context is: "retrieved context" (rag), "worked examples" (few-shot).
std::string context_label(const VariantSummary& v);
// "recall@3 90.0%" parts: the value alone ("90.0%"), or "-" without retrieval or gold passages.
std::string recall_text(const VariantSummary& v);

// "782 / 236 / 9": mean tokens of instructions / retrieved context / the case's own messages.
std::string prompt_split_text(const VariantSummary& v);

// "conformance 88.7% of 53 with a gold passage retrieved, 57.1% of 7 without": how retrieval
// quality drives the answers.
std::string hit_split_text(const RetrievalSummary& r);

// One sentence per rag variant: method, k and corpus; recall@k, precision@k, MRR, nDCG@k and
// hit rate on the cases with gold passages; search time; what embedding costs.
std::vector<std::string> retrieval_lines(const RunSummary& summary);

}  // namespace tb
