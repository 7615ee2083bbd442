#include "run/token_bucket.hpp"

#include <algorithm>

namespace tb {

TokenBucket::TokenBucket(double rate_per_s, double capacity, double now_ms)
    : rate_per_ms_(rate_per_s / 1000.0), capacity_(capacity), level_(capacity), last_ms_(now_ms) {}

void TokenBucket::refill(double now_ms) {
  if (now_ms > last_ms_) {
    level_ = std::min(capacity_, level_ + (now_ms - last_ms_) * rate_per_ms_);
    last_ms_ = now_ms;
  }
}

double TokenBucket::wait_ms(double cost, double now_ms) {
  refill(now_ms);
  // A cost beyond the capacity waits for a full bucket, so it cannot starve behind small ones.
  const double needed = std::min(cost, capacity_);
  return level_ >= needed ? 0 : (needed - level_) / rate_per_ms_;
}

void TokenBucket::take(double cost, double now_ms) {
  refill(now_ms);
  level_ = std::min(capacity_, level_ - cost);
}

double TokenBucket::level(double now_ms) {
  refill(now_ms);
  return level_;
}

}  // namespace tb
