#include "provider/chat_response.hpp"

#include <nlohmann/json.hpp>

#include "common/secrets.hpp"
#include "common/text.hpp"

namespace tb {
namespace {

using json = nlohmann::json;

std::string error_text(const json& body, std::string_view raw) {
  if (body.is_object() && body.contains("error")) {
    const auto& e = body["error"];
    if (e.is_object() && e.contains("message") && e["message"].is_string())
      return e["message"].get<std::string>();
    if (e.is_string()) return e.get<std::string>();
  }
  return std::string(trim(raw.substr(0, 300)));
}

std::string error_code(const json& body) {
  if (!body.is_object() || !body.contains("error") || !body["error"].is_object()) return {};
  const auto& e = body["error"];
  for (const char* key : {"code", "type"})
    if (e.contains(key) && e[key].is_string()) return e[key].get<std::string>();
  return {};
}

long long get_count(const json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_number()) return 0;
  return j[key].get<long long>();
}

}  // namespace

Usage parse_usage(const json& u) {
  Usage usage;
  if (!u.is_object()) return usage;
  usage.present = true;
  usage.prompt_tokens = get_count(u, "prompt_tokens");
  usage.completion_tokens = get_count(u, "completion_tokens");
  if (u.contains("prompt_tokens_details") && u["prompt_tokens_details"].is_object())
    usage.cached_tokens = get_count(u["prompt_tokens_details"], "cached_tokens");
  return usage;
}

ChatResponse parse_chat_response(int http_status, std::string_view raw) {
  ChatResponse out;
  const json body = json::parse(raw, nullptr, /*allow_exceptions=*/false);
  if (http_status < 200 || http_status >= 300) {
    const std::string message = error_text(body, raw);
    const std::string code = error_code(body);
    const std::string lowered = to_lower(message);
    if (http_status == 401 || http_status == 403) out.error = ErrorClass::auth;
    else if (http_status == 429 && code == "insufficient_quota") out.error = ErrorClass::auth;
    else if (http_status == 429) out.error = ErrorClass::rate_limit;
    else if (http_status == 408) out.error = ErrorClass::timeout;
    else if (http_status >= 500) out.error = ErrorClass::server;
    else if (code == "context_length_exceeded" || lowered.find("context length") != std::string::npos ||
             lowered.find("context_length") != std::string::npos)
      out.error = ErrorClass::context_length;
    else out.error = ErrorClass::bad_request;
    out.error_message = Secrets::redact("HTTP " + std::to_string(http_status) + ": " +
                                        ellipsize(message, 300));
    return out;
  }
  auto bad = [&](std::string why) {
    out.error = ErrorClass::bad_response;
    out.error_message = Secrets::redact(std::move(why));
    return out;
  };
  if (body.is_discarded()) return bad("the body is not JSON: " + dquote(ellipsize(raw, 120)));
  if (!body.is_object()) return bad("expected a chat.completion object");
  if (!body.contains("choices") || !body["choices"].is_array() || body["choices"].empty())
    return bad("no choices in the response");
  const auto& choice = body["choices"][0];
  if (!choice.is_object() || !choice.contains("message") || !choice["message"].is_object())
    return bad("choices[0].message missing");
  const auto& message = choice["message"];
  if (message.contains("content") && message["content"].is_string())
    out.content = message["content"].get<std::string>();
  else if (message.contains("refusal") && message["refusal"].is_string())
    out.content = message["refusal"].get<std::string>();
  else if (!(message.contains("tool_calls") || message.contains("content")))
    return bad("choices[0].message.content missing");
  if (choice.contains("finish_reason") && choice["finish_reason"].is_string())
    out.finish_reason = choice["finish_reason"].get<std::string>();
  if (body.contains("model") && body["model"].is_string()) out.model = body["model"].get<std::string>();
  if (body.contains("usage")) out.usage = parse_usage(body["usage"]);
  return out;
}

}  // namespace tb
