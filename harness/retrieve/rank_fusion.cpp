#include "retrieve/rank_fusion.hpp"

#include <algorithm>
#include <limits>
#include <unordered_map>

namespace tb {

std::vector<RankedItem> reciprocal_rank_fusion(std::span<const std::vector<RankedItem>> lists,
                                               std::size_t limit, double k) {
  struct Fused {
    double score = 0;
    std::size_t best_rank = std::numeric_limits<std::size_t>::max();
  };
  std::unordered_map<std::int64_t, Fused> fused;
  for (const auto& list : lists) {
    for (std::size_t i = 0; i < list.size(); ++i) {
      Fused& f = fused[list[i].item];
      f.score += 1.0 / (k + static_cast<double>(i + 1));
      f.best_rank = std::min(f.best_rank, i + 1);
    }
  }
  std::vector<std::pair<std::int64_t, Fused>> ordered(fused.begin(), fused.end());
  std::sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
    if (a.second.score != b.second.score) return a.second.score > b.second.score;
    if (a.second.best_rank != b.second.best_rank) return a.second.best_rank < b.second.best_rank;
    return a.first < b.first;
  });
  std::vector<RankedItem> out;
  for (std::size_t i = 0; i < ordered.size() && i < limit; ++i)
    out.push_back({ordered[i].first, ordered[i].second.score});
  return out;
}

}  // namespace tb
