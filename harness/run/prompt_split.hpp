// A prompt's tokens split into its parts, so reports can set what retrieval adds to a prompt
// beside what a fine-tune saves: the instructions (the system and developer messages before the
// case's own), the retrieved context (what a rag variant's passages add), and the case's own
// messages with the reply priming. The parts add up to the whole prompt's count.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "token/chat_token_counter.hpp"

namespace tb {

struct PromptSplit {
  long long instructions = 0;
  long long context = 0;
  long long case_tokens = 0;
  long long total() const { return instructions + context + case_tokens; }
};

// Counts prompts of many jobs, remembering what repeats: a variant's fixed system prompt is
// counted once, and the case's own messages once per case for all the variants that share them
// (jobs come case-major). Used from one thread.
class PromptSplitter {
 public:
  explicit PromptSplitter(std::size_t variants) : system_tokens_(variants) {}

  // `plain`: the messages without retrieved passages; `sent`: as sent when passages were
  // inserted (null otherwise); `fixed_system`: plain[0] is the variant's own system prompt,
  // the same in every job of `variant`. Throws TokenizerError on invalid UTF-8.
  PromptSplit split(const ChatTokenCounter& counter, std::size_t variant, std::size_t case_index,
                    bool fixed_system, const nlohmann::json& plain, const nlohmann::json* sent);

 private:
  std::vector<std::optional<long long>> system_tokens_;  // per variant, with one reply priming
  struct Rest {
    std::size_t case_index = static_cast<std::size_t>(-1);
    const ChatTokenCounter* counter = nullptr;
    long long tokens = 0;
  } rest_;
};

}  // namespace tb
