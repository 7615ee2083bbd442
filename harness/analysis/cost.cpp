#include "analysis/cost.hpp"

#include <algorithm>

namespace tb {

double request_cost(const ModelPrice& price, long long prompt_tokens, long long cached_tokens,
                    long long completion_tokens) {
  const long long cached = std::clamp(cached_tokens, 0LL, std::max(prompt_tokens, 0LL));
  const long long uncached = std::max(prompt_tokens, 0LL) - cached;
  return (static_cast<double>(uncached) * price.input + static_cast<double>(cached) * price.cached_input +
          static_cast<double>(std::max(completion_tokens, 0LL)) * price.output) / 1e6;
}

double training_cost(const ModelPrice& price, long long tokens_per_epoch, int epochs) {
  return static_cast<double>(tokens_per_epoch) * epochs * price.training.value_or(0) / 1e6;
}

double break_even_requests(double training_cost_usd, double baseline_cost_per_request,
                           double candidate_cost_per_request) {
  const double saving = baseline_cost_per_request - candidate_cost_per_request;
  if (saving <= 0) return -1;
  return training_cost_usd / saving;
}

}  // namespace tb
