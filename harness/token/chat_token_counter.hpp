// Prompt tokens of a chat completions request, as OpenAI bills them in usage.prompt_tokens.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "token/encoding.hpp"

namespace tb {

// One chat message; an empty name means the message has none. Views only: the caller owns
// the text for the duration of the call.
struct ChatTokenMessage {
  std::string_view role;
  std::string_view content;
  std::string_view name;
};

// The per-message overhead of a model's chat format (see chat_token_counter.cpp).
struct ChatFormat {
  int tokens_per_message = 3;
  int tokens_per_name = 1;
  int reply_priming = 3;
};

// std::nullopt for models that are not chat models this module knows (embeddings included).
std::optional<ChatFormat> chat_format_for_model(std::string_view model);

class ChatTokenCounter {
 public:
  // std::nullopt when the model is unknown or not a chat model. Throws TokenizerError when
  // the encoding's rank file is missing or corrupt (see Encoding::load).
  static std::optional<ChatTokenCounter> for_model(std::string_view model,
                                                   const std::filesystem::path& vocab_dir = {});

  ChatTokenCounter(std::shared_ptr<const Encoding> encoding, ChatFormat format);

  // Throws TokenizerError if a message is not valid UTF-8.
  std::size_t count(std::span<const ChatTokenMessage> messages) const;

  const Encoding& encoding() const { return *encoding_; }
  const ChatFormat& format() const { return format_; }

 private:
  std::shared_ptr<const Encoding> encoding_;
  ChatFormat format_;
};

}  // namespace tb
