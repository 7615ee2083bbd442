#pragma once
#include <optional>
#include <string_view>

#include "net/http_types.hpp"

namespace tb {

// Why a request did not produce an answer. Stored per result; drives retries and reports.
enum class ErrorClass {
  none,
  auth,            // 401/403, missing key, insufficient quota: retrying cannot help
  rate_limit,      // 429
  server,          // 5xx
  timeout,         // no complete answer within the request timeout
  bad_response,    // a 2xx whose body is not a chat completion
  context_length,  // the prompt does not fit the model's context window
  network,         // resolve, connect, reset, a failed TLS handshake
  bad_request,     // other 4xx: the request itself is wrong (unknown model, bad parameter)
  tls,             // the server's certificate was refused: another attempt would be refused too
};

std::string_view to_string(ErrorClass c);
std::optional<ErrorClass> parse_error_class(std::string_view s);

// The class of a request that got no HTTP answer: a timeout, a refused certificate (tls), an
// answer too large to read (bad_response), or else a network failure.
ErrorClass error_class_of(NetError e);

// Transient failures worth another attempt; the rest would fail the same way again.
bool is_retryable(ErrorClass c);

}  // namespace tb
