// Fills a RetrievalIndex with the embeddings it lacks, through an embeddings endpoint.
#pragma once

#include <functional>
#include <span>
#include <string>

#include "run/embeddings_client.hpp"
#include "retrieve/retrieval_index.hpp"

namespace tb {

// Texts embedded so far, texts to embed in all.
using EmbeddingProgress = std::function<void(std::size_t done, std::size_t total)>;

// Embeds those of `texts` that have no vector in the index's `space` yet (each once) and stores
// each batch as it arrives, so an interrupted or failed call keeps what it paid for. The
// outcome counts this call's requests and tokens only (zero when everything was stored).
EmbeddingsOutcome embed_into_index(RetrievalIndex& index, const EmbeddingsEndpoint& endpoint,
                                   const EmbeddingsOptions& options,
                                   std::span<const std::string> texts,
                                   const EmbeddingProgress& progress = {});

// The same for the chunks of the index that have no vector yet.
EmbeddingsOutcome embed_chunks(RetrievalIndex& index, const EmbeddingsEndpoint& endpoint,
                               const EmbeddingsOptions& options,
                               const EmbeddingProgress& progress = {});

}  // namespace tb
