#pragma once
// What a suite's `gate:` asks of a run (read by suite/gate_reader.cpp, judged by
// analysis/gates.cpp). Plain data, like ModelPrice, so the suite can hold it.
#include <map>
#include <string>
#include <vector>

namespace tb {

// `gate: no_regression`: this run's variants must not be worse than a reference on the same
// cases: another run (`latest-passing`, a run id, `FILE.db:RUN`) or another variant of this run
// (`variant:ID`, e.g. the base model a fine-tune must not forget against).
struct RegressionGate {
  std::string against = "latest-passing";
  std::vector<std::string> variants;  // empty: every variant the two sides share
  long long max_regressed_cases = 0;  // more cases that passed there and fail here: FAIL
  double alpha = 0.05;                // a significant drop in conformance (paired test): FAIL
};

// `gate:` what a run must show to pass in CI. Per-variant thresholds are keyed by variant id;
// "*" applies to every variant.
struct Gates {
  std::map<std::string, double> min_conformance;
  bool use_lower_bound = false;  // `use: lower_bound`: the Wilson lower bound must clear the bar
  std::vector<RegressionGate> no_regression;
  std::map<std::string, double> max_cost_per_1k;
  std::map<std::string, double> max_p95_latency_ms;
  std::map<std::string, double> max_error_rate;
  std::map<std::string, double> min_pass_all;  // share of cases passing in every repeat (pass^k)

  bool empty() const {
    return min_conformance.empty() && no_regression.empty() && max_cost_per_1k.empty() &&
           max_p95_latency_ms.empty() && max_error_rate.empty() && min_pass_all.empty();
  }
};

}  // namespace tb
