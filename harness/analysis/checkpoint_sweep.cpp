#include "analysis/checkpoint_sweep.hpp"

#include <algorithm>

namespace tb {

std::vector<CheckpointSweep> checkpoint_sweeps(const RunSummary& summary) {
  std::vector<CheckpointSweep> out;
  for (std::size_t i = 0; i < summary.variants.size(); ++i) {
    const auto& v = summary.variants[i].variant;
    if (v.sweep_of.empty()) continue;
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const CheckpointSweep& s) { return s.of == v.sweep_of; });
    if (it == out.end()) it = out.insert(out.end(), CheckpointSweep{v.sweep_of, {}, true});
    it->variants.push_back(i);
    it->every_step_known = it->every_step_known && v.checkpoint_step.has_value();
  }
  for (auto& s : out) {
    std::stable_sort(s.variants.begin(), s.variants.end(), [&](std::size_t a, std::size_t b) {
      const auto& sa = summary.variants[a].variant.checkpoint_step;
      const auto& sb = summary.variants[b].variant.checkpoint_step;
      if (sa.has_value() != sb.has_value()) return sa.has_value();
      return sa && *sa < *sb;
    });
  }
  return out;
}

}  // namespace tb
