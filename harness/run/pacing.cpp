// The runner's pacing.
#include "run/pacing.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cmath>

#include "common/clock.hpp"

namespace tb {

namespace asio = boost::asio;

ConcurrencyGate::ConcurrencyGate(asio::io_context& io, double max)
    : limit_(max), max_(max), wake_(io) {
  wake_.expires_at(Clock::time_point::max());
}

bool ConcurrencyGate::try_enter() {
  if (static_cast<double>(in_flight_) >= std::floor(limit_)) return false;
  ++in_flight_;
  return true;
}

asio::awaitable<void> ConcurrencyGate::enter() {
  while (!try_enter()) {
    boost::system::error_code ec;
    co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

void ConcurrencyGate::leave(bool rate_limited) {
  --in_flight_;
  if (rate_limited) {
    const auto now = Clock::now();
    if (now - last_decrease_ > std::chrono::seconds(1)) {
      limit_ = std::max(1.0, std::floor(limit_ / 2));
      last_decrease_ = now;
    }
  } else {
    limit_ = std::min(max_, limit_ + 1.0 / limit_);
  }
  wake_.cancel_one();
}

EndpointLimiter::EndpointLimiter(const Endpoint& e, double now_ms) {
  // Requests are paced evenly (capacity 1): providers enforce per-minute limits over much
  // shorter windows, so a minute's burst at the start would be throttled anyway.
  if (e.rpm > 0) requests_.emplace(e.rpm / 60.0, 1.0, now_ms);
  if (e.tpm > 0) tokens_.emplace(e.tpm / 60.0, std::max(1.0, e.tpm / 60.0), now_ms);
}

bool EndpointLimiter::try_acquire(double tokens) {
  const double now = steady_ms();
  if (wait_ms(tokens, now) > 0) return false;
  if (requests_) requests_->take(1, now);
  if (tokens_) tokens_->take(tokens, now);
  return true;
}

double EndpointLimiter::wait_ms(double tokens) {
  return wait_ms(tokens, steady_ms());
}

void EndpointLimiter::correct_tokens(double delta) {
  if (tokens_) tokens_->adjust(delta, steady_ms());
}

void EndpointLimiter::pause_for(double ms) {
  paused_until_ = std::max(paused_until_, steady_ms() + ms);
}

double EndpointLimiter::wait_ms(double tokens, double now) {
  double wait = std::max(0.0, paused_until_ - now);
  if (requests_) wait = std::max(wait, requests_->wait_ms(1, now));
  if (tokens_) wait = std::max(wait, tokens_->wait_ms(tokens, now));
  return wait;
}

}  // namespace tb
