#include "token/chat_token_counter.hpp"

#include <cstdint>
#include <stdexcept>
#include <utility>

namespace tb {
namespace {

// The model a fine-tune was trained from: "ft:gpt-4o-mini-2024-07-18:org::id" -> its base.
std::string_view base_model(std::string_view model) {
  if (!model.starts_with("ft:")) return model;
  const std::string_view rest = model.substr(3);
  return rest.substr(0, rest.find(':'));
}

}  // namespace

// Source: OpenAI Cookbook, "How to count tokens with tiktoken"
// (examples/How_to_count_tokens_with_tiktoken.ipynb, num_tokens_from_messages):
//
//   prompt_tokens = sum over messages of (tokens_per_message
//                                         + tokens(role) + tokens(content)
//                                         + [tokens(name) + tokens_per_name if a name is set])
//                   + 3   // every reply is primed with <|start|>assistant<|message|>
//
// with tokens_per_message = 3 and tokens_per_name = 1 for gpt-3.5-turbo-0613 and later, gpt-4
// and the gpt-4o family, and 4 and -1 for gpt-3.5-turbo-0301, whose format wrote
// <|start|>{role/name}\n{content}<|end|>\n (a name replaced the role). The cookbook stops at
// gpt-4o; the later o200k models (gpt-4.1, gpt-5, o-series) are counted the same way, which
// is an assumption: reasoning models may add hidden tokens the API bills on top.
std::optional<ChatFormat> chat_format_for_model(std::string_view model) {
  const std::string_view base = base_model(model);
  if (base.starts_with("text-embedding-") || !encoding_for_model(base)) return std::nullopt;
  if (base == "gpt-3.5-turbo-0301") {
    return ChatFormat{.tokens_per_message = 4, .tokens_per_name = -1, .reply_priming = 3};
  }
  return ChatFormat{.tokens_per_message = 3, .tokens_per_name = 1, .reply_priming = 3};
}

std::optional<ChatTokenCounter> ChatTokenCounter::for_model(
    std::string_view model, const std::filesystem::path& vocab_dir) {
  const std::optional<ChatFormat> format = chat_format_for_model(model);
  if (!format) return std::nullopt;
  const std::optional<EncodingName> name = encoding_for_model(model);
  if (!name) return std::nullopt;
  return ChatTokenCounter(Encoding::load(*name, vocab_dir), *format);
}

ChatTokenCounter::ChatTokenCounter(std::shared_ptr<const Encoding> encoding, ChatFormat format)
    : encoding_(std::move(encoding)), format_(format) {
  if (!encoding_) throw std::invalid_argument("ChatTokenCounter needs an encoding");
}

std::size_t ChatTokenCounter::count(std::span<const ChatTokenMessage> messages) const {
  // Signed: tokens_per_name is -1 for gpt-3.5-turbo-0301.
  std::int64_t total = format_.reply_priming;
  for (const ChatTokenMessage& message : messages) {
    // The API reads message text literally: "<|endoftext|>" in content is plain text, never
    // a special token, and never a reason to reject the request.
    const auto tokens = [this](std::string_view text) {
      return static_cast<std::int64_t>(encoding_->count(text, SpecialTokens::as_text));
    };
    total += format_.tokens_per_message + tokens(message.role) + tokens(message.content);
    if (!message.name.empty()) total += tokens(message.name) + format_.tokens_per_name;
  }
  return total < 0 ? 0 : static_cast<std::size_t>(total);
}

}  // namespace tb
