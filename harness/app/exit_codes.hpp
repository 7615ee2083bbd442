#pragma once

namespace tb {

// Documented in the README; scripts and CI gates depend on them.
enum ExitCode : int {
  kExitOk = 0,
  kExitChecksFailed = 1,  // the run completed but answers failed checks (with --fail-on-checks)
  kExitUsage = 2,         // bad flags, suite, dataset, schema or price: nothing was sent
  kExitRuntime = 3,       // the run could not finish: network down, auth failure, disk, interrupt
};

}  // namespace tb
