#pragma once
// When a provider stops serving a model: the shutdown date (every fine-tune on the model stops
// with it), the last day new fine-tuning jobs are accepted, and the model it names as the
// replacement. Read from the price catalog (datasets/prices.json, "lifecycle" per model), so a
// run on a model about to disappear says so before anyone builds a release on it.
#include <optional>
#include <string>

namespace tb {

struct ModelLifecycle {
  std::optional<std::string> shutdown;          // YYYY-MM-DD: the API stops answering
  std::optional<std::string> fine_tuning_ends;  // YYYY-MM-DD: no new fine-tuning jobs after it
  std::optional<std::string> replacement;       // the model the provider recommends instead
  bool retired = false;                         // already gone (date not kept)
};

// Where a model stands on `today` (YYYY-MM-DD).
struct LifecycleStatus {
  enum class Kind { active, shutting_down, shut_down } kind = Kind::active;
  long long days_left = 0;  // shutting_down: days until the shutdown date
  std::string text;  // one line: "shuts down on 2027-01-14 (in 46 days); replacement gpt-5-mini"
};

// `warn_days`: how far ahead a shutdown counts as shutting_down. `fine_tuned`: the model is a
// fine-tune (the line then also says that fine-tunes stop with their base).
LifecycleStatus lifecycle_status(const ModelLifecycle& lifecycle, const std::string& today,
                                 bool fine_tuned, long long warn_days = 60);

// Today's date in UTC as YYYY-MM-DD, or TUNEBENCH_TODAY when set (to see how a suite fares on a
// later date, and for tests).
std::string today_utc();

// Days from `from` to `to` (both YYYY-MM-DD); nullopt when either is not a valid date.
std::optional<long long> days_between(const std::string& from, const std::string& to);

}  // namespace tb
