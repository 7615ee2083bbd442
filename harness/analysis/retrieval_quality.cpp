#include "analysis/retrieval_quality.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

namespace tb {

RetrievalScores score_retrieval(std::span<const RankedPassage> ranked,
                                std::span<const std::string> gold, int k) {
  RetrievalScores s;
  if (gold.empty() || k <= 0) return s;
  std::vector<bool> found(gold.size(), false);
  std::size_t finds = 0;
  double dcg = 0;
  const std::size_t depth = std::min(ranked.size(), static_cast<std::size_t>(k));
  for (std::size_t i = 0; i < depth; ++i) {
    bool relevant = false;
    for (std::size_t g = 0; g < gold.size(); ++g) {
      if (found[g] || (gold[g] != ranked[i].document_id && gold[g] != ranked[i].chunk_id)) continue;
      found[g] = true;
      relevant = true;
    }
    if (!relevant) continue;
    ++finds;
    dcg += 1.0 / std::log2(static_cast<double>(i) + 2.0);
    if (s.reciprocal_rank == 0) s.reciprocal_rank = 1.0 / static_cast<double>(i + 1);
  }
  double ideal = 0;
  for (std::size_t i = 0; i < std::min(gold.size(), static_cast<std::size_t>(k)); ++i)
    ideal += 1.0 / std::log2(static_cast<double>(i) + 2.0);
  const auto found_ids = static_cast<double>(std::count(found.begin(), found.end(), true));
  s.recall = found_ids / static_cast<double>(gold.size());
  s.precision = static_cast<double>(finds) / static_cast<double>(k);
  s.ndcg = ideal > 0 ? dcg / ideal : 0;
  s.hit = finds > 0;
  return s;
}

void RetrievalQualityTally::add(const RetrievalScores& s) {
  ++n_;
  recall_ += s.recall;
  precision_ += s.precision;
  rr_ += s.reciprocal_rank;
  ndcg_ += s.ndcg;
  hits_ += s.hit;
}

RetrievalQuality RetrievalQualityTally::result() const {
  RetrievalQuality q;
  q.judged = n_;
  if (n_ == 0) return q;
  const auto n = static_cast<double>(n_);
  q.recall = recall_ / n;
  q.precision = precision_ / n;
  q.mrr = rr_ / n;
  q.ndcg = ndcg_ / n;
  q.hit_rate = static_cast<double>(hits_) / n;
  return q;
}

std::vector<std::string> parse_gold(std::string_view gold_json) {
  std::vector<std::string> out;
  if (gold_json.empty()) return out;
  const auto j = nlohmann::json::parse(gold_json, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& g : j)
    if (g.is_string()) out.push_back(g.get<std::string>());
  return out;
}

}  // namespace tb
