#include "run/prompt_split.hpp"

#include "token/chat_messages.hpp"

namespace tb {

PromptSplit PromptSplitter::split(const ChatTokenCounter& counter, std::size_t variant,
                                  std::size_t case_index, bool fixed_system,
                                  const nlohmann::json& plain, const nlohmann::json* sent) {
  // Each range's count includes one reply priming; the priming counts with the case.
  const auto priming = static_cast<long long>(counter.format().reply_priming);
  auto count = [&](std::size_t first, std::size_t last) {
    return static_cast<long long>(count_chat_messages(counter, plain, first, last));
  };
  PromptSplit split;
  if (fixed_system && !plain.empty()) {
    auto& system = system_tokens_.at(variant);
    if (!system) system = count(0, 1);
    if (rest_.case_index != case_index || rest_.counter != &counter)
      rest_ = {case_index, &counter, count(1, plain.size())};
    split.instructions = *system - priming;
    split.case_tokens = rest_.tokens;
  } else {
    std::size_t lead = 0;
    auto role = [&](std::size_t i) {
      return plain[i].is_object() ? plain[i].value("role", "") : std::string();
    };
    while (lead < plain.size() && (role(lead) == "system" || role(lead) == "developer")) ++lead;
    split.instructions = lead == 0 ? 0 : count(0, lead) - priming;
    split.case_tokens = count(lead, plain.size());
  }
  // What the passages add to the whole: a block appended to the system message changes how
  // the tokens at the seam merge, so it is measured on the whole, not counted on its own.
  if (sent != nullptr)
    split.context = static_cast<long long>(count_chat_messages(counter, *sent)) -
                    split.instructions - split.case_tokens;
  return split;
}

}  // namespace tb
