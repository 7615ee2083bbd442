#include "provider/chat_request.hpp"

#include "common/json_writer.hpp"

namespace tb {

std::string build_chat_body(const ChatParams& params, const nlohmann::json& messages) {
  nlohmann::json body = {{"model", params.model}};
  if (params.temperature) body["temperature"] = *params.temperature;
  if (params.max_tokens) body["max_tokens"] = *params.max_tokens;
  if (params.seed) body["seed"] = *params.seed;
  if (!params.response_format.is_null()) body["response_format"] = params.response_format;
  if (!params.tools.is_null()) body["tools"] = params.tools;
  if (!params.tool_choice.is_null()) body["tool_choice"] = params.tool_choice;
  if (!params.parallel_tool_calls.is_null()) body["parallel_tool_calls"] = params.parallel_tool_calls;
  if (!params.functions.is_null()) body["functions"] = params.functions;
  if (params.stream) {
    body["stream"] = true;
    // Without this, streamed answers carry no usage and token counts would be guesses.
    body["stream_options"] = {{"include_usage", true}};
  }
  if (params.extra_body.is_object()) body.update(params.extra_body);
  // The messages are written where body.dump() would put them (keys in sorted order) instead of
  // being copied into body: a deep copy of every request's messages is the larger cost. Unless
  // extra_body replaced them.
  const bool replaced = body.contains("messages");
  std::string out;
  out.reserve(256 + messages.size() * 512);
  out.push_back('{');
  bool first = true;
  auto key = [&](const std::string& name) {
    if (!first) out.push_back(',');
    first = false;
    append_json_string(out, name);
    out.push_back(':');
  };
  bool messages_written = replaced;
  for (const auto& [name, value] : body.items()) {
    if (!messages_written && name > "messages") {
      key("messages");
      append_json(out, messages);
      messages_written = true;
    }
    key(name);
    append_json(out, value);
  }
  if (!messages_written) {
    key("messages");
    append_json(out, messages);
  }
  out.push_back('}');
  return out;
}

}  // namespace tb
