#include "report/ablation_text.hpp"

#include <algorithm>
#include <iomanip>

#include "common/text.hpp"
#include "report/report_text.hpp"

namespace tb {
namespace {

std::string pct(double v) {
  return fixed(100 * v, 1);
}

std::string rate_text(const AblationMeasurement& m) {
  return pct(m.conformance) + "% (" + pct(m.conformance_ci.low) + "-" + pct(m.conformance_ci.high) +
         ")";
}

std::string points(double v) {
  return (v > 0 ? "+" : "") + fixed(100 * v, 1);
}

std::string difference_text(const AblationMeasurement& m) {
  return points(m.difference) + " (" + points(m.difference_ci.low) + " to " +
         points(m.difference_ci.high) + ")";
}

std::string p_text(double p) {
  return p < 0.001 ? std::string("<0.001") : fixed(p, 3);
}

// "-S6 export interface Term {" : what a step tried to remove.
std::string tried_text(const AblationSearch& search, const AblationCandidate& c,
                       std::size_t width) {
  if (!c.removed) return "(full prompt)";
  const PromptSection& s = search.sections()[*c.removed];
  return ellipsize("-S" + std::to_string(s.index) + " " + s.label, width);
}

std::string decision_text(const AblationCandidate& c) {
  if (!c.removed) return "-";
  return c.accepted ? "dropped" : "needed";
}

}  // namespace

void write_ablation_sections(const AblationSearch& search, const std::string& counting,
                             std::ostream& out) {
  const auto& full = search.candidates().empty() ? nullptr : &search.candidates().front();
  long long total = 0;
  for (const auto& s : search.sections()) total += s.tokens;
  out << "Sections of the system prompt (" << search.sections().size() << ", tokens counted with "
      << counting << "):\n";
  out << "  " << std::right << std::setw(4) << "S"
      << "  " << std::left << std::setw(10) << "kind" << std::right << std::setw(7) << "tokens"
      << "  " << std::left << "starts with\n";
  for (const auto& s : search.sections())
    out << "  " << std::right << std::setw(4) << ("S" + std::to_string(s.index)) << "  "
        << std::left << std::setw(10) << to_string(s.kind) << std::right << std::setw(7) << s.tokens
        << "  " << s.label << "\n";
  out << "  (sections alone add up to " << total << " tokens";
  if (full) out << "; the whole prompt is " << full->tokens;
  out << ")\n";
}

void write_ablation_step(const AblationSearch& search, const AblationCandidate& c,
                         std::ostream& out) {
  if (!c.measured) return;
  const AblationMeasurement& m = *c.measured;
  const std::string of = std::to_string(search.planned_steps() - 1);
  out << "step " << std::right << std::setw(static_cast<int>(of.size())) << c.step << "/" << of
      << "  " << std::left << std::setw(34) << tried_text(search, c, 34) << std::right
      << std::setw(6) << c.tokens << " tokens  " << m.conformant << "/" << m.results
      << " conformant, " << rate_text(m);
  if (c.removed)
    out << "; vs full " << points(m.difference) << " points, p " << p_text(m.p_value) << ": "
        << decision_text(c);
  out << "  (run " << m.run_id << ")\n";
}

void write_ablation_curve(const AblationSearch& search, std::ostream& out) {
  out << "\nCurve: system prompt tokens against conformance on the same cases (95% intervals;\n"
         "difference in points against the full prompt; p: exact paired test on cases)\n";
  out << "  " << std::right << std::setw(4) << "step" << std::setw(8) << "tokens"
      << "  " << std::left << std::setw(20) << "conformance" << std::setw(26) << "vs full"
      << std::setw(8) << "p" << std::setw(9) << "decision" << std::setw(7) << "run"
      << "tried\n";
  for (const auto& c : search.candidates()) {
    if (!c.measured) continue;
    const AblationMeasurement& m = *c.measured;
    out << "  " << std::right << std::setw(4) << c.step << std::setw(8) << c.tokens << "  "
        << std::left << std::setw(20) << rate_text(m) << std::setw(26)
        << (c.removed ? difference_text(m) : "-") << std::setw(8)
        << (c.removed ? p_text(m.p_value) : "-") << std::setw(9) << decision_text(c) << std::setw(7)
        << m.run_id << tried_text(search, c, 40) << "\n";
  }
}

void write_ablation_choice(const AblationSearch& search, double alpha,
                           const std::optional<ShortPrompt>& fine_tuned, std::ostream& out) {
  const AblationCandidate& full = search.candidates().front();
  const AblationCandidate& chosen = search.chosen();
  const auto kept = std::count(chosen.keep.begin(), chosen.keep.end(), true);
  const long long saved = full.tokens - chosen.tokens;
  out << "\nChosen: " << kept << " of " << search.sections().size() << " sections, "
      << chosen.tokens << " tokens instead of " << full.tokens << ": " << saved
      << " tokens saved per request";
  if (full.tokens > 0)
    out << " (" << fixed(100.0 * static_cast<double>(saved) / static_cast<double>(full.tokens), 1)
        << "%)";
  out << "\n";
  std::string kept_list;
  for (const auto& s : search.sections())
    if (chosen.keep[s.index - 1])
      kept_list += (kept_list.empty() ? "S" : ", S") + std::to_string(s.index);
  out << "  kept: " << kept_list << "\n";
  const AblationMeasurement& fm = *full.measured;
  if (chosen.removed) {
    const AblationMeasurement& cm = *chosen.measured;
    out << "  conformance " << rate_text(cm) << " against " << rate_text(fm)
        << " with the full prompt: " << difference_text(cm) << " points, p " << p_text(cm.p_value)
        << ", not significantly below at alpha " << fixed(alpha, 3) << "\n";
    if (cm.difference < 0)
      out << "  note: on this sample the chosen prompt scores " << fixed(-100 * cm.difference, 1)
          << " points below the full one; " << cm.cases
          << " cases cannot tell that from chance, so measure it on more (--sample) or bound the "
             "drop "
             "(--max-drop) before shipping it\n";
  } else {
    out << "  every removal lowered conformance significantly (alpha " << fixed(alpha, 3)
        << "): the full prompt stays, " << rate_text(fm) << "\n";
  }
  if (fine_tuned) {
    const long long ft_saved = full.tokens - fine_tuned->tokens;
    out << "  fine-tuned short prompt (" << fine_tuned->variant << "): " << fine_tuned->tokens
        << " tokens, " << ft_saved << " fewer than the full prompt";
    if (ft_saved > 0)
      out << "; ablation alone saves " << saved << " of those " << ft_saved << " ("
          << fixed(100.0 * static_cast<double>(saved) / static_cast<double>(ft_saved), 0) << "%), "
          << (chosen.tokens - fine_tuned->tokens) << " tokens more than the fine-tune's prompt";
    out << "\n";
  }
}

}  // namespace tb
