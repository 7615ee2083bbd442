#pragma once
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace tb {

// The parameters of one OpenAI-compatible chat completion request.
struct ChatParams {
  std::string model;
  std::optional<double> temperature;
  std::optional<int> max_tokens;
  std::optional<long long> seed;
  nlohmann::json response_format;  // passed through when not null
  // Function calling, each sent when not null: the functions the model may call, which one it
  // must (`tool_choice`), whether it may call several at once, and the legacy `functions`.
  nlohmann::json tools;
  nlohmann::json tool_choice;
  nlohmann::json parallel_tool_calls;
  nlohmann::json functions;
  nlohmann::json extra_body;       // merged last: lets users reach provider-specific options
  bool stream = false;
};

// The JSON body of POST {base_url}/chat/completions.
std::string build_chat_body(const ChatParams& params, const nlohmann::json& messages);

}  // namespace tb
