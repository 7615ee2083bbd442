#pragma once
#include <cstddef>

#include <nlohmann/json_fwd.hpp>

#include "token/chat_token_counter.hpp"

namespace tb {

// Prompt tokens of OpenAI-style chat messages as JSON ({"role","content","name"}; content may be
// a string or an array of text parts), as the API bills them. Throws TokenizerError on invalid
// UTF-8.
// Only messages [first, last) are counted (a variant's fixed system prompt apart from the rest):
// the counts of two adjacent ranges add up to the whole plus one reply priming.
std::size_t count_chat_messages(const ChatTokenCounter& counter, const nlohmann::json& messages,
                                std::size_t first = 0,
                                std::size_t last = static_cast<std::size_t>(-1));

}  // namespace tb
