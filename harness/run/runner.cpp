#include "run/runner.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <random>
#include <unordered_set>

#include "analysis/cost.hpp"
#include "common/clock.hpp"
#include "common/hash.hpp"
#include "common/secrets.hpp"
#include "mock/mock_server.hpp"
#include "net/http_client.hpp"
#include "provider/chat_request.hpp"
#include "provider/chat_response.hpp"
#include "provider/chat_stream.hpp"
#include "run/job_preparer.hpp"
#include "run/plan.hpp"
#include "run/progress.hpp"
#include "run/retry_policy.hpp"
#include "run/token_bucket.hpp"
#include "score/scorer.hpp"
#include "store/result_writer.hpp"
#include "store/store.hpp"
#include "suite/prompt_renderer.hpp"
#include "token/chat_messages.hpp"

namespace tb {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

auto after_ms(double ms) { return std::chrono::microseconds(static_cast<long long>(std::max(0.0, ms) * 1000)); }

std::string join_tags(const std::vector<std::string>& tags) {
  std::string out;
  for (const auto& t : tags) out += (out.empty() ? "" : ",") + t;
  return out;
}

// Requests in flight may not exceed a limit that halves on a 429 (at most once a second, so a
// burst of 429s from one overload counts once) and grows back by one per `limit` successes.
class ConcurrencyGate {
 public:
  ConcurrencyGate(asio::io_context& io, double max) : limit_(max), max_(max), wake_(io) {
    wake_.expires_at(Clock::time_point::max());
  }

  // Takes a place when one is free; false when the caller must co_await enter().
  bool try_enter() {
    if (static_cast<double>(in_flight_) >= std::floor(limit_)) return false;
    ++in_flight_;
    return true;
  }

  asio::awaitable<void> enter() {
    while (!try_enter()) {
      boost::system::error_code ec;
      co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  void leave(bool rate_limited) {
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

  void release_all() { wake_.cancel(); }
  double limit() const { return limit_; }

 private:
  double limit_;
  double max_;
  long long in_flight_ = 0;
  Clock::time_point last_decrease_{};
  asio::steady_timer wake_;
};

// An endpoint's request and token budgets (rpm, tpm), plus a pause that every worker respects
// after a 429 with a wait hint, so one throttled answer slows everyone, not just its worker.
class EndpointLimiter {
 public:
  EndpointLimiter(const Endpoint& e, double now_ms) {
    // Requests are paced evenly (capacity 1): providers enforce per-minute limits over much
    // shorter windows, so a minute's burst at the start would be throttled anyway.
    if (e.rpm > 0) requests_.emplace(e.rpm / 60.0, 1.0, now_ms);
    if (e.tpm > 0) tokens_.emplace(e.tpm / 60.0, std::max(1.0, e.tpm / 60.0), now_ms);
  }

  // Takes the budget for a request when it is there now; false when the caller must co_await
  // acquire(). Most requests find it there: no coroutine frame for them.
  bool try_acquire(double tokens) {
    const double now = steady_ms();
    if (wait_ms(tokens, now) > 0) return false;
    if (requests_) requests_->take(1, now);
    if (tokens_) tokens_->take(tokens, now);
    return true;
  }

  asio::awaitable<void> acquire(double tokens, asio::steady_timer& timer) {
    while (!try_acquire(tokens)) {
      timer.expires_after(after_ms(wait_ms(tokens, steady_ms())));
      boost::system::error_code ec;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  void correct_tokens(double delta) {
    if (tokens_) tokens_->adjust(delta, steady_ms());
  }
  void pause_for(double ms) { paused_until_ = std::max(paused_until_, steady_ms() + ms); }

 private:
  // How long until a request of `tokens` may go: the pause, then both budgets.
  double wait_ms(double tokens, double now) {
    double wait = std::max(0.0, paused_until_ - now);
    if (requests_) wait = std::max(wait, requests_->wait_ms(1, now));
    if (tokens_) wait = std::max(wait, tokens_->wait_ms(tokens, now));
    return wait;
  }

  std::optional<TokenBucket> requests_;
  std::optional<TokenBucket> tokens_;
  double paused_until_ = 0;
};

// Tokens a request will count against a TPM budget, before the answer says: characters / 4
// plus the per-message overhead, and the completion it may produce.
double estimate_tokens(const nlohmann::json& messages, std::size_t prompt_chars, std::optional<int> max_tokens) {
  return static_cast<double>(prompt_chars) / 4.0 + 4.0 * static_cast<double>(messages.size()) + 3 +
         static_cast<double>(max_tokens.value_or(0));
}

struct Attempt {
  HttpResponse response;
  ChatResponse parsed;
  double latency_ms = 0;
  double ttft_ms = -1;
  double itl_ms = -1;
  double output_tps = -1;
};

// Results handed to the writer but not yet committed, beyond which workers wait.
constexpr long long kMaxUncommitted = 20000;

class Runner {
 public:
  Runner(const Suite& suite, const Preflight& preflight, const RunnerOptions& options)
      : suite_(suite),
        preflight_(preflight),
        options_(options),
        store_(options.db_path),
        client_(io_.get_executor()),
        plan_(suite, preflight.variants.size()),
        signals_(io_, SIGINT, SIGTERM),
        ticker_(io_),
        grace_timer_(io_),
        gate_(io_, options.concurrency.value_or(suite.run.concurrency)),
        jobs_ready_(io_),
        rng_(std::random_device{}()) {
    jobs_ready_.expires_at(Clock::time_point::max());
  }
  // The preparer's thread reads members declared after it (the writer, the URLs, the token
  // memo): it must end first, also when an exception leaves run().
  ~Runner() { preparer_.reset(); }
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  RunOutcome run() {
    start_mocks();
    if (options_.resume) attach_to_run(*options_.resume);
    else create_run();
    writer_ = std::make_unique<ResultWriter>(options_.db_path);
    Diagnostic open_error;
    if (!plan_.open(open_error)) throw StoreError(open_error.to_string());
    plan_.on_case([this](const TestCase& c) {
      writer_->add_case({run_id_, static_cast<long long>(c.index), c.id, c.line, c.messages.dump(),
                         c.reference, join_tags(c.tags), c.content_hash});
    });
    if (!done_.empty())
      plan_.skip([this](std::size_t v, long long c, int r) { return done_.contains(job_key(v, c, r)); });

    for (const auto& [name, endpoint] : suite_.endpoints) limiters_.try_emplace(name, endpoint, steady_ms());
    const int concurrency = options_.concurrency.value_or(suite_.run.concurrency);
    const long long remaining = total_jobs_ - static_cast<long long>(done_.size());
    const long long workers = std::min<long long>(concurrency, std::max(0LL, remaining));
    live_workers_ = workers;
    // Jobs are prepared ahead on a thread of their own (see run/job_preparer.hpp); enough of them
    // to refill every worker twice, within bounds that keep memory flat at any concurrency.
    const auto lookahead = static_cast<std::size_t>(std::clamp<long long>(2LL * concurrency, 64, 4096));
    preparer_ = std::make_unique<JobPreparer>(
        plan_, [this](Job job) { return prepare(std::move(job)); }, lookahead,
        [this] { asio::post(io_, [this] { jobs_ready_.cancel(); }); });
    started_ms_ = steady_ms();
    deadline_s_ = options_.deadline_s ? options_.deadline_s : suite_.run.deadline_s;
    for (long long i = 0; i < workers; ++i) asio::co_spawn(io_, worker(), asio::detached);
    if (workers > 0) {
      listen_for_signals();
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

 private:
  static std::uint64_t job_key(std::size_t variant, long long case_index, int repeat) {
    // repeats <= 1000 and variants < 4096 keep the fields apart
    return (static_cast<std::uint64_t>(case_index) << 24) | (static_cast<std::uint64_t>(variant) << 12) |
           static_cast<std::uint64_t>(repeat);
  }

  RunOutcome finish(bool stored, const std::optional<std::string>& storage_error) {
    RunOutcome outcome;
    outcome.run_id = run_id_;
    outcome.results = store_.count_results(run_id_);
    outcome.errors = errors_;
    outcome.cached = cached_;
    outcome.sent = sent_;
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
      if (!options_.resume_hint.empty()) outcome.message += "; resume with: " + options_.resume_hint;
    } else if (!stop_reason_.empty()) {
      outcome.status = "failed";
      outcome.message = stop_reason_;
      if (!options_.resume_hint.empty()) outcome.message += "; after fixing it, resume with: " + options_.resume_hint;
    } else if (outcome.results < total_jobs_) {
      outcome.status = "interrupted";
      outcome.message = std::to_string(total_jobs_ - outcome.results) + " jobs have no result";
    } else {
      outcome.status = "done";
    }
    store_.set_run_status(run_id_, outcome.status, true);
    return outcome;
  }

  void start_mocks() {
    for (const auto& [name, endpoint] : suite_.endpoints) {
      std::string base_url = endpoint.base_url;
      if (endpoint.kind == EndpointKind::mock) {
        MockConfig config = default_mock_config();
        Diagnostics errors;
        if (!parse_mock_config(endpoint.mock, suite_.display_file + ": endpoints." + name + ".mock", config, errors))
          throw StoreError(errors.to_string());
        MockModel model(config);
        std::string error;
        if (!model.load_dataset(suite_.dataset_file, error)) throw StoreError(error);
        auto server = std::make_unique<MockServer>(std::move(model));
        if (!server->start("127.0.0.1", 0, error)) throw StoreError(error);
        base_url = "http://127.0.0.1:" + std::to_string(server->port()) + "/v1";
        mocks_.push_back(std::move(server));
        // The in-process mock listens on a new port every run: its answers are keyed by what
        // decides them instead (its settings and the dataset it answers from), so a re-run of an
        // unchanged suite is answered from the cache as with a real endpoint.
        std::error_code size_ec, time_ec;
        const auto size = std::filesystem::file_size(suite_.dataset_file, size_ec);
        const auto modified = std::filesystem::last_write_time(suite_.dataset_file, time_ec);
        cache_origins_[name] = "mock://" + name + " " + endpoint.mock.dump() + " " + suite_.dataset_file.string() + " " +
                               std::to_string(size_ec ? 0 : size) + " " +
                               std::to_string(time_ec ? 0 : modified.time_since_epoch().count());
      }
      std::string error;
      auto url = parse_url(base_url, error);
      if (!url) throw StoreError("endpoint " + name + ": " + error);
      if (endpoint.insecure && url->tls)
        std::cerr << "WARNING: endpoint " << name << " has insecure: true; TLS certificates are NOT verified\n";
      urls_[name] = *url;
      cache_origins_.try_emplace(name, url->origin());
    }
  }

  std::vector<VariantRecord> variant_records() const {
    std::vector<VariantRecord> variants;
    int position = 0;
    for (const auto& rv : preflight_.variants) {
      const Variant& v = *rv.variant;
      VariantRecord r;
      r.id = v.id;
      r.position = position++;
      r.kind = std::string(to_string(v.kind));
      r.endpoint = v.endpoint;
      r.endpoint_kind = std::string(to_string(rv.endpoint->kind));
      r.base_url = Secrets::redact(rv.endpoint->kind == EndpointKind::mock ? "mock (in-process)" : rv.endpoint->base_url);
      r.model = v.model;
      r.system_prompt = v.system.value_or("");
      nlohmann::json params = nlohmann::json::object();
      if (v.temperature) params["temperature"] = *v.temperature;
      if (v.max_tokens) params["max_tokens"] = *v.max_tokens;
      if (v.seed) params["seed"] = *v.seed;
      if (v.stream) params["stream"] = true;
      if (!v.response_format.is_null()) params["response_format"] = v.response_format;
      if (!v.extra_body.is_null()) params["extra_body"] = v.extra_body;
      r.params_json = Secrets::redact(params.dump());
      r.price_input = rv.price.input;
      r.price_cached_input = rv.price.cached_input;
      r.price_output = rv.price.output;
      r.price_training = rv.price.training;
      if (v.training) {
        r.training_tokens = v.training->tokens;
        r.training_epochs = v.training->epochs;
        r.training_cost_usd = v.training->cost_usd;
      }
      r.simulated = rv.endpoint->kind == EndpointKind::mock;
      r.is_baseline = v.id == suite_.baseline;
      variants.push_back(std::move(r));
    }
    return variants;
  }

  void create_run() {
    RunRecord run;
    run.suite_name = suite_.name;
    run.suite_file = suite_.display_file;
    run.suite_json = Secrets::redact(suite_.source.dump());
    run.dataset_file = suite_.dataset_display;
    run.baseline = suite_.baseline;
    run.started_at = utc_now_iso8601();
    run.status = "running";
    run.simulated = preflight_.simulated;
    run.cases = preflight_.cases;
    run.repeats = suite_.run.repeats;
    run.total_jobs = preflight_.cases * static_cast<long long>(preflight_.variants.size()) * suite_.run.repeats;
    run.monthly_requests = suite_.decide.monthly_requests;
    run.tool_version = TUNEBENCH_VERSION;
    run.price_catalog = preflight_.price_catalog;
    total_jobs_ = run.total_jobs;
    run_id_ = store_.create_run(run, variant_records());
    if (!options_.quiet && !preflight_.tokenizer_note.empty()) std::cerr << "note: " << preflight_.tokenizer_note << "\n";
    if (!options_.quiet)
      std::cerr << "run " << run_id_ << ": " << suite_.name << ", " << preflight_.cases << " cases x "
                << preflight_.variants.size() << " variants x " << suite_.run.repeats << " repeats = "
                << total_jobs_ << " requests" << (preflight_.simulated ? " (simulated by the built-in mock)" : "")
                << "\n";
  }

  // A resumed run must be the same experiment: same suite, variants, models and job count.
  void attach_to_run(long long id) {
    const auto run = store_.run(id);
    if (!run) throw StoreError("no run " + std::to_string(id) + " in " + options_.db_path.string() + " to resume");
    const long long total =
        preflight_.cases * static_cast<long long>(preflight_.variants.size()) * suite_.run.repeats;
    if (run->suite_name != suite_.name || run->total_jobs != total)
      throw StoreError("run " + std::to_string(id) + " is \"" + run->suite_name + "\" with " +
                       std::to_string(run->total_jobs) + " jobs; this suite is \"" + suite_.name + "\" with " +
                       std::to_string(total) + " jobs: resume it with the suite that started it");
    const auto stored = store_.variants(id);
    const auto wanted = variant_records();
    if (stored.size() != wanted.size())
      throw StoreError("run " + std::to_string(id) + " has " + std::to_string(stored.size()) + " variants; the suite has " +
                       std::to_string(wanted.size()));
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < wanted.size(); ++i) {
      if (stored[i].id != wanted[i].id || stored[i].model != wanted[i].model ||
          stored[i].system_prompt != wanted[i].system_prompt || stored[i].params_json != wanted[i].params_json)
        throw StoreError("variant " + wanted[i].id + " differs from the one run " + std::to_string(id) +
                         " started with (id, model, prompt or parameters): start a new run instead");
      index[wanted[i].id] = i;
    }
    for (const auto& [variant, case_index, repeat] : store_.completed_jobs(id))
      if (auto it = index.find(variant); it != index.end()) done_.insert(job_key(it->second, case_index, repeat));
    run_id_ = id;
    total_jobs_ = total;
    store_.set_run_status(id, "running", false);
    if (!options_.quiet)
      std::cerr << "resuming run " << id << ": " << done_.size() << " of " << total << " jobs already have a result\n";
  }

  void listen_for_signals() {
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

  void stop(std::string reason, bool resumable) {
    if (stopping_) return;
    stopping_ = true;
    stop_reason_ = std::move(reason);
    stop_resumable_ = resumable;
    gate_.release_all();
    if (preparer_) preparer_->stop();
    jobs_ready_.cancel();
  }

  void worker_finished() {
    if (--live_workers_ > 0) return;
    signals_.cancel();
    ticker_.cancel();
    grace_timer_.cancel();
  }

  // Whether dispatching this job could take the spend past --max-cost, counting what the
  // requests in flight may still cost.
  bool over_budget(double job_estimate) {
    if (!options_.max_cost_usd) return false;
    return spend_ + in_flight_cost_ + job_estimate > *options_.max_cost_usd;
  }

  asio::awaitable<void> worker() {
    asio::steady_timer timer(io_);
    while (!stopping_) {
      if (deadline_s_ && (steady_ms() - started_ms_) / 1000.0 >= *deadline_s_) {
        stop("the run deadline of " + std::to_string(static_cast<long long>(*deadline_s_)) + " s passed", true);
        break;
      }
      // Backpressure: when the disk falls behind, stop taking jobs rather than queueing results
      // without bound (memory must follow what is in flight, not the run's length).
      if (auto failure = writer_->error()) {
        stop("storing results failed: " + *failure, false);
        break;
      }
      while (writer_->queued_results() - writer_->committed_results() > kMaxUncommitted && !stopping_ &&
             !writer_->error()) {
        timer.expires_after(std::chrono::milliseconds(5));
        boost::system::error_code ec;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      }
      std::optional<PreparedJob> prepared;
      if (preparer_->take(prepared.emplace()) != JobPreparer::Take::job) prepared = co_await next_job();
      if (!prepared) break;
      const Job& job = prepared->job;
      auto record = co_await execute(*prepared, timer);
      if (!record) continue;  // abandoned at shutdown: no final result, so a resume redoes it
      if (record->status == "ok") {
        consecutive_errors_ = 0;
      } else {
        ++errors_;
        if (record->error_class == "auth")
          stop("authentication failed at endpoint " + preflight_.variants[job.variant].endpoint->name + ": " +
                   record->error_message,
               false);
        else if (++consecutive_errors_ >= suite_.run.max_consecutive_errors)
          stop(std::to_string(consecutive_errors_) + " requests failed in a row (error budget); last: " +
                   record->error_message,
               false);
      }
      spend_ += record->cost_usd;
      cached_ += record->cached;
      writer_->add_result(std::move(*record));
    }
    worker_finished();
  }

  // The next prepared job; nothing at the end of the plan or once the run stops.
  asio::awaitable<std::optional<PreparedJob>> next_job() {
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

  static std::string cache_key(const std::string& origin, const std::string& target, const std::string& body,
                               int repeat) {
    return sha256_hex(origin + target + "\n" + body + "\n#" + std::to_string(repeat));
  }

  asio::awaitable<Attempt> send_once(const HttpRequest& base, bool stream) {
    // Sent after the answers already in hand are handled: requests then leave in bursts, and the
    // server wakes once per burst instead of once per request (a third more requests per second
    // against a fast local server). The latency clock starts after this wait.
    co_await asio::post(io_, asio::use_awaitable);
    Attempt a;
    ChatStream chat_stream;
    const double start = steady_ms();
    ++sent_;
    if (stream) {  // the only case that needs a request of its own: it carries the body callback
      HttpRequest request = base;
      request.on_body = [&](std::string_view piece) { chat_stream.feed(piece, steady_ms()); };
      a.response = co_await client_.send(request);
    } else {
      a.response = co_await client_.send(base);
    }
    a.latency_ms = steady_ms() - start;
    if (a.response.error != NetError::none) {
      a.parsed.error = a.response.error == NetError::timeout ? ErrorClass::timeout : ErrorClass::network;
      a.parsed.error_message = a.response.error_message;
      co_return a;
    }
    if (stream && a.response.status >= 200 && a.response.status < 300) {
      a.parsed = chat_stream.finish();
      const auto& times = chat_stream.delta_times();
      if (!times.empty()) {
        a.ttft_ms = times.front() - start;
        if (times.size() > 1) a.itl_ms = (times.back() - times.front()) / static_cast<double>(times.size() - 1);
        const double decode_s = (times.back() - times.front()) / 1000.0;
        if (decode_s > 0 && a.parsed.usage.completion_tokens > 1)
          a.output_tps = static_cast<double>(a.parsed.usage.completion_tokens - 1) / decode_s;
      }
    } else {
      a.parsed = parse_chat_response(a.response.status, a.response.body);
    }
    co_return a;
  }

  static Attempt replay(const CacheRecord& cached, bool stream) {
    Attempt a;
    a.response.status = cached.status;
    a.response.body = cached.body;
    a.latency_ms = cached.latency_ms;
    a.ttft_ms = cached.ttft_ms;
    a.itl_ms = cached.itl_ms;
    a.output_tps = cached.output_tps;
    if (stream) {
      ChatStream s;
      s.feed(cached.body, 0);
      a.parsed = s.finish();
    } else {
      a.parsed = parse_chat_response(cached.status, cached.body);
    }
    return a;
  }

  // The variant's system prompt is the same in every request: its tokens are counted once. The
  // rest of the messages is the case's own, the same for every variant with a system prompt:
  // jobs are case-major, so the next such variant of the case reuses the last count.
  long long count_prompt(std::size_t variant_index, std::size_t case_index, const ChatTokenCounter& counter,
                         const Variant& variant, const nlohmann::json& messages) {
    const bool fixed_system = variant.system && !messages.empty() && messages[0].value("role", "") == "system";
    if (!fixed_system) return static_cast<long long>(count_chat_messages(counter, messages));
    auto& cached = system_tokens_[variant_index];
    if (!cached) cached = count_chat_messages(counter, nlohmann::json::array({messages[0]}));
    if (rest_tokens_.case_index != case_index || rest_tokens_.counter != &counter) {
      rest_tokens_ = {case_index, &counter, count_chat_messages(counter, messages, 1)};
    }
    return static_cast<long long>(*cached + rest_tokens_.tokens -
                                  static_cast<std::size_t>(counter.format().reply_priming));
  }

  // Runs on the preparer's thread: reads only what no other thread writes while jobs run (the
  // suite, the preflight, the endpoints' URLs) and the token counts memoised here.
  PreparedJob prepare(Job job) {
    const ResolvedVariant& rv = preflight_.variants[job.variant];
    const Variant& variant = *rv.variant;
    const TestCase& test_case = job.planned->test_case;
    nlohmann::json rendered;
    const nlohmann::json& messages = rendered_messages(variant, test_case, rendered);

    ChatParams params;
    params.model = variant.model;
    params.temperature = variant.temperature;
    params.max_tokens = variant.max_tokens;
    params.seed = variant.seed;
    params.response_format = variant.response_format;
    params.extra_body = variant.extra_body;
    params.stream = variant.stream;

    PreparedJob p;
    p.body = build_chat_body(params, messages);
    p.prompt_chars = static_cast<long long>(prompt_characters(messages));
    if (rv.token_counter) {
      try {
        p.local_prompt_tokens = count_prompt(job.variant, test_case.index, *rv.token_counter, variant, messages);
      } catch (const TokenizerError&) {
        p.local_prompt_tokens = -1;  // invalid UTF-8: the API will say what it counts
      }
    }
    p.estimated_tokens =
        p.local_prompt_tokens >= 0 ? static_cast<double>(p.local_prompt_tokens + variant.max_tokens.value_or(0))
                                   : estimate_tokens(messages, static_cast<std::size_t>(p.prompt_chars), variant.max_tokens);
    p.estimated_cost = request_cost(rv.price, static_cast<long long>(p.estimated_tokens), 0, variant.max_tokens.value_or(256));
    if (options_.cache_read || options_.cache_write) {
      const Url& url = urls_.at(variant.endpoint);
      p.cache_key = cache_key(cache_origins_.at(variant.endpoint), url.target("/chat/completions"), p.body, job.repeat);
    }
    p.job = std::move(job);
    return p;
  }

  asio::awaitable<std::optional<ResultRecord>> execute(PreparedJob& prepared, asio::steady_timer& timer) {
    const Job& job = prepared.job;
    const ResolvedVariant& rv = preflight_.variants[job.variant];
    const Variant& variant = *rv.variant;
    const TestCase& test_case = job.planned->test_case;

    HttpRequest request;
    request.url = urls_.at(variant.endpoint);
    request.target = request.url.target("/chat/completions");
    request.body = std::move(prepared.body);
    request.headers.emplace_back("content-type", "application/json");
    if (!rv.api_key.empty()) {
      const auto& header = rv.endpoint->api_key_header;
      request.headers.emplace_back(header, header == "authorization" ? "Bearer " + rv.api_key : rv.api_key);
    }
    for (const auto& [k, v] : rv.endpoint->headers) request.headers.emplace_back(k, v);
    request.timeout_s = suite_.run.timeout_s;
    request.connect_timeout_s = suite_.run.connect_timeout_s;
    request.insecure = rv.endpoint->insecure;

    ResultRecord r;
    r.run_id = run_id_;
    r.variant_id = variant.id;
    r.case_index = static_cast<long long>(test_case.index);
    r.repeat = job.repeat;
    r.prompt_chars = prepared.prompt_chars;
    r.local_prompt_tokens = prepared.local_prompt_tokens;
    const double estimated_tokens = prepared.estimated_tokens;
    const double estimated_cost = prepared.estimated_cost;

    const std::string& key = prepared.cache_key;
    std::optional<Attempt> answer;
    if (options_.cache_read) {
      if (auto hit = store_.cache_lookup(key)) {
        answer = replay(*hit, variant.stream);
        r.cached = true;
        r.attempts = 0;
      }
    }
    if (!answer) {
      if (over_budget(estimated_cost)) {
        stop("the next request could take the spend past --max-cost $" + std::to_string(*options_.max_cost_usd), true);
        co_return std::nullopt;
      }
      in_flight_cost_ += estimated_cost;
      auto& limiter = limiters_.at(variant.endpoint);
      bool abandoned = false;
      for (int attempt = 1;; ++attempt) {
        r.attempts = attempt;
        if (!limiter.try_acquire(estimated_tokens)) co_await limiter.acquire(estimated_tokens, timer);
        if (!gate_.try_enter()) co_await gate_.enter();
        if (stopping_ && stop_resumable_) {  // stopped while this job waited for its turn
          gate_.leave(false);
          abandoned = true;
          break;
        }
        Attempt a = co_await send_once(request, variant.stream);
        const bool throttled = a.parsed.error == ErrorClass::rate_limit;
        gate_.leave(throttled);
        if (a.parsed.usage.present)
          limiter.correct_tokens(static_cast<double>(a.parsed.usage.prompt_tokens + a.parsed.usage.completion_tokens) -
                                 estimated_tokens);
        answer = std::move(a);
        const ErrorClass error = answer->parsed.error;
        if (error == ErrorClass::none || !is_retryable(error) || attempt >= suite_.run.max_attempts) break;
        if (stopping_ && stop_resumable_) {
          abandoned = true;
          break;
        }
        ++retries_;
        const auto hint = server_wait_ms(answer->response);
        double wait = backoff_ms(attempt, std::uniform_real_distribution<double>(0, 1)(rng_));
        if (hint) {
          wait = std::max(wait, *hint);
          if (throttled) limiter.pause_for(*hint);
        }
        timer.expires_after(after_ms(wait));
        boost::system::error_code ec;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      }
      in_flight_cost_ -= estimated_cost;
      // Stopped before its retries were done, or cut off at the end of the grace period: not a
      // final result, so a resume sends it again.
      const bool cut_off = stopping_ && stop_resumable_ && answer &&
                           (answer->parsed.error == ErrorClass::network || answer->parsed.error == ErrorClass::timeout);
      if (abandoned || cut_off || !answer) co_return std::nullopt;
    }

    // The request and the answer's body are stored, not copied: nothing reads them after this.
    r.request_json = std::move(request.body);
    r.response_body = std::move(answer->response.body);
    Secrets::redact_in_place(r.response_body);
    const Attempt& a = *answer;
    r.http_status = a.response.status;
    r.created_at = utc_now_iso8601();
    r.latency_ms = a.latency_ms;
    r.ttft_ms = a.ttft_ms;
    r.itl_ms = a.itl_ms;
    r.output_tps = a.output_tps;
    r.error_class = std::string(to_string(a.parsed.error));
    if (a.parsed.error != ErrorClass::none) {
      r.status = "error";
      r.error_message = a.parsed.error_message;
      r.failure_kind = "error";  // no answer to classify
      co_return r;
    }
    // Errors are never cached: a re-run must try them again.
    if (!r.cached && options_.cache_write)
      writer_->add_cache({key, a.response.status, r.response_body, a.latency_ms, a.ttft_ms, a.itl_ms, a.output_tps});
    r.status = "ok";
    r.output = a.parsed.content;
    r.finish_reason = a.parsed.finish_reason;
    if (a.parsed.usage.present) {
      r.prompt_tokens = a.parsed.usage.prompt_tokens;
      r.completion_tokens = a.parsed.usage.completion_tokens;
      r.cached_tokens = a.parsed.usage.cached_tokens;
    }
    r.cost_usd = request_cost(rv.price, std::max(0LL, r.prompt_tokens), r.cached_tokens, std::max(0LL, r.completion_tokens));
    ScoreInput in;
    in.output = r.output;
    in.reference = test_case.reference;
    in.has_reference = test_case.has_reference;
    in.finish_reason = r.finish_reason;
    in.latency_ms = r.latency_ms;
    in.cost_usd = r.cost_usd;
    in.completion_tokens = r.completion_tokens;
    FormatExpectation format;
    format.json = suite_.expect.format == "json";
    format.schema = suite_.expect.compiled_schema ? &*suite_.expect.compiled_schema : nullptr;
    const Score score = score_result(in, suite_.expect.checks, job.planned->checks, format);
    r.conformant = score.conformant;
    r.score = score.score;
    r.failure_kind = std::string(to_string(score.failure.kind));
    r.failure_path = score.failure.path;
    for (const auto& c : score.checks) r.checks.push_back({c.name, c.type, c.passed, c.required, c.weight, c.score, c.detail});
    co_return r;
  }

  asio::awaitable<void> ticker() {
    boost::system::error_code ec;
    while (live_workers_ > 0) {
      ticker_.expires_after(std::chrono::milliseconds(250));
      co_await ticker_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
      progress_.update(snapshot());
    }
  }

  ProgressSnapshot snapshot() const {
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

  const Suite& suite_;
  const Preflight& preflight_;
  const RunnerOptions& options_;
  Store store_;
  asio::io_context io_;
  HttpClient client_;
  Plan plan_;
  asio::signal_set signals_;
  asio::steady_timer ticker_;
  asio::steady_timer grace_timer_;
  ConcurrencyGate gate_;
  asio::steady_timer jobs_ready_;  // cancelled when prepared jobs arrive for starving workers
  std::unique_ptr<JobPreparer> preparer_;
  std::mt19937_64 rng_;
  std::unique_ptr<ResultWriter> writer_;
  std::vector<std::unique_ptr<MockServer>> mocks_;
  std::map<std::string, Url> urls_;
  std::map<std::string, std::string> cache_origins_;  // what a cache key says the endpoint is
  std::map<std::string, EndpointLimiter> limiters_;
  std::unordered_set<std::uint64_t> done_;
  std::map<std::size_t, std::optional<std::size_t>> system_tokens_;
  struct RestTokens {
    std::size_t case_index = static_cast<std::size_t>(-1);
    const ChatTokenCounter* counter = nullptr;
    std::size_t tokens = 0;
  } rest_tokens_;
  Progress progress_{Progress::detect(options_.quiet)};
  std::optional<double> deadline_s_;
  long long run_id_ = 0;
  long long total_jobs_ = 0;
  long long live_workers_ = 0;
  long long errors_ = 0;
  long long retries_ = 0;
  long long cached_ = 0;
  long long sent_ = 0;
  long long consecutive_errors_ = 0;
  long long committed_at_end_ = 0;
  double spend_ = 0;
  double in_flight_cost_ = 0;
  double started_ms_ = 0;
  bool stopping_ = false;
  bool stop_resumable_ = false;
  std::string stop_reason_;
};

}  // namespace

RunOutcome execute_run(const Suite& suite, const Preflight& preflight, const RunnerOptions& options) {
  Runner runner(suite, preflight, options);
  return runner.run();
}

}  // namespace tb
