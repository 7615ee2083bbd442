// Sends texts to an OpenAI-compatible POST /embeddings in batches, several in flight, within
// the endpoint's request and token rates, retrying what is worth retrying.
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "net/http_types.hpp"
#include "provider/embeddings.hpp"

namespace tb {

struct EmbeddingsEndpoint {
  std::string name;        // for messages: "mock", "openai" or the base URL
  bool simulated = false;  // the built-in mock, wherever it listens
  Url url;                 // the base, e.g. http://127.0.0.1:8080/v1
  HttpHeaders headers;     // content type and key headers; never written anywhere
  double rpm = 0;          // 0 = no limit
  double tpm = 0;
  double timeout_s = 60;
  double connect_timeout_s = 10;
  bool insecure = false;
};

struct EmbeddingsOptions {
  EmbeddingsParams params;
  // OpenAI takes up to 2,048 inputs and 300,000 tokens per request; smaller batches keep a
  // retry cheap and let several requests overlap.
  std::size_t batch_inputs = 128;
  std::size_t batch_chars = 200000;  // about 50,000 tokens
  int concurrency = 4;
  int max_attempts = 4;
  // A server's wait hint longer than this ends the embedding instead (as run.max_retry_wait_s
  // does for a run's requests).
  double max_retry_wait_s = 60;
  double backoff_base_ms =
      500;  // first retry within [0, base], doubling per attempt (run/retry_policy.hpp)
};

struct EmbeddingsOutcome {
  bool ok = true;
  std::string error;       // the first failure that ended it, after its retries
  long long requests = 0;  // HTTP requests sent, retries included
  long long retries = 0;
  long long tokens = 0;  // usage.prompt_tokens summed (estimated where an answer has none)
  std::size_t embedded = 0;
};

// Which vectors are comparable: the model behind the endpoint, and the vector size asked for.
// The mock's vectors depend on nothing else, so its space is the same on every port and run;
// a real endpoint's is its URL and the model ("https://api.openai.com/v1 text-embedding-3-small").
std::string embedding_space(const EmbeddingsEndpoint& endpoint, const EmbeddingsParams& params);

// Receives one batch as it arrives: the position of its first text, its vectors and the tokens
// each text cost (the batch's usage shared out by length). On the caller's thread.
using EmbeddingsSink =
    std::function<void(std::size_t first, std::vector<std::vector<float>>& vectors,
                       const std::vector<long long>& tokens)>;

// Embeds `texts`; blocks until every batch is in or one has failed for good (then no new batch
// starts and the outcome says why). Runs its own event loop.
EmbeddingsOutcome embed_texts(const EmbeddingsEndpoint& endpoint, const EmbeddingsOptions& options,
                              std::span<const std::string> texts, const EmbeddingsSink& sink);

}  // namespace tb
