#include <catch2/catch.hpp>

#include "run/token_bucket.hpp"

using namespace tb;

namespace {
bool grant(TokenBucket& b, double cost, double now) {
  if (b.wait_ms(cost, now) > 0) return false;
  b.take(cost, now);
  return true;
}
}  // namespace

TEST_CASE("a bucket paces requests at its rate", "[limits]") {
  TokenBucket b(10, 1, 0);  // 10 per second, no burst beyond one
  CHECK(grant(b, 1, 0));
  CHECK(b.wait_ms(1, 0) == Approx(100));
  CHECK(b.wait_ms(1, 50) == Approx(50));
  CHECK(grant(b, 1, 100));
  // In any window of W ms at most rate*W + capacity requests pass.
  TokenBucket p(10, 1, 0);
  int granted = 0;
  for (double t = 0; t < 1000; t += 1) granted += grant(p, 1, t);
  CHECK(granted <= 11);
  CHECK(granted >= 10);
}

TEST_CASE("a cost beyond the capacity waits for a full bucket and leaves debt", "[limits]") {
  TokenBucket b(100, 100, 0);  // 100 tokens per second
  CHECK(grant(b, 250, 0));     // full bucket: granted, level -150
  CHECK(b.level(0) == Approx(-150));
  CHECK(b.wait_ms(10, 0) == Approx(1600));  // until the level reaches 10
  CHECK(grant(b, 10, 1600));
}

TEST_CASE("adjust corrects an estimate with the real cost", "[limits]") {
  TokenBucket b(100, 100, 0);
  CHECK(grant(b, 50, 0));
  b.adjust(30, 0);  // it really cost 80
  CHECK(b.level(0) == Approx(20));
  b.adjust(-100, 0);  // refunds never exceed the capacity
  CHECK(b.level(0) == Approx(100));
}
