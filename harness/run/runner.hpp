#pragma once
#include <filesystem>
#include <optional>
#include <string>

#include "run/preflight.hpp"
#include "suite/suite.hpp"

namespace tb {

struct RunnerOptions {
  std::filesystem::path db_path = "tunebench.db";
  std::optional<int> concurrency;  // overrides the suite's run.concurrency
  bool quiet = false;
  int max_consecutive_errors = 50;  // error budget: stop when the endpoint is clearly down
};

struct RunOutcome {
  long long run_id = 0;
  std::string status;   // done, interrupted or failed
  std::string message;  // why the run stopped early
  long long results = 0;
  long long errors = 0;
};

// Executes a suite that passed its preflight: starts the in-process mock where a variant needs
// it, streams the plan through `concurrency` coroutines on one io_context, stores every result
// (committed before it counts as done) and marks the run done, interrupted or failed.
// Throws StoreError when the store cannot be written.
RunOutcome execute_run(const Suite& suite, const Preflight& preflight, const RunnerOptions& options);

}  // namespace tb
