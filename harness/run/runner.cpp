// execute_run and the Runner's dispatch loop: workers take prepared jobs, send them (see
// runner_job.cpp) and hand the results to the writer, within the store's backpressure, the
// deadline and the stop (runner_stop.cpp); progress is reported on a ticker.
#include "run/runner.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>

#include "common/clock.hpp"
#include "common/text.hpp"
#include "run/runner_impl.hpp"

namespace tb {

namespace asio = boost::asio;

namespace {

using Clock = std::chrono::steady_clock;

std::string join_tags(const std::vector<std::string>& tags) {
  std::string out;
  for (const auto& t : tags) out += (out.empty() ? "" : ",") + t;
  return out;
}

// Results handed to the writer but not yet committed, beyond which workers wait.
constexpr long long kMaxUncommitted = 20000;

// A case's gold passages as the store keeps them: a JSON array, or nothing.
std::string gold_json(const std::vector<std::string>& gold) {
  return gold.empty() ? std::string() : nlohmann::json(gold).dump();
}

}  // namespace

Runner::Runner(const Suite& suite, const Preflight& preflight, const RunnerOptions& options)
    : suite_(suite),
      preflight_(preflight),
      options_(options),
      store_(options.db_path),
      client_(io_.get_executor()),
      plan_(suite, preflight.variants.size(), preflight.shard),
      signals_(io_, SIGINT, SIGTERM),
      ticker_(io_),
      grace_timer_(io_),
      deadline_timer_(io_),
      gate_(io_, options.concurrency.value_or(suite.run.concurrency)),
      jobs_ready_(io_),
      rng_(std::random_device{}()) {
  jobs_ready_.expires_at(Clock::time_point::max());
}

Runner::~Runner() {
  preparer_.reset();
}

RunOutcome Runner::run() {
  start_mocks();
  // rag variants: a resume compares their retrieval settings before anything is built or sent;
  // a new run is stored once their indexes and embeddings are ready, with the corpus's one-time
  // embedding cost.
  retrieval_settings_ = describe_retrieval(suite_, preflight_, urls_);
  for (const auto& rv : preflight_.variants)
    few_shot_.push_back(rv.variant->few_shot ? std::make_unique<FewShotSelector>(*rv.variant->few_shot)
                                             : nullptr);
  if (options_.resume) {
    attach_to_run(*options_.resume);
    retrieval_ = prepare_retrieval(suite_, preflight_, options_.db_path, urls_, options_.quiet);
  } else {
    retrieval_ = prepare_retrieval(suite_, preflight_, options_.db_path, urls_, options_.quiet);
    create_run();
  }
  writer_ = std::make_unique<ResultWriter>(options_.db_path);
  Diagnostic open_error;
  if (!plan_.open(open_error)) throw StoreError(open_error.to_string());
  plan_.on_case([this](const TestCase& c) {
    writer_->add_case({run_id_, static_cast<long long>(c.index), c.id, c.line, c.messages.dump(),
                       c.reference, join_tags(c.tags), c.content_hash, gold_json(c.gold)});
  });
  if (!done_.empty())
    plan_.skip(
        [this](std::size_t v, long long c, int r) { return done_.contains(job_key(v, c, r)); });

  for (const auto& [name, endpoint] : suite_.endpoints) {
    // A shard's share of the endpoint's limits: N shards together keep what one run would.
    Endpoint limited = endpoint;
    limited.rpm *= options_.limits_share;
    limited.tpm *= options_.limits_share;
    limiters_.try_emplace(name, limited, steady_ms());
  }
  const int concurrency = options_.concurrency.value_or(suite_.run.concurrency);
  const long long remaining = total_jobs_ - static_cast<long long>(done_.size());
  const long long workers = std::min<long long>(concurrency, std::max(0LL, remaining));
  live_workers_ = workers;
  // Jobs are prepared ahead on a thread of their own (see run/job_preparer.hpp); enough of them
  // to refill every worker twice, within bounds that keep memory flat at any concurrency.
  const auto lookahead =
      static_cast<std::size_t>(std::clamp<long long>(2LL * concurrency, 64, 4096));
  preparer_ = std::make_unique<JobPreparer>(
      plan_, [this](Job job) { return prepare(std::move(job)); }, lookahead,
      [this] { asio::post(io_, [this] { jobs_ready_.cancel(); }); });
  started_ms_ = steady_ms();
  deadline_s_ = options_.deadline_s ? options_.deadline_s : suite_.run.deadline_s;
  for (long long i = 0; i < workers; ++i) asio::co_spawn(io_, worker(), asio::detached);
  if (workers > 0) {
    listen_for_signals();
    watch_deadline();
    asio::co_spawn(io_, ticker(), asio::detached);
  }
  io_.run();
  preparer_.reset();  // before the writer goes: the preparer hands it the cases it reads

  const bool stored = writer_->flush();
  const auto storage_error = writer_->error();
  committed_at_end_ = writer_->committed_results();
  writer_.reset();
  progress_.finish(snapshot());
  return finish(stored, storage_error);
}

std::uint64_t Runner::job_key(std::size_t variant, long long case_index, int repeat) {
  // repeats <= 1000 and variants < 4096 keep the fields apart
  return (static_cast<std::uint64_t>(case_index) << 24) |
         (static_cast<std::uint64_t>(variant) << 12) | static_cast<std::uint64_t>(repeat);
}

// GCC reports -Wmismatched-new-delete on this coroutine's frame, which Asio allocates with
// aligned_new and frees with the frame's sized operator delete, once the allocation is inlined
// here: a false positive (GCC bug 109224, still open in GCC 15). ASan checks the real thing.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
asio::awaitable<void> Runner::worker() {
  asio::steady_timer timer(io_);
  while (!stopping_) {
    if (deadline_s_ && (steady_ms() - started_ms_) / 1000.0 >= *deadline_s_) {
      stop(deadline_reason(), true);  // the timer's interrupt() may not have run yet
      break;
    }
    // Backpressure: when the disk falls behind, stop taking jobs rather than queueing results
    // without bound (memory must follow what is in flight, not the run's length).
    if (auto failure = writer_->error()) {
      stop("storing results failed: " + *failure, false);
      break;
    }
    while (writer_->queued_results() - writer_->committed_results() > kMaxUncommitted &&
           !stopping_ && !writer_->error()) {
      timer.expires_after(std::chrono::milliseconds(5));
      boost::system::error_code ec;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    std::optional<PreparedJob> prepared;
    if (preparer_->take(prepared.emplace()) != JobPreparer::Take::job)
      prepared = co_await next_job();
    if (!prepared) break;
    const Job& job = prepared->job;
    auto record = co_await execute(*prepared, timer);
    if (!record) continue;  // abandoned at shutdown: no final result, so a resume redoes it
    if (record->status == "ok") {
      consecutive_errors_ = 0;
    } else {
      ++errors_;
      // Failures every later request to the endpoint would meet too: stop at the first.
      if (record->error_class == "auth")
        stop("authentication failed at endpoint " +
                 preflight_.variants[job.variant].endpoint->name + ": " + record->error_message,
             false);
      else if (record->error_class == "tls")
        stop("endpoint " + preflight_.variants[job.variant].endpoint->name + ": " +
                 record->error_message,
             false);
      else if (++consecutive_errors_ >= suite_.run.max_consecutive_errors)
        stop(std::to_string(consecutive_errors_) +
                 " requests failed in a row (error budget); last: " + record->error_message,
             false);
    }
    spend_ += record->cost_usd;
    cached_ += record->cached;
    writer_->add_result(std::move(*record));
  }
  worker_finished();
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

// The next prepared job; nothing at the end of the plan or once the run stops.
asio::awaitable<std::optional<PreparedJob>> Runner::next_job() {
  while (!stopping_) {
    PreparedJob prepared;
    switch (preparer_->take(prepared)) {
      case JobPreparer::Take::job:
        co_return prepared;
      case JobPreparer::Take::end:
        co_return std::nullopt;
      case JobPreparer::Take::none_yet: {
        boost::system::error_code ec;
        co_await jobs_ready_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        break;
      }
    }
  }
  co_return std::nullopt;
}

asio::awaitable<void> Runner::ticker() {
  boost::system::error_code ec;
  while (live_workers_ > 0) {
    ticker_.expires_after(std::chrono::milliseconds(250));
    co_await ticker_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    progress_.update(snapshot());
  }
}

ProgressSnapshot Runner::snapshot() const {
  ProgressSnapshot s;
  const long long before = static_cast<long long>(done_.size());
  s.done = before + (writer_ ? writer_->committed_results() : committed_at_end_);
  s.total = total_jobs_;
  s.errors = errors_;
  s.retries = retries_;
  s.spend_usd = spend_;
  s.elapsed_s = (steady_ms() - started_ms_) / 1000.0;
  s.rate_base = before;
  return s;
}

RunOutcome execute_run(const Suite& suite, const Preflight& preflight,
                       const RunnerOptions& options) {
  Runner runner(suite, preflight, options);
  return runner.run();
}

}  // namespace tb
