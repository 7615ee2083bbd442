#include "run/runner.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <random>

#include "analysis/cost.hpp"
#include "common/clock.hpp"
#include "common/secrets.hpp"
#include "mock/mock_server.hpp"
#include "net/http_client.hpp"
#include "provider/chat_request.hpp"
#include "provider/chat_response.hpp"
#include "run/plan.hpp"
#include "run/progress.hpp"
#include "score/scorer.hpp"
#include "store/result_writer.hpp"
#include "store/store.hpp"
#include "suite/prompt_renderer.hpp"

namespace tb {

namespace asio = boost::asio;

namespace {

std::string join_tags(const std::vector<std::string>& tags) {
  std::string out;
  for (const auto& t : tags) out += (out.empty() ? "" : ",") + t;
  return out;
}

// Retry-After (seconds) or retry-after-ms, as OpenAI and Azure send them.
std::optional<double> retry_after_ms(const HttpResponse& r) {
  double value = 0;
  if (auto ms = r.header("retry-after-ms"); !ms.empty()) {
    if (std::from_chars(ms.data(), ms.data() + ms.size(), value).ec == std::errc()) return value;
  }
  if (auto s = r.header("retry-after"); !s.empty()) {
    if (std::from_chars(s.data(), s.data() + s.size(), value).ec == std::errc()) return value * 1000;
  }
  return std::nullopt;
}

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
        rng_(std::random_device{}()) {}

  RunOutcome run() {
    start_mocks();
    create_run();
    writer_ = std::make_unique<ResultWriter>(options_.db_path);
    Diagnostic open_error;
    if (!plan_.open(open_error)) throw StoreError(open_error.to_string());
    plan_.on_case([this](const TestCase& c) {
      writer_->add_case({run_id_, static_cast<long long>(c.index), c.id, c.line, c.messages.dump(),
                         c.reference, join_tags(c.tags)});
    });

    const int concurrency = options_.concurrency.value_or(suite_.run.concurrency);
    const long long workers = std::min<long long>(concurrency, total_jobs_);
    live_workers_ = workers;
    started_ms_ = steady_ms();
    for (long long i = 0; i < workers; ++i) asio::co_spawn(io_, worker(), asio::detached);
    if (workers == 0) signals_.cancel();
    signals_.async_wait([this](const boost::system::error_code& ec, int) {
      if (ec) return;
      interrupted_ = true;
      stop("interrupted");
    });
    if (workers > 0) asio::co_spawn(io_, ticker(), asio::detached);
    io_.run();

    const bool stored = writer_->flush();
    const auto storage_error = writer_->error();
    committed_at_end_ = writer_->committed_results();
    writer_.reset();
    progress_.finish(snapshot());
    RunOutcome outcome;
    outcome.run_id = run_id_;
    outcome.results = store_.count_results(run_id_);
    outcome.errors = errors_;
    if (!stored) {
      outcome.status = "failed";
      outcome.message = "storing results failed: " + storage_error.value_or("unknown error");
    } else if (plan_.error()) {
      outcome.status = "failed";
      outcome.message = plan_.error()->to_string();
    } else if (interrupted_) {
      outcome.status = "interrupted";
      outcome.message = "interrupted; " + std::to_string(outcome.results) + " of " +
                        std::to_string(total_jobs_) + " results are stored";
    } else if (!stop_reason_.empty()) {
      outcome.status = "failed";
      outcome.message = stop_reason_;
    } else {
      outcome.status = "done";
    }
    store_.set_run_status(run_id_, outcome.status, true);
    return outcome;
  }

 private:
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
      }
      std::string error;
      auto url = parse_url(base_url, error);
      if (!url) throw StoreError("endpoint " + name + ": " + error);
      if (endpoint.insecure && url->tls)
        std::cerr << "WARNING: endpoint " << name
                  << " has insecure: true; TLS certificates are NOT verified\n";
      urls_[name] = *url;
    }
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
      if (!v.response_format.is_null()) params["response_format"] = v.response_format;
      if (!v.extra_body.is_null()) params["extra_body"] = v.extra_body;
      r.params_json = params.dump();
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
    run_id_ = store_.create_run(run, variants);
    if (!options_.quiet)
      std::cerr << "run " << run_id_ << ": " << suite_.name << ", " << preflight_.cases << " cases x "
                << variants.size() << " variants x " << suite_.run.repeats << " repeats = "
                << total_jobs_ << " requests" << (preflight_.simulated ? " (simulated by the built-in mock)" : "")
                << "\n";
  }

  void stop(std::string reason) {
    if (stopping_) return;
    stopping_ = true;
    if (!interrupted_) stop_reason_ = std::move(reason);
  }

  asio::awaitable<void> worker() {
    while (!stopping_) {
      auto job = plan_.next();
      if (!job) break;
      ResultRecord record = co_await execute(*job);
      if (record.status == "ok") {
        consecutive_errors_ = 0;
      } else {
        ++errors_;
        if (record.error_class == "auth")
          stop("authentication failed at endpoint " + preflight_.variants[job->variant].endpoint->name + ": " + record.error_message);
        else if (++consecutive_errors_ >= options_.max_consecutive_errors)
          stop(std::to_string(consecutive_errors_) + " requests failed in a row; last: " + record.error_message);
      }
      spend_ += record.cost_usd;
      writer_->add_result(std::move(record));
    }
    if (--live_workers_ == 0) {
      signals_.cancel();
      ticker_.cancel();
    }
  }

  asio::awaitable<ResultRecord> execute(const Job& job) {
    const ResolvedVariant& rv = preflight_.variants[job.variant];
    const Variant& variant = *rv.variant;
    const TestCase& test_case = job.planned->test_case;
    const nlohmann::json messages = render_messages(variant, test_case);

    ChatParams params;
    params.model = variant.model;
    params.temperature = variant.temperature;
    params.max_tokens = variant.max_tokens;
    params.seed = variant.seed;
    params.response_format = variant.response_format;
    params.extra_body = variant.extra_body;

    HttpRequest request;
    request.url = urls_.at(variant.endpoint);
    request.target = request.url.target("/chat/completions");
    request.body = build_chat_body(params, messages);
    request.headers.emplace_back("content-type", "application/json");
    if (!rv.api_key.empty()) request.headers.emplace_back("authorization", "Bearer " + rv.api_key);
    for (const auto& [k, v] : rv.endpoint->headers) request.headers.emplace_back(k, v);
    request.timeout_s = suite_.run.timeout_s;
    request.connect_timeout_s = suite_.run.connect_timeout_s;
    request.insecure = rv.endpoint->insecure;

    ResultRecord r;
    r.run_id = run_id_;
    r.variant_id = variant.id;
    r.case_index = static_cast<long long>(test_case.index);
    r.repeat = job.repeat;
    r.prompt_chars = static_cast<long long>(prompt_characters(messages));
    r.request_json = request.body;

    ChatResponse parsed;
    HttpResponse response;
    asio::steady_timer backoff(io_);
    for (int attempt = 1;; ++attempt) {
      r.attempts = attempt;
      const double start = steady_ms();
      response = co_await client_.send(request);
      r.latency_ms = steady_ms() - start;
      if (response.error != NetError::none) {
        parsed = ChatResponse{};
        parsed.error = response.error == NetError::timeout ? ErrorClass::timeout : ErrorClass::network;
        parsed.error_message = response.error_message;
      } else {
        parsed = parse_chat_response(response.status, response.body);
      }
      if (parsed.error == ErrorClass::none || !is_retryable(parsed.error) ||
          attempt >= suite_.run.max_attempts || stopping_)
        break;
      ++retries_;
      // Full jitter keeps many workers that failed together from retrying together.
      const double cap_ms = std::min(30000.0, 500.0 * std::pow(2.0, attempt - 1));
      double wait_ms = std::uniform_real_distribution<double>(0, cap_ms)(rng_);
      if (auto hint = retry_after_ms(response)) wait_ms = std::max(wait_ms, *hint);
      backoff.expires_after(std::chrono::microseconds(static_cast<long long>(wait_ms * 1000)));
      boost::system::error_code ec;
      co_await backoff.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    r.http_status = response.status;
    r.response_body = Secrets::redact(response.body);
    r.created_at = utc_now_iso8601();
    r.error_class = std::string(to_string(parsed.error));
    if (parsed.error != ErrorClass::none) {
      r.status = "error";
      r.error_message = parsed.error_message;
      r.conformant = false;
      co_return r;
    }
    r.status = "ok";
    r.output = parsed.content;
    r.finish_reason = parsed.finish_reason;
    if (parsed.usage.present) {
      r.prompt_tokens = parsed.usage.prompt_tokens;
      r.completion_tokens = parsed.usage.completion_tokens;
      r.cached_tokens = parsed.usage.cached_tokens;
    }
    r.cost_usd = request_cost(rv.price, std::max(0LL, r.prompt_tokens), r.cached_tokens,
                              std::max(0LL, r.completion_tokens));
    ScoreInput in;
    in.output = r.output;
    in.reference = test_case.reference;
    in.has_reference = test_case.has_reference;
    in.finish_reason = r.finish_reason;
    in.latency_ms = r.latency_ms;
    in.cost_usd = r.cost_usd;
    in.completion_tokens = r.completion_tokens;
    const Score score = score_result(in, suite_.expect.checks, job.planned->checks);
    r.conformant = score.conformant;
    r.score = score.score;
    for (const auto& c : score.checks)
      r.checks.push_back({c.name, c.type, c.passed, c.required, c.weight, c.score, c.detail});
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
    s.done = writer_ ? writer_->committed_results() : committed_at_end_;
    s.total = total_jobs_;
    s.errors = errors_;
    s.retries = retries_;
    s.spend_usd = spend_;
    s.elapsed_s = (steady_ms() - started_ms_) / 1000.0;
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
  std::mt19937_64 rng_;
  std::unique_ptr<ResultWriter> writer_;
  std::vector<std::unique_ptr<MockServer>> mocks_;
  std::map<std::string, Url> urls_;
  Progress progress_{Progress::detect(options_.quiet)};
  long long run_id_ = 0;
  long long total_jobs_ = 0;
  long long live_workers_ = 0;
  long long errors_ = 0;
  long long retries_ = 0;
  long long consecutive_errors_ = 0;
  long long committed_at_end_ = 0;
  double spend_ = 0;
  double started_ms_ = 0;
  bool stopping_ = false;
  bool interrupted_ = false;
  std::string stop_reason_;
};

}  // namespace

RunOutcome execute_run(const Suite& suite, const Preflight& preflight, const RunnerOptions& options) {
  Runner runner(suite, preflight, options);
  return runner.run();
}

}  // namespace tb
