#pragma once
// A self-hosted endpoint is paid by the GPU hour. Its cost per token is derived, never billed:
// GPU dollars per second divided by the tokens per second the server sustains. That throughput
// is the suite's `tokens_per_s` when given, else measured in the run at its concurrency:
//   tokens/s = concurrency x (prompt + completion tokens) / latency, over the answered results
// (Little's law: `concurrency` requests in flight, each taking its latency). A run's variants
// share its concurrency, so the server may have held fewer requests than that: the measured
// figure is then optimistic, which is why it is labelled as derived wherever it is shown.
#include <optional>
#include <string_view>

#include "analysis/model_price.hpp"

namespace tb {

struct SelfHosted {
  GpuPrice price;
  int concurrency = 1;  // the run's
};

// The self-hosted price stored with a variant's settings (variants.params_json "self_hosted").
std::optional<SelfHosted> self_hosted_from_params(std::string_view params_json);

struct SelfHostedCost {
  double usd = 0;           // for the results summed
  double tokens_per_s = 0;  // the throughput it assumes
  bool measured = true;     // false: the suite's tokens_per_s
  double usd_per_1m_tokens = 0;
};

// The cost of results that took latency_s seconds (summed) and tokens (prompt + completion).
SelfHostedCost self_hosted_cost(const SelfHosted& s, double latency_s, double tokens);

}  // namespace tb
