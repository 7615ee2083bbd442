#pragma once
// The runner's pacing: how many requests may be in flight (ConcurrencyGate) and when an
// endpoint's next request may go (EndpointLimiter). Internal to the runner (run/runner*.cpp):
// both wait on timers of the runner's one io_context, and are used from its thread only.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <chrono>
#include <optional>

#include "run/token_bucket.hpp"
#include "suite/suite.hpp"

namespace tb {

// A timer's wait for `ms` milliseconds (a negative wait is none).
inline auto after_ms(double ms) {
  return std::chrono::microseconds(static_cast<long long>(std::max(0.0, ms) * 1000));
}

// Requests in flight may not exceed a limit that halves on a 429 (at most once a second, so a
// burst of 429s from one overload counts once) and grows back by one per `limit` successes.
class ConcurrencyGate {
 public:
  ConcurrencyGate(boost::asio::io_context& io, double max);

  // Takes a place when one is free; false when the caller must co_await enter().
  bool try_enter();
  boost::asio::awaitable<void> enter();
  void leave(bool rate_limited);

  void release_all() { wake_.cancel(); }
  double limit() const { return limit_; }

 private:
  using Clock = std::chrono::steady_clock;

  double limit_;
  double max_;
  long long in_flight_ = 0;
  Clock::time_point last_decrease_{};
  boost::asio::steady_timer wake_;
};

// An endpoint's request and token budgets (rpm, tpm), plus a pause that every worker respects
// after a 429 with a wait hint, so one throttled answer slows everyone, not just its worker.
class EndpointLimiter {
 public:
  EndpointLimiter(const Endpoint& e, double now_ms);

  // Takes the budget for a request when it is there now; false when the caller must wait
  // wait_ms() and try again (the runner's waits end when the run stops).
  bool try_acquire(double tokens);
  // How long until a request of `tokens` may go: the pause, then both budgets.
  double wait_ms(double tokens);

  void correct_tokens(double delta);
  void pause_for(double ms);

 private:
  double wait_ms(double tokens, double now);

  std::optional<TokenBucket> requests_;
  std::optional<TokenBucket> tokens_;
  double paused_until_ = 0;
};

}  // namespace tb
