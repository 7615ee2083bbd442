#include <catch2/catch.hpp>

#include <cmath>

#include "analysis/retrieval_quality.hpp"

using namespace tb;

TEST_CASE("recall@k, precision@k, reciprocal rank and nDCG@k by hand", "[analysis][rag]") {
  // Ranked a, b, c (k = 3); gold b and d. Found: b at rank 2 only.
  const RankedPassage ranked[] = {{"a#0", "a"}, {"b#0", "b"}, {"c#0", "c"}};
  const std::vector<std::string> gold = {"b", "d"};
  const auto s = score_retrieval(ranked, gold, 3);
  CHECK(s.recall == Approx(0.5));           // 1 of 2 gold found
  CHECK(s.precision == Approx(1.0 / 3));    // 1 of the 3 retrieved is gold
  CHECK(s.reciprocal_rank == Approx(0.5));  // first find at rank 2
  // DCG = 1/log2(3) = 0.63093; ideal with 2 gold in 3 slots = 1 + 1/log2(3) = 1.63093.
  CHECK(s.ndcg == Approx(0.63093 / 1.63093).epsilon(1e-4));
  CHECK(s.hit);
}

TEST_CASE("a perfect ranking scores 1 and a miss scores 0", "[analysis][rag]") {
  const RankedPassage ranked[] = {{"x#0", "x"}, {"y#0", "y"}};
  const std::vector<std::string> gold = {"x"};
  const auto top = score_retrieval(ranked, gold, 2);
  CHECK(top.recall == 1);
  CHECK(top.precision == Approx(0.5));
  CHECK(top.reciprocal_rank == 1);
  CHECK(top.ndcg == Approx(1));
  const std::vector<std::string> other = {"z"};
  const auto miss = score_retrieval(ranked, other, 2);
  CHECK(miss.recall == 0);
  CHECK(miss.precision == 0);
  CHECK(miss.reciprocal_rank == 0);
  CHECK(miss.ndcg == 0);
  CHECK_FALSE(miss.hit);
}

TEST_CASE("a gold document found in two chunks counts once, and chunk ids match too",
          "[analysis][rag]") {
  // Two chunks of document d at ranks 1 and 2, then e#3, which is gold by its chunk id.
  const RankedPassage ranked[] = {{"d#0", "d"}, {"d#1", "d"}, {"e#3", "e"}};
  const std::vector<std::string> gold = {"d", "e#3"};
  const auto s = score_retrieval(ranked, gold, 3);
  CHECK(s.recall == 1);
  CHECK(s.precision == Approx(2.0 / 3));  // rank 2 repeats a find
  CHECK(s.reciprocal_rank == 1);
  // DCG = 1 + 1/log2(4) = 1.5; ideal with 2 gold = 1 + 1/log2(3) = 1.63093.
  CHECK(s.ndcg == Approx(1.5 / 1.63093).epsilon(1e-4));
  CHECK(s.ndcg <= 1);
  // Fewer passages than k: precision still divides by k.
  const RankedPassage one[] = {{"d#0", "d"}};
  CHECK(score_retrieval(one, gold, 4).precision == Approx(0.25));
  // Only the first k count.
  const std::vector<std::string> e = {"e"};
  CHECK(score_retrieval(ranked, e, 2).recall == 0);
}

TEST_CASE("the tally averages over the judged results; gold is read from its JSON",
          "[analysis][rag]") {
  RetrievalQualityTally t;
  CHECK(t.result().judged == 0);
  t.add({1, 0.5, 1, 1, true});
  t.add({0, 0, 0, 0, false});
  t.add({0.5, 0.25, 0.5, 0.6, true});
  const auto q = t.result();
  CHECK(q.judged == 3);
  CHECK(q.recall == Approx(0.5));
  CHECK(q.precision == Approx(0.25));
  CHECK(q.mrr == Approx(0.5));
  CHECK(q.ndcg == Approx(1.6 / 3));
  CHECK(q.hit_rate == Approx(2.0 / 3));
  CHECK(parse_gold(R"(["a","b#1"])") == std::vector<std::string>{"a", "b#1"});
  CHECK(parse_gold("").empty());
  CHECK(parse_gold("not json").empty());
}
