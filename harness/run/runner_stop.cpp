// Stopping the Runner and its outcome: Ctrl-C (no new requests, a grace period for those in
// flight, a second Ctrl-C cancels them), --max-cost, the end of the workers, and the run's
// final status (done, interrupted or failed) with the message saying why.
#include <iostream>
#include <utility>

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
    if (stopping_) {  // a second Ctrl-C: no more grace
      client_.cancel_all();
      return;
    }
    const double grace = options_.grace_s.value_or(suite_.run.grace_s);
    if (!options_.quiet)
      std::cerr << "\ninterrupted: no new requests; waiting up to " << grace
                << " s for those in flight (Ctrl-C again to stop now)\n";
    stop("interrupted", true);
    grace_timer_.expires_after(after_ms(grace * 1000));
    grace_timer_.async_wait([this](const boost::system::error_code& timer_ec) {
      if (!timer_ec) client_.cancel_all();
    });
    listen_for_signals();
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
}

void Runner::worker_finished() {
  if (--live_workers_ > 0) return;
  signals_.cancel();
  ticker_.cancel();
  grace_timer_.cancel();
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
  store_.set_run_status(run_id_, outcome.status, true);
  return outcome;
}

}  // namespace tb
