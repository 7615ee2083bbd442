#include "run/embeddings_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <optional>
#include <random>

#include "common/clock.hpp"
#include "net/http_client.hpp"
#include "run/retry_policy.hpp"
#include "run/token_bucket.hpp"

namespace tb {
namespace {

namespace asio = boost::asio;

struct Batch {
  std::size_t first = 0;
  std::size_t count = 0;
  std::size_t chars = 0;
};

std::vector<Batch> make_batches(std::span<const std::string> texts,
                                const EmbeddingsOptions& options) {
  std::vector<Batch> batches;
  Batch current;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const bool full = current.count >= std::max<std::size_t>(1, options.batch_inputs) ||
                      (current.count > 0 && current.chars + texts[i].size() > options.batch_chars);
    if (full) {
      batches.push_back(current);
      current = {i, 0, 0};
    }
    ++current.count;
    current.chars += texts[i].size();
  }
  if (current.count > 0) batches.push_back(current);
  return batches;
}

// The batch's billed tokens shared out by length, so the parts add up to the bill exactly.
std::vector<long long> share_tokens(std::span<const std::string> texts, long long total) {
  std::size_t chars = 0;
  for (const auto& t : texts) chars += t.size();
  std::vector<long long> out(texts.size(), 0);
  long long given = 0;
  for (std::size_t i = 0; i + 1 < texts.size(); ++i) {
    out[i] = chars == 0 ? 0
                        : static_cast<long long>(static_cast<double>(total) *
                                                 static_cast<double>(texts[i].size()) /
                                                 static_cast<double>(chars));
    given += out[i];
  }
  if (!out.empty()) out.back() = std::max(0LL, total - given);
  return out;
}

class Embedder {
 public:
  Embedder(const EmbeddingsEndpoint& endpoint, const EmbeddingsOptions& options,
           std::span<const std::string> texts, const EmbeddingsSink& sink)
      : endpoint_(endpoint),
        options_(options),
        texts_(texts),
        sink_(sink),
        client_(io_.get_executor()),
        batches_(make_batches(texts, options)),
        rng_(std::random_device{}()) {
    const double now = steady_ms();
    if (endpoint.rpm > 0) requests_.emplace(endpoint.rpm / 60.0, 1.0, now);
    if (endpoint.tpm > 0)
      tokens_.emplace(endpoint.tpm / 60.0, std::max(1.0, endpoint.tpm / 60.0), now);
  }

  EmbeddingsOutcome run() {
    const auto workers = std::min<std::size_t>(
        static_cast<std::size_t>(std::max(1, options_.concurrency)), batches_.size());
    for (std::size_t i = 0; i < workers; ++i) asio::co_spawn(io_, worker(), asio::detached);
    io_.run();
    client_.close_idle();
    return outcome_;
  }

 private:
  asio::awaitable<void> worker() {
    asio::steady_timer timer(io_);
    while (outcome_.ok && next_ < batches_.size()) {
      const Batch batch = batches_[next_++];
      co_await send(batch, timer);
    }
  }

  // Waits for the request and token budgets (tokens estimated as characters / 4).
  asio::awaitable<void> pace(double tokens, asio::steady_timer& timer) {
    while (true) {
      const double now = steady_ms();
      double wait = std::max(0.0, paused_until_ - now);
      if (requests_) wait = std::max(wait, requests_->wait_ms(1, now));
      if (tokens_) wait = std::max(wait, tokens_->wait_ms(tokens, now));
      if (wait <= 0) break;
      timer.expires_after(std::chrono::microseconds(static_cast<long long>(wait * 1000)));
      boost::system::error_code ec;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    const double now = steady_ms();
    if (requests_) requests_->take(1, now);
    if (tokens_) tokens_->take(tokens, now);
  }

  asio::awaitable<void> send(const Batch& batch, asio::steady_timer& timer) {
    const auto inputs = texts_.subspan(batch.first, batch.count);
    HttpRequest request;
    request.url = endpoint_.url;
    request.target = endpoint_.url.target("/embeddings");
    request.headers = endpoint_.headers;
    request.body = build_embeddings_body(options_.params, inputs);
    request.timeout_s = endpoint_.timeout_s;
    request.connect_timeout_s = endpoint_.connect_timeout_s;
    request.insecure = endpoint_.insecure;
    const double estimate = static_cast<double>(batch.chars) / 4.0;
    for (int attempt = 1;; ++attempt) {
      co_await pace(estimate, timer);
      if (!outcome_.ok) co_return;  // another batch failed for good meanwhile
      ++outcome_.requests;
      HttpResponse response = co_await client_.send(request);
      EmbeddingsResponse parsed;
      if (response.error != NetError::none) {
        parsed.error = error_class_of(response.error);
        parsed.error_message = response.error_message;
      } else {
        parsed = parse_embeddings_response(response.status, response.body, batch.count);
      }
      if (parsed.error == ErrorClass::none) {
        const long long tokens = parsed.prompt_tokens.value_or(static_cast<long long>(estimate));
        if (tokens_) tokens_->adjust(static_cast<double>(tokens) - estimate, steady_ms());
        outcome_.tokens += tokens;
        outcome_.embedded += batch.count;
        sink_(batch.first, parsed.vectors, share_tokens(inputs, tokens));
        co_return;
      }
      // A server asking for a longer wait than max_retry_wait_s is not retried: said so.
      const auto hint = server_wait_ms(response);
      const bool refused =
          is_retryable(parsed.error) && hint && *hint > options_.max_retry_wait_s * 1000;
      if (refused)
        parsed.error_message += (parsed.error_message.empty() ? "" : "; ") +
                                wait_refused_note(*hint, options_.max_retry_wait_s);
      if (refused || !is_retryable(parsed.error) || attempt >= options_.max_attempts) {
        outcome_.ok = false;
        outcome_.error = "embeddings at " + endpoint_.name + " (" + options_.params.model +
                         "): " + std::string(to_string(parsed.error)) + ": " +
                         parsed.error_message +
                         (attempt > 1 ? " (after " + std::to_string(attempt) + " attempts)" : "");
        co_return;
      }
      ++outcome_.retries;
      double wait = backoff_ms(attempt, std::uniform_real_distribution<double>(0, 1)(rng_),
                               options_.backoff_base_ms);
      if (hint) {
        wait = std::max(wait, *hint);
        // A 429 with a wait hint holds back every batch, not only this one.
        if (parsed.error == ErrorClass::rate_limit)
          paused_until_ = std::max(paused_until_, steady_ms() + *hint);
      }
      timer.expires_after(std::chrono::microseconds(static_cast<long long>(wait * 1000)));
      boost::system::error_code ec;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  const EmbeddingsEndpoint& endpoint_;
  const EmbeddingsOptions& options_;
  std::span<const std::string> texts_;
  const EmbeddingsSink& sink_;
  asio::io_context io_;
  HttpClient client_;
  std::vector<Batch> batches_;
  std::size_t next_ = 0;
  std::optional<TokenBucket> requests_;
  std::optional<TokenBucket> tokens_;
  double paused_until_ = 0;
  std::mt19937_64 rng_;
  EmbeddingsOutcome outcome_;
};

}  // namespace

std::string embedding_space(const EmbeddingsEndpoint& endpoint, const EmbeddingsParams& params) {
  std::string space =
      endpoint.simulated ? std::string("mock") : endpoint.url.origin() + endpoint.url.path;
  space += " " + params.model;
  if (params.dimensions) space += " dimensions=" + std::to_string(*params.dimensions);
  return space;
}

EmbeddingsOutcome embed_texts(const EmbeddingsEndpoint& endpoint, const EmbeddingsOptions& options,
                              std::span<const std::string> texts, const EmbeddingsSink& sink) {
  if (texts.empty()) return {};
  Embedder embedder(endpoint, options, texts, sink);
  return embedder.run();
}

}  // namespace tb
