#pragma once
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "net/http_types.hpp"
#include "provider/error_class.hpp"

namespace tb {

struct Usage {
  bool present = false;
  long long prompt_tokens = 0;
  long long completion_tokens = 0;
  long long cached_tokens = 0;  // prompt_tokens_details.cached_tokens
};

struct ChatResponse {
  ErrorClass error = ErrorClass::none;
  std::string error_message;  // one line, secrets redacted
  std::string content;        // choices[0].message.content
  std::string finish_reason;
  std::string model;
  Usage usage;
};

// Maps an HTTP status and body to a chat response or a classified error.
ChatResponse parse_chat_response(int http_status, std::string_view body);

// Everything that can come back for a chat request, classified: a transport failure (timeout;
// too_large, a bad_response; a refused certificate, tls; the rest network), else
// parse_chat_response on the status and body (a redirect's message names its Location).
// A streamed 2xx answer is read by ChatStream instead.
ChatResponse read_chat_response(const HttpResponse& response);

// Reads the usage object of a completion or of the last streamed chunk.
Usage parse_usage(const nlohmann::json& usage);

}  // namespace tb
