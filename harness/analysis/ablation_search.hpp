#pragma once
// Prompt ablation as a search: which sections of a long system prompt can go without the
// conformance falling significantly below the full prompt's? Backward elimination, largest
// section first, each section tried once: the full prompt is measured, then each candidate
// is the prompt kept so far minus one more section, compared with the full prompt on the same
// cases by the paired exact test. Pure: the caller measures each candidate (tunebench ablate
// runs it against the suite's endpoint), so the search is tested without a server.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "analysis/prompt_sections.hpp"
#include "analysis/statistics.hpp"

namespace tb {

// A candidate prompt's conformance on the sample, and against the full prompt's on the same
// cases (VariantSummary's numbers: analysis/run_summary.hpp).
struct AblationMeasurement {
  long long run_id = 0;
  long long cases = 0;
  long long results = 0;
  long long conformant = 0;
  double conformance = 0;
  Interval conformance_ci;        // 95%, cases clustered
  double prompt_tokens_mean = 0;  // per request, as the store has it
  // Against the full prompt (not set for the full prompt itself).
  double difference = 0;  // mean over cases of candidate rate - full rate
  Interval difference_ci;
  double p_value = 1;  // two-sided, exact (McNemar on cases)
};

struct AblationCandidate {
  int step = 0;                        // 0: the full prompt
  std::optional<std::size_t> removed;  // the section (index into sections) this step tries to drop
  std::vector<bool> keep;              // per section: in this candidate's prompt
  std::string prompt;
  long long tokens = 0;  // of `prompt`, counted whole
  std::optional<AblationMeasurement> measured;
  bool accepted = false;  // the removal stays (the full prompt is accepted by definition)
};

class AblationSearch {
 public:
  // `full_prompt` is sent as written at step 0; later candidates are the kept sections joined
  // by a blank line. `alpha`: a removal is undone when the candidate is significantly below the
  // full prompt at this level (two-sided p < alpha and a negative difference).
  // `max_drop`, when set: a removal is also undone when the candidate's conformance is more
  // than this (a fraction, 0.05 = 5 points) below the full prompt's, significant or not.
  AblationSearch(std::string full_prompt, std::vector<PromptSection> sections, double alpha,
                 std::function<long long(std::string_view)> count_tokens,
                 std::optional<double> max_drop = std::nullopt);

  // The candidate to measure next, or nullptr when the search is over. At most sections + 1.
  const AblationCandidate* next();
  // The measurement of the candidate next() returned.
  void record(const AblationMeasurement& measurement);

  const std::vector<PromptSection>& sections() const { return sections_; }
  const std::vector<AblationCandidate>& candidates() const { return candidates_; }
  // The shortest accepted candidate: the full prompt when no removal held.
  const AblationCandidate& chosen() const;
  // Steps the search will take in all: 1 + sections.
  std::size_t planned_steps() const { return order_.size() + 1; }

  // Sections by the order they are tried: most tokens first, earlier first among equals.
  static std::vector<std::size_t> removal_order(const std::vector<PromptSection>& sections);
  // A drop in conformance shown by the exact paired test at alpha, or by a 95% interval of the
  // difference that lies wholly below zero.
  static bool significantly_below(const AblationMeasurement& m, double alpha);
  // Whether the removal measured by `m` is undone.
  bool too_low(const AblationMeasurement& m) const;

 private:
  std::string full_prompt_;
  std::vector<PromptSection> sections_;
  double alpha_;
  std::optional<double> max_drop_;
  std::function<long long(std::string_view)> count_tokens_;
  std::vector<std::size_t> order_;
  std::vector<bool> kept_;  // after the removals accepted so far
  std::vector<AblationCandidate> candidates_;
  bool pending_ = false;  // next() gave a candidate that record() has not measured yet
};

}  // namespace tb
