#include "run/variant_retriever.hpp"

#include "common/clock.hpp"
#include "suite/passage_template.hpp"

namespace tb {

VariantRetriever::VariantRetriever(const RetrieveSpec& spec, std::shared_ptr<RetrievalIndex> index,
                                   std::string space)
    : spec_(spec),
      index_(std::move(index)),
      space_(std::move(space)),
      method_(parse_retrieval_method(spec.method).value_or(RetrievalMethod::bm25)) {}

std::shared_ptr<const CaseRetrieval> VariantRetriever::retrieve(const TestCase& test_case) {
  if (last_ && last_case_ == test_case.index) return last_;
  auto out = std::make_shared<CaseRetrieval>();
  const std::string query = retrieval_query(spec_.query, test_case.messages);
  const auto k = static_cast<std::size_t>(spec_.k);
  const double start = steady_ms();
  if (!query.empty()) {
    if (method_ == RetrievalMethod::bm25) {
      out->passages = index_->search_bm25(query, k);
    } else if (const auto vector = index_->stored_embedding(space_, query, &out->query_tokens)) {
      out->passages = method_ == RetrievalMethod::embeddings
                          ? index_->search_embeddings(space_, *vector, k)
                          : index_->search_hybrid(query, space_, *vector, k);
    } else {
      out->missing_vector = true;
    }
  }
  out->search_ms = steady_ms() - start;
  std::vector<PassageView> views;
  views.reserve(out->passages.size());
  for (const Passage& p : out->passages) {
    views.push_back({p.chunk_id, p.document_id, p.title, p.text, p.score});
    out->context += p.title + "\n" + p.text + "\n\n";
  }
  out->block = render_passage_block(spec_.passage_template, views);
  last_case_ = test_case.index;
  last_ = out;
  return last_;
}

}  // namespace tb
