// Nearest neighbours of a query embedding among the chunks' embeddings, by cosine similarity.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "retrieve/rank_fusion.hpp"

namespace tb {

// Scales a vector to unit length (left as is when it is all zeros); returns false for a vector
// holding NaN or infinity, which no similarity could rank.
bool normalize(std::span<float> vector);

// The vectors of a corpus as one row-major float32 matrix of unit rows, so the cosine
// similarities of a query with every chunk are one matrix-vector product (Eigen). Exact search:
// at the tens of thousands of chunks a prompt corpus holds, a scan of 1536-float rows takes
// about a millisecond, and no approximate index can return a wrong neighbour.
class VectorSearch {
 public:
  explicit VectorSearch(std::size_t dimensions);

  // Adds a row, normalized here; false (nothing added) when its size is not `dimensions` or
  // it is not finite.
  bool add(std::int64_t item, std::span<const float> vector);

  // The `k` rows most similar to `query` (normalized here), best first, score = cosine
  // similarity; ties go to the smaller item. Empty when the query does not fit.
  std::vector<RankedItem> search(std::span<const float> query, std::size_t k) const;

  std::size_t dimensions() const { return dimensions_; }
  std::size_t size() const { return items_.size(); }

 private:
  std::size_t dimensions_;
  std::vector<std::int64_t> items_;
  std::vector<float> rows_;  // items_.size() x dimensions_, row-major
};

}  // namespace tb
