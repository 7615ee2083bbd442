#include <catch2/catch.hpp>

#include "retrieve/rank_fusion.hpp"

using namespace tb;

TEST_CASE("reciprocal rank fusion sums 1/(60 + rank) over the lists", "[retrieve][rrf]") {
  const std::vector<std::vector<RankedItem>> lists = {
      {{1, 9.0}, {2, 5.0}, {3, 1.0}},  // BM25 scores: only the order counts
      {{3, 0.9}, {2, 0.8}, {4, 0.7}},  // cosine similarities
  };
  const auto fused = reciprocal_rank_fusion(lists, 10);
  REQUIRE(fused.size() == 4);
  // 3: 1/63 + 1/61; 2: 1/62 + 1/62 (a hair less: 1/x is convex); 1: 1/61; 4: 1/63.
  CHECK(fused[0].item == 3);
  CHECK(fused[0].score == Approx(1.0 / 63 + 1.0 / 61).epsilon(1e-12));
  CHECK(fused[1].item == 2);
  CHECK(fused[1].score == Approx(2.0 / 62).epsilon(1e-12));
  CHECK(fused[2].item == 1);
  CHECK(fused[2].score == Approx(1.0 / 61).epsilon(1e-12));
  CHECK(fused[3].item == 4);
  CHECK(fused[3].score == Approx(1.0 / 63).epsilon(1e-12));
  // Agreement beats one list's top hit: both items found twice rank above item 1.
  CHECK(reciprocal_rank_fusion(lists, 2).size() == 2);
}

TEST_CASE("fusion ties go to the better single rank, then the smaller item", "[retrieve][rrf]") {
  // 7 and 8 each appear once at rank 1: equal scores, equal best ranks -> smaller id first.
  const std::vector<std::vector<RankedItem>> lists = {{{8, 1}}, {{7, 1}}};
  const auto fused = reciprocal_rank_fusion(lists, 5);
  REQUIRE(fused.size() == 2);
  CHECK(fused[0].item == 7);
  CHECK(fused[1].item == 8);
  // One list alone keeps its order; k changes the values, not the order.
  const std::vector<std::vector<RankedItem>> one = {{{5, 0}, {3, 0}, {9, 0}}};
  const auto single = reciprocal_rank_fusion(one, 5, 1.0);
  REQUIRE(single.size() == 3);
  CHECK(single[0].item == 5);
  CHECK(single[0].score == Approx(0.5));
  CHECK(single[2].item == 9);
  CHECK(single[2].score == Approx(0.25));
  CHECK(reciprocal_rank_fusion(std::vector<std::vector<RankedItem>>{}, 5).empty());
}
