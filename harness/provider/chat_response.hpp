#pragma once
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "net/http_types.hpp"
#include "provider/error_class.hpp"

namespace tb {

// More tokens than this in one request's usage is not believed: no model reads or writes that
// much in one request, and a count like it would be billed as thousands of dollars.
inline constexpr long long kMaxBelievableTokens = 10'000'000;

struct Usage {
  bool present = false;  // a usage object came back
  // As the server sent them (saturated to long long), 0 when missing or not a number.
  long long prompt_tokens = 0;
  long long completion_tokens = 0;
  long long cached_tokens = 0;  // prompt_tokens_details.cached_tokens (optional)
  // Why the counts are not to be believed, empty when they are: the first count that is missing,
  // not a number, not a whole number, negative or above kMaxBelievableTokens
  // ("usage.completion_tokens is -100000000: negative").
  std::string problem;
  bool wrong = false;  // ... and it is a count that is there but negative or too large

  bool believable() const { return present && problem.empty(); }
};

// One function call in an answer (choices[0].message.tool_calls[i], or the legacy
// function_call). `arguments` is the text the model wrote, JSON or not: it is the answer scored.
struct ToolCall {
  std::string id;
  std::string name;
  std::string arguments;
};

struct ChatResponse {
  ErrorClass error = ErrorClass::none;
  std::string error_message;  // one line, secrets redacted
  std::string content;        // choices[0].message.content
  std::vector<ToolCall> tool_calls;  // in the order the answer gives them
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

// The text a result stores and scores: the first tool call's arguments when the answer calls a
// function (the expected format is that function's parameters), else the content.
const std::string& answer_text(const ChatResponse& response);

// The tool calls as stored: [{"id", "name", "arguments"}, ...] (arguments as written).
std::string tool_calls_json(const std::vector<ToolCall>& calls);

// Reads the usage object of a completion or of the last streamed chunk.
Usage parse_usage(const nlohmann::json& usage);

}  // namespace tb
