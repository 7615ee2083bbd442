#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/diagnostic.hpp"

namespace tb {

// How a simulated model behaves. Rates are probabilities per request.
struct MockProfile {
  double format_break = 0.10;             // when the prompt spells the format out
  double format_break_unprompted = 0.70;  // when it does not (no "JSON", few field names)
  // Under a strict schema (response_format json_schema or a strict function): the grammar rules
  // out every break but the answer cut off at max length, which this rate draws.
  double format_break_structured = 0.01;
  double field_error = 0.08;              // right format, a wrong value
  // With retrieved passages in the prompt (rag): the wrong-value rate when they hold the
  // reference answer, and when they hold only other entries (the wrong value is then copied
  // from one of those, as a misled model does). See mock/mock_grounding.hpp.
  double field_error_grounded = 0.02;
  double field_error_misled = 0.50;
  double error_rate = 0.0;  // HTTP 500
  // Forgetting: the share of cases this model answers wrong whatever the prompt (a fine-tune that
  // lost a general ability). Drawn once per case from the seed, not per request, so a forgotten
  // case fails in every repeat and every run with that seed, as a real regression does.
  double general_regression = 0.0;
  // Cases (dataset ids) this model answers wrong, for a regression whose cases are known.
  std::vector<std::string> regressed_cases;
};

struct MockLatency {
  std::string distribution = "lognormal";  // fixed, uniform or lognormal
  double median_ms = 40;                   // fixed: the value; uniform: the mean
  double sigma = 0.35;                     // lognormal shape; uniform: +- median_ms * sigma
  double per_prompt_token_ms = 0.05;       // prefill: longer prompts answer later
  double per_output_token_ms = 1.0;        // decoding
};

// Faults on demand, each a probability per request attempt (independent of the model profile).
struct MockFaults {
  double rate_limit = 0;  // 429 with Retry-After
  double retry_after_s = 1;
  double server_error = 0;  // 500 or 503
  double stall = 0;         // answer only after stall_ms (past the client's timeout)
  double stall_ms = 30000;
  double reset = 0;             // close the connection without answering
  double truncated = 0;         // send half the body, then close
  double malformed = 0;         // 200 with a body that is not JSON
  double stream_delay_ms = -1;  // fixed delay between SSE chunks; -1 = per_output_token_ms
};

// A server-side limit, like a provider's: requests beyond `rpm` per minute, measured over a
// sliding window of `window_s` seconds, get 429 and are counted as violations.
struct MockLimits {
  double rpm = 0;  // 0 = no limit
  double window_s = 60;
  double burst = 1;  // requests of slack over rpm * window_s / 60
};

// A provider's prompt cache in its steady state: every message before the last counts as a
// prefix seen before, reported as cached_tokens (rounded down to `increment`) when the prompt
// has at least `min_tokens`, as OpenAI does for prompts of 1,024 tokens and more. Off unless
// `prompt_cache:` is given, so that numbers without it stay as they were.
struct MockPromptCache {
  bool enabled = false;
  double min_tokens = 1024;
  double increment = 128;
};

// A model whose id names a training step (a checkpoint: ft:...:ckpt-step-N, .../checkpoint-N;
// suite/model_sweep.hpp) answers as one trained that long: its format and value error rates go
// from the base profile's at step 0 towards its own (its models: entry, else the fine-tuned
// profile) as 1 - exp(-step / learn_steps), so a sweep's later checkpoints keep the format
// better, as training curves do.
struct MockCheckpoints {
  double learn_steps = 100;
};

struct MockConfig {
  std::uint64_t seed = 42;
  MockPromptCache prompt_cache;
  MockFaults faults;
  MockLimits limits;
  MockLatency latency;
  MockCheckpoints checkpoints;
  MockProfile base;        // models without the ft: prefix
  MockProfile fine_tuned;  // ft:... models: trained on the format, so a short prompt suffices
  // Per-model overrides; a key ending in '*' matches by prefix.
  std::vector<std::pair<std::string, MockProfile>> models;

  // The profile a model answers with: its models: entry, else fine-tuned for ft: ids and base
  // for any other name; blended by step for a checkpoint (MockCheckpoints).
  MockProfile profile_for(const std::string& model) const;
};

MockConfig default_mock_config();

// Reads the `mock:` settings of an endpoint (or a --config file). Unknown keys are errors.
bool parse_mock_config(const nlohmann::json& settings, const std::string& where, MockConfig& out,
                       Diagnostics& errors);

}  // namespace tb
