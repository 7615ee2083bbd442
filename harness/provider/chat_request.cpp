#include "provider/chat_request.hpp"

namespace tb {

std::string build_chat_body(const ChatParams& params, const nlohmann::json& messages) {
  nlohmann::json body = {{"model", params.model}, {"messages", messages}};
  if (params.temperature) body["temperature"] = *params.temperature;
  if (params.max_tokens) body["max_tokens"] = *params.max_tokens;
  if (params.seed) body["seed"] = *params.seed;
  if (!params.response_format.is_null()) body["response_format"] = params.response_format;
  if (params.stream) {
    body["stream"] = true;
    // Without this, streamed answers carry no usage and token counts would be guesses.
    body["stream_options"] = {{"include_usage", true}};
  }
  if (params.extra_body.is_object()) body.update(params.extra_body);
  return body.dump();
}

}  // namespace tb
