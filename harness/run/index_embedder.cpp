#include "run/index_embedder.hpp"

#include <set>

namespace tb {
namespace {

EmbeddingsOutcome embed_missing(RetrievalIndex& index, const std::string& space,
                                const EmbeddingsEndpoint& endpoint,
                                const EmbeddingsOptions& options,
                                std::span<const std::string> missing,
                                const EmbeddingProgress& progress) {
  std::size_t done = 0;
  if (progress) progress(0, missing.size());
  return embed_texts(endpoint, options, missing,
                     [&](std::size_t first, std::vector<std::vector<float>>& vectors,
                         const std::vector<long long>& tokens) {
                       index.store_embeddings(space, missing.subspan(first, vectors.size()),
                                              vectors, tokens);
                       done += vectors.size();
                       if (progress) progress(done, missing.size());
                     });
}

}  // namespace

EmbeddingsOutcome embed_into_index(RetrievalIndex& index, const EmbeddingsEndpoint& endpoint,
                                   const EmbeddingsOptions& options,
                                   std::span<const std::string> texts,
                                   const EmbeddingProgress& progress) {
  const std::string space = embedding_space(endpoint, options.params);
  std::vector<std::string> missing;
  std::set<std::string_view> seen;
  for (const std::string& text : texts)
    if (seen.insert(text).second && !index.stored_embedding(space, text)) missing.push_back(text);
  return embed_missing(index, space, endpoint, options, missing, progress);
}

EmbeddingsOutcome embed_chunks(RetrievalIndex& index, const EmbeddingsEndpoint& endpoint,
                               const EmbeddingsOptions& options,
                               const EmbeddingProgress& progress) {
  const std::string space = embedding_space(endpoint, options.params);
  const std::vector<std::string> missing = index.chunks_without_embedding(space);
  return embed_missing(index, space, endpoint, options, missing, progress);
}

}  // namespace tb
