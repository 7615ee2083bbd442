// OpenAI-compatible embeddings: the body of POST {base_url}/embeddings and its answer.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "provider/error_class.hpp"

namespace tb {

struct EmbeddingsParams {
  std::string model;
  std::optional<int> dimensions;  // text-embedding-3-* can shorten their vectors
};

// {"model": ..., "input": [...], "encoding_format": "float"[, "dimensions": n]}: inputs are
// always an array, so a batch of one reads like a batch of many.
std::string build_embeddings_body(const EmbeddingsParams& params,
                                  std::span<const std::string> inputs);

struct EmbeddingsResponse {
  ErrorClass error = ErrorClass::none;
  std::string error_message;                // one line, secrets redacted
  std::vector<std::vector<float>> vectors;  // in the order of the inputs (by "index")
  std::string model;
  std::optional<long long> prompt_tokens;  // usage.prompt_tokens, when the answer has it
};

// Maps an HTTP status and body to vectors or a classified error (the same classes as a chat
// completion's). A 2xx answer without exactly one vector of the same size per input, in an
// "index" range 0..inputs-1, is a bad_response. Vectors are float arrays (what the body asks for).
EmbeddingsResponse parse_embeddings_response(int http_status, std::string_view body,
                                             std::size_t inputs);

}  // namespace tb
