#pragma once
#include <optional>

namespace tb {

// A self-hosted endpoint is paid by the GPU hour, not by the token: its cost per token is
// derived from the throughput measured in the run (or the tokens_per_s the suite gives), so
// every figure computed from it is labelled as derived.
struct GpuPrice {
  double gpu_hour_usd = 0;
  int gpus = 1;
  // Prompt and completion tokens per second the server sustains; unset: measured in the run
  // (concurrency x tokens per request / latency, see analysis/self_hosted_cost.hpp).
  std::optional<double> tokens_per_s;

  double usd_per_second() const { return gpu_hour_usd * gpus / 3600.0; }
};

// USD per 1M tokens, as providers publish them.
struct ModelPrice {
  double input = 0;
  double cached_input = 0;
  double output = 0;
  std::optional<double> training;  // fine-tuning price per 1M training tokens
  std::optional<GpuPrice> gpu;     // self-hosted: input and output are 0, the cost is derived
};

}  // namespace tb
