#pragma once
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

#include "run/preflight.hpp"
#include "suite/suite.hpp"

namespace tb {

struct RunnerOptions {
  std::filesystem::path db_path = "tunebench.db";
  std::optional<int> concurrency;      // overrides the suite's run.concurrency
  std::optional<long long> resume;     // run id to complete instead of starting a new run
  bool resume_changed = false;         // resume on a changed dataset: send the changed cases again
  bool retry_errors = false;           // resume: send again the jobs whose stored result is an error
  std::optional<double> max_cost_usd;  // stop dispatching before the spend would pass this
  std::optional<double> deadline_s;    // overrides run.deadline_s
  std::optional<double> grace_s;       // overrides run.grace_s
  bool cache_read = true;              // answer unchanged requests from the response cache
  bool cache_write = true;             // keep successful answers in the cache
  bool quiet = false;
  // The share of each endpoint's rpm and tpm this run may use: 1/N for a shard of N (so that
  // the shards together keep the limits), 1 with --shard-limits full.
  double limits_share = 1;
  // The command line that runs this suite again ("tunebench run S --db D"); on an interrupt
  // " --resume ID" is added and printed.
  std::string resume_hint;
};

// A resume that does not fit the stored run (another suite, variants or dataset): nothing was
// sent; the message says what differs and what to do. An input problem (exit 2).
class ResumeRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RunOutcome {
  long long run_id = 0;
  std::string status;   // done, interrupted or failed
  std::string message;  // why the run stopped early
  long long results = 0;
  long long errors = 0;
  long long cached = 0;
  long long sent = 0;  // HTTP requests sent, retries included
  long long judge_calls = 0;   // judgements of model-graded checks (cached ones included)
  long long judge_cached = 0;  // ... read from the response cache
  double judge_cost_usd = 0;   // the cost of those asked now, apart from the variants'
};

// Executes a suite that passed its preflight: starts the in-process mock where a variant needs
// it, streams the plan through `concurrency` coroutines on one io_context within each endpoint's
// rate limits, retries what is worth retrying, answers unchanged requests from the cache, stores
// every result (committed before it counts as done) and marks the run done, interrupted or
// failed. Throws StoreError when the store cannot be written or a resume does not fit the suite.
RunOutcome execute_run(const Suite& suite, const Preflight& preflight, const RunnerOptions& options);

}  // namespace tb
