#pragma once
// The suite's `gate:` evaluated on a stored run: one line and one record per gate and variant,
// PASS or FAIL with the figure, the bar and its interval. Any FAIL fails the run in CI.
#include <optional>
#include <string>
#include <vector>

#include "analysis/run_summary.hpp"
#include "store/records.hpp"
#include "analysis/gate_spec.hpp"

namespace tb {

class RunResolver;
struct RunSide;

struct GateEvaluation {
  std::vector<GateRecord> gates;
  bool passed() const;
};

// `against` replaces every no_regression gate's reference (the `gate --against` flag); without
// gates of that kind it adds one over all shared variants.
GateEvaluation evaluate_gates(const Gates& gates, const RunSummary& summary, const RunSide& self,
                              RunResolver& resolver, const std::optional<std::string>& against = std::nullopt);

}  // namespace tb
