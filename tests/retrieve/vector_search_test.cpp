#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "retrieve/vector_search.hpp"

using namespace tb;

TEST_CASE("normalize scales to unit length and refuses non-finite vectors", "[retrieve][vectors]") {
  std::vector<float> v = {3, 4};
  CHECK(normalize(v));
  CHECK(v[0] == Approx(0.6));
  CHECK(v[1] == Approx(0.8));
  std::vector<float> zero = {0, 0, 0};
  CHECK(normalize(zero));
  CHECK(zero == std::vector<float>{0, 0, 0});
  std::vector<float> bad = {1, std::numeric_limits<float>::quiet_NaN()};
  CHECK_FALSE(normalize(bad));
}

TEST_CASE("vector search ranks by cosine similarity, whatever the lengths", "[retrieve][vectors]") {
  VectorSearch search(3);
  CHECK(search.add(10, std::vector<float>{1, 0, 0}));
  CHECK(search.add(11, std::vector<float>{0, 5, 0}));        // long, on the query's minor axis
  CHECK(search.add(12, std::vector<float>{0.1f, 0.1f, 0}));  // short, between the two axes
  CHECK(search.add(13, std::vector<float>{-2, 0, 0}));       // opposite
  CHECK_FALSE(search.add(14, std::vector<float>{1, 0}));     // wrong size
  CHECK_FALSE(search.add(15, std::vector<float>{1, 0, std::numeric_limits<float>::infinity()}));
  CHECK(search.size() == 4);
  const std::vector<float> query = {2, 1, 0};
  const auto top = search.search(query, 3);
  REQUIRE(top.size() == 3);
  const double qn = std::sqrt(5.0);
  // The short vector at 45 degrees is nearer in angle than the long one on the main axis.
  CHECK(top[0].item == 12);
  CHECK(top[0].score == Approx(3 / (qn * std::sqrt(2.0))));
  CHECK(top[1].item == 10);
  CHECK(top[1].score == Approx(2 / qn));
  CHECK(top[2].item == 11);
  CHECK(top[2].score == Approx(1 / qn));
  CHECK(search.search(query, 10).back().item == 13);
  CHECK(search.search(query, 10).back().score == Approx(-2 / qn));
  CHECK(search.search(std::vector<float>{1, 0}, 3).empty());
  CHECK(search.search(query, 0).empty());
}

TEST_CASE("equal similarities go to the smaller item", "[retrieve][vectors]") {
  VectorSearch search(2);
  search.add(9, std::vector<float>{1, 1});
  search.add(4, std::vector<float>{2, 2});
  search.add(6, std::vector<float>{4, 4});  // powers of two: the unit rows are bit-identical
  const auto top = search.search(std::vector<float>{1, 1}, 3);
  REQUIRE(top.size() == 3);
  CHECK(top[0].item == 4);
  CHECK(top[1].item == 6);
  CHECK(top[2].item == 9);
}
