// Reciprocal rank fusion: the hybrid of lexical (BM25) and embedding retrieval.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace tb {

// Cormack, Clarke and Buettcher (SIGIR 2009): k = 60 damps the weight of the very first ranks,
// so one list's top hit cannot outvote agreement between the lists. Also the constant
// Elasticsearch, OpenSearch and Azure AI Search use by default.
inline constexpr double kRrfK = 60;

struct RankedItem {
  std::int64_t item = 0;  // e.g. a chunk's row in the index
  double score = 0;       // the list's own score (higher is better), or the fused one
};

// Fuses ranked lists (best first) into one: score(d) = sum over the lists that hold d of
// 1 / (k + rank of d in that list), ranks counted from 1. Best first; ties (the same fused
// score) go to the item with the better single rank, then to the smaller id, so the order is
// deterministic. Returns at most `limit` items.
std::vector<RankedItem> reciprocal_rank_fusion(std::span<const std::vector<RankedItem>> lists,
                                               std::size_t limit, double k = kRrfK);

}  // namespace tb
