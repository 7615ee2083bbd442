#pragma once
#include <cstddef>

#include <nlohmann/json_fwd.hpp>

#include "token/chat_token_counter.hpp"

namespace tb {

// Prompt tokens of OpenAI-style chat messages as JSON ({"role","content","name"}; content may be
// a string or an array of text parts), as the API bills them. Throws TokenizerError on invalid
// UTF-8.
std::size_t count_chat_messages(const ChatTokenCounter& counter, const nlohmann::json& messages);

}  // namespace tb
