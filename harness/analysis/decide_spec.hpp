#pragma once
// What a suite's `decide:` asks (read by suite/suite_loader.cpp, answered by
// analysis/verdict.cpp). Plain data, like GateSpec, so the suite can hold it.
#include <optional>
#include <string_view>

namespace tb {

struct Decide {
  long long monthly_requests = 100000;
  // The strategies a verdict weighs: conformance not significantly below this (the upper end
  // of its 95% interval reaches it) and, when set, p95 latency at most max_p95_latency_ms.
  std::optional<double> min_conformance;
  std::optional<double> max_p95_latency_ms;
  int horizon_months = 6;  // one-time costs (training, indexing) are spread over this
  // A verdict is given when the suite asks for one (any key besides monthly_requests).
  bool verdict = false;
};

// The suite's `decide:` as stored with a run (runs.suite_json), read back for a report. The
// suite loader has validated it; anything unreadable here keeps its default.
Decide decide_from_suite_json(std::string_view suite_json);

}  // namespace tb
