// The embeddings of a RetrievalIndex: one table for every corpus and query, keyed by the space
// that made a vector and the SHA-256 of the exact text embedded.
#include "common/clock.hpp"
#include "common/hash.hpp"
#include "retrieve/index_db.hpp"
#include "store/store_error.hpp"

namespace tb {

std::vector<std::string> RetrievalIndex::chunks_without_embedding(const std::string& space) {
  auto q =
      impl_->db.prepare("SELECT c.title, c.text FROM " + impl_->chunks_table +
                        " c WHERE NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.space = ? AND "
                        "e.text_hash = c.embed_hash) GROUP BY c.embed_hash ORDER BY MIN(c.id)");
  q.bind(1, space);
  std::vector<std::string> texts;
  while (q.step()) texts.push_back(embedding_text(q.text_view(0), q.text_view(1)));
  return texts;
}

void RetrievalIndex::store_embeddings(const std::string& space, std::span<const std::string> texts,
                                      std::span<const std::vector<float>> vectors,
                                      std::span<const long long> tokens) {
  if (texts.size() != vectors.size() || texts.size() != tokens.size())
    throw StoreError("store_embeddings: " + std::to_string(texts.size()) + " texts, " +
                     std::to_string(vectors.size()) + " vectors and " +
                     std::to_string(tokens.size()) + " token counts");
  impl_->end_reading();
  Transaction transaction(impl_->db);
  auto insert = impl_->db.prepare(
      "INSERT OR IGNORE INTO embeddings(space, text_hash, dimensions, tokens, vector, created_at) "
      "VALUES(?, ?, ?, ?, ?, ?)");
  const std::string now = utc_now_iso8601();
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const std::string hash = sha256_hex(texts[i]);
    const std::string blob = vector_blob(vectors[i]);
    insert.bind(1, space)
        .bind(2, hash)
        .bind(3, static_cast<long long>(vectors[i].size()))
        .bind(4, tokens[i]);
    insert.bind_blob(5, blob).bind(6, now).run();
  }
  transaction.commit();
  impl_->vectors.erase(space);  // reloaded with the new rows on the next search
}

std::optional<std::vector<float>> RetrievalIndex::stored_embedding(const std::string& space,
                                                                   std::string_view text,
                                                                   long long* tokens) {
  if (!impl_->stored_vector.valid())
    impl_->stored_vector = impl_->db.prepare(
        "SELECT vector, tokens FROM embeddings WHERE space = ? AND text_hash = ?");
  const std::string hash = sha256_hex(text);
  impl_->stored_vector.bind(1, space).bind(2, hash);
  std::optional<std::vector<float>> out;
  if (impl_->stored_vector.step()) {
    out = blob_vector(impl_->stored_vector.blob_view(0));
    if (tokens != nullptr) *tokens = impl_->stored_vector.int64(1);
  }
  impl_->stored_vector.reset();
  return out;
}

RetrievalIndex::EmbeddingCoverage RetrievalIndex::embedding_coverage(const std::string& space) {
  auto q =
      impl_->db.prepare("SELECT COUNT(*), COALESCE(SUM(e.tokens), 0) FROM " + impl_->chunks_table +
                        " c JOIN embeddings e ON e.space = ? AND e.text_hash = c.embed_hash");
  q.bind(1, space);
  EmbeddingCoverage coverage;
  if (q.step()) {
    coverage.chunks = static_cast<std::size_t>(q.int64(0));
    coverage.tokens = q.int64(1);
  }
  return coverage;
}

const VectorSearch& RetrievalIndex::Impl::vectors_of(const std::string& space) {
  if (const auto it = vectors.find(space); it != vectors.end()) return it->second;
  auto q = db.prepare(
      "SELECT c.id, e.vector FROM " + chunks_table +
      " c JOIN embeddings e ON e.space = ? AND e.text_hash = c.embed_hash ORDER BY c.id");
  q.bind(1, space);
  std::optional<VectorSearch> search;
  while (q.step()) {
    const std::string_view blob = q.blob_view(1);
    if (!search) search.emplace(blob.size() / sizeof(float));
    // A row of another dimension (the endpoint changed its default size under the same model
    // name) cannot be compared with the rest: it is left out rather than mixed in.
    search->add(q.int64(0), blob_vector(blob));
  }
  return vectors.emplace(space, search ? std::move(*search) : VectorSearch(0)).first->second;
}

}  // namespace tb
