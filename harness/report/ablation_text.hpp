#pragma once
// What `tunebench ablate` prints: the prompt's sections, one line per candidate as it is
// measured, and the curve with the prompt chosen.
#include <optional>
#include <ostream>
#include <string>

#include "analysis/ablation_search.hpp"

namespace tb {

void write_ablation_sections(const AblationSearch& search, const std::string& counting,
                             std::ostream& out);
// "step 3/14  -S5 Term interface ..." once the candidate is measured.
void write_ablation_step(const AblationSearch& search, const AblationCandidate& c,
                         std::ostream& out);
void write_ablation_curve(const AblationSearch& search, std::ostream& out);

// The chosen prompt against the full one and, when the suite has one, a fine-tuned variant's
// short prompt (its id and token count).
struct ShortPrompt {
  std::string variant;
  long long tokens = 0;
};
void write_ablation_choice(const AblationSearch& search, double alpha,
                           const std::optional<ShortPrompt>& fine_tuned, std::ostream& out);

}  // namespace tb
