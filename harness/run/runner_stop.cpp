// Stopping the Runner and its outcome: Ctrl-C (no new requests, a grace period for those in
// flight, a second Ctrl-C cancels them), --max-cost, the end of the workers, and the run's
// final status (done, interrupted or failed) with the message saying why.
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <iostream>
#include <utility>

#include "common/clock.hpp"
#include "common/text.hpp"
#include "run/runner_impl.hpp"

namespace tb {

// The hint ends with the run's own id, never "latest": another run may land first.
std::string Runner::resume_command() const {
  return options_.resume_hint + " --resume " + std::to_string(run_id_);
}

namespace asio = boost::asio;

void Runner::listen_for_signals() {
  signals_.async_wait([this](const boost::system::error_code& ec, int) {
    if (ec) return;
    if (stopping_) {  // a second Ctrl-C (or one after the deadline): no more grace
      client_.cancel_all();
      return;
    }
    interrupt("interrupted", "interrupted");
    listen_for_signals();
  });
}

// The deadline is a timer, not only a check between jobs: a job waiting out a server's hint or
// a slow answer would otherwise hold the run past it.
void Runner::watch_deadline() {
  if (!deadline_s_) return;
  const double elapsed_ms = steady_ms() - started_ms_;
  deadline_timer_.expires_after(after_ms(*deadline_s_ * 1000 - elapsed_ms));
  deadline_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopping_) return;
    interrupt(deadline_reason(), "the deadline passed");
  });
}

std::string Runner::deadline_reason() const {
  return "the run deadline of " + format_seconds(*deadline_s_) + " passed";
}

void Runner::interrupt(std::string reason, const std::string& notice) {
  const double grace = options_.grace_s.value_or(suite_.run.grace_s);
  if (!options_.quiet)
    std::cerr << "\n"
              << notice << ": no new requests; waiting up to " << format_seconds(grace)
              << " for those in flight (Ctrl-C again to stop now)\n";
  stop(std::move(reason), true);
  grace_timer_.expires_after(after_ms(grace * 1000));
  grace_timer_.async_wait([this](const boost::system::error_code& timer_ec) {
    if (!timer_ec) client_.cancel_all();
  });
}

void Runner::stop(std::string reason, bool resumable) {
  if (stopping_) return;
  stopping_ = true;
  stop_reason_ = std::move(reason);
  stop_resumable_ = resumable;
  gate_.release_all();
  if (preparer_) preparer_->stop();
  jobs_ready_.cancel();
  for (auto* timer : waiting_) timer->cancel();  // backoff, server hints, pacing
}

asio::awaitable<bool> Runner::wait_unless_stopped(asio::steady_timer& timer, double ms) {
  if (stopping_) co_return false;
  timer.expires_after(after_ms(ms));
  waiting_.insert(&timer);
  boost::system::error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  waiting_.erase(&timer);
  co_return !stopping_;
}

void Runner::worker_finished() {
  if (--live_workers_ > 0) return;
  signals_.cancel();
  ticker_.cancel();
  grace_timer_.cancel();
  deadline_timer_.cancel();
}

// Whether dispatching this job could take the spend past --max-cost, counting what the
// requests in flight may still cost.
bool Runner::over_budget(double job_estimate) {
  if (!options_.max_cost_usd) return false;
  return spend_ + in_flight_cost_ + job_estimate > *options_.max_cost_usd;
}

RunOutcome Runner::finish(bool stored, const std::optional<std::string>& storage_error) {
  RunOutcome outcome;
  outcome.run_id = run_id_;
  outcome.results = store_.count_results(run_id_);
  outcome.errors = errors_;
  outcome.cached = cached_;
  outcome.sent = sent_;
  outcome.embeddings_requests = retrieval_.embeddings_requests;
  outcome.judge_calls = judge_calls_;
  outcome.judge_cached = judge_cached_;
  outcome.judge_cost_usd = judge_cost_;
  if (!stored) {
    outcome.status = "failed";
    outcome.message = "storing results failed: " + storage_error.value_or("unknown error");
  } else if (plan_.error()) {
    outcome.status = "failed";
    outcome.message = plan_.error()->to_string();
  } else if (!stop_reason_.empty() && stop_resumable_) {
    outcome.status = "interrupted";
    outcome.message = stop_reason_ + "; " + std::to_string(outcome.results) + " of " +
                      std::to_string(total_jobs_) + " results are stored";
    if (!options_.resume_hint.empty()) outcome.message += "; resume with: " + resume_command();
  } else if (!stop_reason_.empty()) {
    outcome.status = "failed";
    outcome.message = stop_reason_;
    if (!options_.resume_hint.empty())
      outcome.message += "; after fixing it, resume with: " + resume_command();
  } else if (outcome.results < total_jobs_) {
    outcome.status = "interrupted";
    outcome.message = std::to_string(total_jobs_ - outcome.results) + " jobs have no result";
  } else {
    outcome.status = "done";
  }
  try {
    store_.set_run_status(run_id_, outcome.status, true);
  } catch (const StoreError& e) {
    // The same disk or lock that stopped the writer: the run stays stored as running, and reads
    // as interrupted (stale) once this process is gone (its lease dies with it).
    outcome.message += std::string(outcome.message.empty() ? "" : "; ") +
                       "its status could not be stored either (" + e.what() +
                       "): it shows as interrupted (stale) once this process ends";
    if (outcome.status == "done") outcome.status = "failed";
  }
  return outcome;
}

}  // namespace tb
