#pragma once
#include "analysis/model_price.hpp"

namespace tb {

// USD for one request: uncached prompt tokens at the input price, cached ones at the cached
// price, completion tokens at the output price.
double request_cost(const ModelPrice& price, long long prompt_tokens, long long cached_tokens,
                    long long completion_tokens);

// USD to train: billed tokens (tokens per epoch x epochs) at the training price.
double training_cost(const ModelPrice& price, long long tokens_per_epoch, int epochs);

// Requests after which the per-request saving pays back the training cost; < 0 when the
// fine-tuned variant costs as much or more per request (it never breaks even).
double break_even_requests(double training_cost_usd, double baseline_cost_per_request,
                           double candidate_cost_per_request);

}  // namespace tb
