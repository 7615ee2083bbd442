// How well a rag variant's retrieval found the passages a dataset names as gold: recall@k,
// precision@k, reciprocal rank, nDCG@k and hit rate, with binary relevance.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tb {

// One retrieved passage as ranked: a gold id matches it by document id or by chunk id.
struct RankedPassage {
  std::string_view chunk_id;
  std::string_view document_id;
};

// The measures of one retrieval. A gold id counts once, at the first passage it matches (two
// chunks of one gold document are one find), so every measure stays within 0..1.
struct RetrievalScores {
  double recall = 0;           // gold ids found / gold ids
  double precision = 0;        // passages that found a gold id / k
  double reciprocal_rank = 0;  // 1 / rank of the first find; 0 when none
  double ndcg = 0;             // DCG of the finds / DCG of min(gold, k) finds at the top
  bool hit = false;            // some gold id found
};

// `ranked` best first; `k` is what the variant asked for (precision divides by it even when
// fewer passages came back). `gold` must not be empty.
RetrievalScores score_retrieval(std::span<const RankedPassage> ranked,
                                std::span<const std::string> gold, int k);

// Means over the results that have gold passages.
struct RetrievalQuality {
  long long judged = 0;  // results whose case names gold passages
  double recall = 0, precision = 0, mrr = 0, ndcg = 0, hit_rate = 0;
};

class RetrievalQualityTally {
 public:
  void add(const RetrievalScores& s);
  RetrievalQuality result() const;

 private:
  long long n_ = 0;
  double recall_ = 0, precision_ = 0, rr_ = 0, ndcg_ = 0;
  long long hits_ = 0;
};

// A case's gold ids from their stored JSON array; empty when there are none or it is not one.
std::vector<std::string> parse_gold(std::string_view gold_json);

}  // namespace tb
