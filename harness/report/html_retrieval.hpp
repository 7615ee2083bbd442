// The HTML report's sections on prompt composition and retrieval (see report/html_report.hpp).
#pragma once

#include <ostream>

#include "analysis/run_summary.hpp"

namespace tb {

// "Prompt composition": each variant's mean prompt by part (instructions, retrieved context,
// the case's own messages), as numbers and a stacked bar. Nothing when no part is known.
void write_html_prompt_composition(const RunSummary& summary, std::ostream& h);

// "Retrieval": per rag variant, its settings, recall@k, precision@k, MRR, nDCG@k and hit rate
// against the gold passages, search time and embedding costs. Nothing without rag variants.
void write_html_retrieval(const RunSummary& summary, std::ostream& h);

}  // namespace tb
