#include "analysis/variant_tally.hpp"

#include <algorithm>

#include "store/result_facts.hpp"

namespace tb {

namespace {

constexpr std::uint8_t kPresent = 1, kOk = 2, kConformant = 4, kCounted = 8;

// The prompt size a report uses: the API's usage count, else the local tokenizer's.
std::optional<long long> prompt_size(const ResultFacts& r) {
  return r.prompt_tokens ? r.prompt_tokens : r.local_prompt_tokens;
}

}  // namespace

BaselineIndex::BaselineIndex(long long cases, int repeats)
    : cases_(std::max(0LL, cases)),
      repeats_(std::max(1, repeats)),
      prompt_tokens_(static_cast<std::size_t>(cases_ * repeats_), 0),
      flags_(static_cast<std::size_t>(cases_ * repeats_), 0) {}

long long BaselineIndex::slot(long long case_index, int repeat) const {
  if (case_index < 0 || case_index >= cases_ || repeat < 0 || repeat >= repeats_) return -1;
  return case_index * repeats_ + repeat;
}

void BaselineIndex::add(const ResultFacts& r) {
  const long long i = slot(r.case_index, r.repeat);
  if (i < 0) return;
  const auto prompt = prompt_size(r);
  const auto u = static_cast<std::size_t>(i);
  flags_[u] = static_cast<std::uint8_t>(kPresent | (r.ok ? kOk : 0) |
                                        (r.conformant ? kConformant : 0) | (prompt ? kCounted : 0));
  prompt_tokens_[u] = prompt.value_or(0);
}

std::optional<BaselineIndex::Entry> BaselineIndex::find(long long case_index, int repeat) const {
  const long long i = slot(case_index, repeat);
  if (i < 0) return std::nullopt;
  const auto u = static_cast<std::size_t>(i);
  const std::uint8_t f = flags_[u];
  if (!(f & kPresent)) return std::nullopt;
  return Entry{true, (f & kOk) != 0, (f & kConformant) != 0, (f & kCounted) != 0,
               prompt_tokens_[u]};
}

CaseOutcome BaselineIndex::case_outcome(long long case_index) const {
  CaseOutcome out;
  for (int repeat = 0; repeat < repeats_; ++repeat) {
    const long long i = slot(case_index, repeat);
    if (i < 0) break;
    const std::uint8_t f = flags_[static_cast<std::size_t>(i)];
    if (!(f & kPresent)) continue;
    ++out.runs;
    out.passed += (f & kConformant) != 0;
  }
  return out;
}

void VariantTally::close_case() {
  if (current_case_ < 0) return;
  cases.push_back(current_);
  if (baseline_) paired_cases.push_back({baseline_->case_outcome(current_case_), current_});
  current_cost_.case_index = current_case_;
  case_costs.push_back(current_cost_);
  current_ = {};
  current_cost_ = {};
}

void VariantTally::finish() {
  close_case();
  current_case_ = -1;
}

void VariantTally::add(const ResultFacts& r, const BaselineIndex* baseline) {
  // Sums are taken in the store's job order, as SQL's total() took them before: the same run
  // always reports the same digits.
  if (r.case_index != current_case_) {
    close_case();
    current_case_ = r.case_index;
    baseline_ = baseline;
  }
  ++current_.runs;
  current_.passed += r.conformant;
  ++current_cost_.results;
  current_cost_.cost_usd += r.cost_usd;
  if (r.ok) {  // what a self-hosted price derives its cost from (analysis/self_hosted_cost.hpp)
    current_cost_.latency_s += r.latency_ms.value_or(0) / 1000.0;
    current_cost_.tokens += static_cast<double>(prompt_size(r).value_or(0) + r.completion_tokens.value_or(0));
  }
  ++results;
  conformant += r.conformant;
  cached += r.cached;
  retried += r.attempts > 1;
  cost_sum += r.cost_usd;
  const auto prompt = prompt_size(r);
  if (r.prompt_tokens && r.local_prompt_tokens) {
    ++local_counted;
    local_matches += *r.prompt_tokens == *r.local_prompt_tokens;
  }
  if (r.instruction_tokens && r.context_tokens && r.case_tokens) {
    ++split_n;
    instruction_sum += static_cast<double>(*r.instruction_tokens);
    context_sum += static_cast<double>(*r.context_tokens);
    case_sum += static_cast<double>(*r.case_tokens);
  }
  if (r.retrieval_ms) {
    retrieval_ms.push_back(*r.retrieval_ms);
    embedding_tokens_sum += static_cast<double>(r.embedding_tokens);
    embedding_cost_sum += r.embedding_cost_usd;
  }
  if (!r.ok) {
    ++errors;
    ++error_classes[std::string(r.error_class)];
  } else {
    ++ok;
    cost_estimated += r.usage_estimated;
    score_sum += r.score;
    if (prompt) {
      ++prompt_n;
      prompt_sum += static_cast<double>(*prompt);
      prompt_tokens.push_back(static_cast<double>(*prompt));
      usage_missing += !r.prompt_tokens;
    }
    if (r.prompt_chars) chars_sum += static_cast<double>(*r.prompt_chars);
    if (r.completion_tokens) {
      ++completion_n;
      completion_sum += static_cast<double>(*r.completion_tokens);
    }
    if (r.latency_ms) {
      latency_sum += *r.latency_ms;
      latency_ms.push_back(*r.latency_ms);
    }
    if (r.ttft_ms) ttft_ms.push_back(*r.ttft_ms);
    if (r.itl_ms) itl_ms.push_back(*r.itl_ms);
    if (r.output_tps) output_tps.push_back(*r.output_tps);
    if (!r.cached && prompt && r.completion_tokens) {
      latency_fit.add(static_cast<double>(*prompt), static_cast<double>(*r.completion_tokens),
                      r.latency_ms.value_or(0));
    }
    if (r.failure_kind != "none") {
      const std::string kind(r.failure_kind);
      ++failure_kinds[kind];
      if (!r.failure_path.empty()) ++failure_paths[kind + " " + std::string(r.failure_path)];
    }
  }

  if (!baseline) {  // the baseline against itself: every counted job saves nothing
    if (r.ok && prompt) {
      ++pairs;
      baseline_sum += static_cast<double>(*prompt);
      variant_sum += static_cast<double>(*prompt);
    }
    return;
  }
  const auto b = baseline->find(r.case_index, r.repeat);
  if (!b) return;
  if (r.ok && b->ok && prompt && b->counted) {
    const long long saving = b->prompt_tokens - *prompt;
    ++pairs;
    baseline_sum += static_cast<double>(b->prompt_tokens);
    variant_sum += static_cast<double>(*prompt);
    saving_sum += static_cast<double>(saving);
    saving_sq_sum += static_cast<double>(saving * saving);
    savings.push_back(static_cast<double>(saving));
  }
}

}  // namespace tb
