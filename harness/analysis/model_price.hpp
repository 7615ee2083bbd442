#pragma once
#include <optional>

namespace tb {

// USD per 1M tokens, as providers publish them.
struct ModelPrice {
  double input = 0;
  double cached_input = 0;
  double output = 0;
  std::optional<double> training;  // fine-tuning price per 1M training tokens
};

}  // namespace tb
