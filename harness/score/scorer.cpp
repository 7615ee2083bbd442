#include "score/scorer.hpp"

#include <cstdint>

namespace tb {

Score score_result(const ScoreInput& input,
                   const std::vector<std::shared_ptr<const Check>>& suite_checks,
                   const std::vector<std::shared_ptr<const Check>>& case_checks,
                   const FormatExpectation& format) {
  // Bounded in depth (kMaxJsonDepth): the checks walk the tree this becomes.
  const auto output_tape = JsonTape::parse(input.output);
  CheckInput in;
  in.output = input.output;
  in.reference = input.reference;
  in.has_reference = input.has_reference;
  in.output_tape = output_tape ? &*output_tape : nullptr;
  // A refusal for depth alone is said so by the checks ("not JSON: nested deeper than ...").
  in.output_too_deep = !output_tape && json_nesting_depth(input.output) > kMaxJsonDepth &&
                       JsonTape::parse(input.output, nullptr, SIZE_MAX).has_value();
  in.finish_reason = input.finish_reason;
  in.latency_ms = input.latency_ms;
  in.cost_usd = input.cost_usd;
  in.completion_tokens = input.completion_tokens;

  Score score;
  for (const auto* list : {&suite_checks, &case_checks}) {
    for (const auto& check : *list) {
      if (check->judge() != nullptr) score.pending_judges.emplace_back(score.checks.size(), check.get());
      const CheckOutcome outcome = check->evaluate(in);
      score.checks.push_back({check->name(), check->type(), outcome.passed, check->required(),
                              check->weight(), outcome.score, outcome.detail});
    }
  }
  score.settle();
  if (format.json) {
    std::vector<SchemaViolation> violations;
    if (output_tape && format.schema != nullptr && !format.schema->is_valid(*output_tape))
      violations = format.schema->validate(*in.output_json());
    score.failure =
        classify_failure(input.output, input.finish_reason, output_tape.has_value(), violations);
  }
  return score;
}

void Score::settle() {
  conformant = true;
  double weighted = 0;
  double weights = 0;
  for (const auto& c : checks) {
    if (c.required && !c.passed) conformant = false;
    weighted += c.weight * c.score;
    weights += c.weight;
  }
  score = weights > 0 ? weighted / weights : 1.0;
}

}  // namespace tb
