#pragma once
// One stored result reduced to the columns a run summary reads: no bodies, no output.
#include <optional>
#include <string_view>

namespace tb {

// Views and values are valid only inside the callback that receives them.
struct ResultFacts {
  long long case_index = 0;
  int repeat = 0;
  bool ok = false;  // status 'ok': an answer came back
  std::string_view error_class;
  std::string_view failure_kind;
  std::string_view failure_path;  // empty when none applies
  bool conformant = false;
  bool cached = false;
  int attempts = 0;
  double score = 0;
  double cost_usd = 0;
  bool usage_estimated = false;                  // costed from local counts (see ResultRecord)
  std::optional<long long> prompt_tokens;        // the API's usage
  std::optional<long long> local_prompt_tokens;  // the local tokenizer's count
  std::optional<long long> prompt_chars;
  std::optional<long long> completion_tokens;
  std::optional<double> latency_ms;
  std::optional<double> ttft_ms;
  std::optional<double> itl_ms;
  std::optional<double> output_tps;
};

}  // namespace tb
