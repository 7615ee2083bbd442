#pragma once
// A fine-tuned variant's training as a run costs it: `training: {file: ..., epochs: auto}` is
// counted here with the same counter, per-example limit and default epochs as
// `tunebench dataset check` (suite/dataset_check.hpp), so the two never bill differently.
#include <optional>
#include <string>

#include "common/diagnostic.hpp"
#include "suite/suite.hpp"
#include "token/chat_token_counter.hpp"

namespace tb {

class PriceCatalog;

// The variant's training with tokens and epochs known: from its file when it names one (an
// error in `errors` when the file cannot be counted), else its tokens with epochs auto = 3
// (OpenAI's default for 34 to 8,333 examples). Nothing when the variant declares no training.
std::optional<Training> resolve_training(const Suite& suite, const Variant& variant,
                                         const ChatTokenCounter* counter,
                                         const PriceCatalog* catalog, Diagnostics& errors);

// Epochs when only the tokens are known (no file to count examples in).
inline constexpr int kDefaultEpochsWithoutFile = 3;

}  // namespace tb
