// The mock's embedding model: deterministic vectors in which texts sharing words and word
// fragments lie close together, so retrieval by embeddings behaves plausibly without a model.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace tb {

// Hashed features into `dimensions` buckets, L2-normalized: every word (lowercased, runs of
// letters and digits; weight 1 + log(count), a tenth for the commonest English words) and the
// character trigrams of each word padded with '#' (weight 0.5), each added with a sign drawn
// from its hash (so unrelated features cancel rather than pile up). Same text, same vector, on
// every machine; texts sharing no feature are orthogonal but for hash collisions.
std::vector<float> mock_embedding(std::string_view text, std::size_t dimensions);

// The vector size the mock gives a model when the request names none: OpenAI's defaults
// (text-embedding-3-large 3072, everything else 1536).
std::size_t mock_embedding_dimensions(std::string_view model);

}  // namespace tb
