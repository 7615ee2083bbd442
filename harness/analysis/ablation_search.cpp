#include "analysis/ablation_search.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace tb {

AblationSearch::AblationSearch(std::string full_prompt, std::vector<PromptSection> sections,
                               double alpha,
                               std::function<long long(std::string_view)> count_tokens,
                               std::optional<double> max_drop)
    : full_prompt_(std::move(full_prompt)),
      sections_(std::move(sections)),
      alpha_(alpha),
      max_drop_(max_drop),
      count_tokens_(std::move(count_tokens)),
      order_(removal_order(sections_)),
      kept_(sections_.size(), true) {}

std::vector<std::size_t> AblationSearch::removal_order(const std::vector<PromptSection>& sections) {
  std::vector<std::size_t> order(sections.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return sections[a].tokens > sections[b].tokens;
  });
  return order;
}

bool AblationSearch::significantly_below(const AblationMeasurement& m, double alpha) {
  // Either measure of a drop is enough: the exact test at alpha, or a 95% bootstrap interval
  // wholly below zero. On small samples they can disagree at the edge (-20 points, interval
  // -36.7 to -3.3, p 0.070), and a prompt shown to lose conformance must not be called "not
  // significantly below".
  return m.difference < 0 && (m.p_value < alpha || m.difference_ci.high < 0);
}

bool AblationSearch::too_low(const AblationMeasurement& m) const {
  // A small epsilon: a drop of exactly max_drop (3 of 60 cases for 0.05) is within it.
  return significantly_below(m, alpha_) || (max_drop_ && -m.difference > *max_drop_ + 1e-9);
}

const AblationCandidate* AblationSearch::next() {
  if (pending_) throw std::logic_error("AblationSearch::next: the last candidate is not measured");
  AblationCandidate c;
  c.step = static_cast<int>(candidates_.size());
  if (candidates_.empty()) {
    c.keep = kept_;
    c.prompt = full_prompt_;
  } else {
    // Step k tries the k-th section of the order. The last section kept is never removed: a
    // prompt of nothing is another strategy (the dataset's messages as they are).
    const auto kept_count = static_cast<std::size_t>(std::count(kept_.begin(), kept_.end(), true));
    const std::size_t k = candidates_.size() - 1;
    if (k >= order_.size() || kept_count <= 1) return nullptr;
    c.removed = order_[k];
    c.keep = kept_;
    c.keep[*c.removed] = false;
    c.prompt = join_sections(sections_, c.keep);
  }
  c.tokens = count_tokens_(c.prompt);
  candidates_.push_back(std::move(c));
  pending_ = true;
  return &candidates_.back();
}

void AblationSearch::record(const AblationMeasurement& measurement) {
  if (!pending_) throw std::logic_error("AblationSearch::record: no candidate to measure");
  pending_ = false;
  AblationCandidate& c = candidates_.back();
  c.measured = measurement;
  c.accepted = !c.removed || !too_low(measurement);
  if (c.accepted && c.removed) kept_[*c.removed] = false;
}

const AblationCandidate& AblationSearch::chosen() const {
  if (candidates_.empty() || !candidates_.front().measured)
    throw std::logic_error("AblationSearch::chosen: the full prompt is not measured");
  // Removals only accumulate, so the last accepted candidate is the shortest accepted one.
  for (auto it = candidates_.rbegin(); it != candidates_.rend(); ++it)
    if (it->measured && it->accepted) return *it;
  return candidates_.front();
}

}  // namespace tb
