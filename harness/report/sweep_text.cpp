#include "report/sweep_text.hpp"

#include <iomanip>

#include "analysis/checkpoint_sweep.hpp"
#include "common/text.hpp"
#include "report/report_text.hpp"

namespace tb {

void write_checkpoint_sweeps(const RunSummary& summary, std::ostream& out) {
  for (const auto& sweep : checkpoint_sweeps(summary)) {
    out << (sweep.every_step_known ? "checkpoint sweep " : "model sweep ") << sweep.of
        << (sweep.every_step_known ? ": conformance against training step\n"
                                   : ": conformance per model (by training step where known)\n");
    out << std::right << std::setw(10) << "step" << std::setw(9) << "loss" << std::setw(13)
        << "conformance"
        << "  " << std::left << std::setw(18) << "[95% interval]" << std::right << std::setw(8)
        << "prompt" << std::setw(11) << "cost/1k"
        << "  variant\n";
    for (const std::size_t i : sweep.variants) {
      const auto& v = summary.variants[i];
      const auto& r = v.variant;
      const std::string interval =
          "[" + format_pct(v.conformance_ci.low) + " to " + format_pct(v.conformance_ci.high) + "]";
      out << std::right << std::setw(10)
          << (r.checkpoint_step ? with_thousands(*r.checkpoint_step) : std::string("-"))
          << std::setw(9) << (r.training_loss ? fixed(*r.training_loss, 3) : std::string("-"))
          << std::setw(13) << format_pct(v.conformance) << "  " << std::left << std::setw(18)
          << interval << std::right << std::setw(8) << format_count(v.prompt_tokens_mean)
          << std::setw(11) << (v.self_hosted ? "~" : "") + format_usd(v.cost_per_1k) << "  " << r.id
          << (r.id == summary.baseline ? "*" : "") << "\n";
    }
  }
}

}  // namespace tb
