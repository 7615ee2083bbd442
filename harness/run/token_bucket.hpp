#pragma once

namespace tb {

// A token bucket for request and token rates that may run into debt: a cost larger than the
// capacity (one long prompt under a small TPM) is granted once the bucket is full, then repaid
// from the refill. Time is passed in, so the policy is tested without clocks.
class TokenBucket {
 public:
  // rate_per_s > 0; capacity >= 1 is the largest burst.
  TokenBucket(double rate_per_s, double capacity, double now_ms);

  // Milliseconds until `cost` may be taken (0 = now). Takes nothing.
  double wait_ms(double cost, double now_ms);
  // Takes `cost` (the level may go below zero).
  void take(double cost, double now_ms);
  // Corrects an estimate once the real cost is known (e.g. usage tokens after the answer).
  void adjust(double delta, double now_ms) { take(delta, now_ms); }
  double level(double now_ms);

 private:
  void refill(double now_ms);

  double rate_per_ms_;
  double capacity_;
  double level_;
  double last_ms_;
};

}  // namespace tb
