#pragma once
#include <optional>
#include <string_view>

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
  network,         // resolve, connect, reset, TLS
  bad_request,     // other 4xx: the request itself is wrong (unknown model, bad parameter)
};

std::string_view to_string(ErrorClass c);
std::optional<ErrorClass> parse_error_class(std::string_view s);

// Transient failures worth another attempt; the rest would fail the same way again.
bool is_retryable(ErrorClass c);

}  // namespace tb
