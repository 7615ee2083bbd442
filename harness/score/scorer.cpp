#include "score/scorer.hpp"

namespace tb {
namespace {

std::optional<nlohmann::json> parse_json(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

}  // namespace

Score score_result(const ScoreInput& input,
                   const std::vector<std::shared_ptr<const Check>>& suite_checks,
                   const std::vector<std::shared_ptr<const Check>>& case_checks,
                   const FormatExpectation& format) {
  const auto output_json = parse_json(input.output);
  const auto reference_json =
      input.has_reference ? parse_json(input.reference) : std::optional<nlohmann::json>{};
  CheckInput in;
  in.output = input.output;
  in.reference = input.reference;
  in.has_reference = input.has_reference;
  in.output_json = output_json ? &*output_json : nullptr;
  in.reference_json = reference_json ? &*reference_json : nullptr;
  in.finish_reason = input.finish_reason;
  in.latency_ms = input.latency_ms;
  in.cost_usd = input.cost_usd;
  in.completion_tokens = input.completion_tokens;

  Score score;
  score.conformant = true;
  double weighted = 0;
  double weights = 0;
  for (const auto* list : {&suite_checks, &case_checks}) {
    for (const auto& check : *list) {
      const CheckOutcome outcome = check->evaluate(in);
      score.checks.push_back({check->name(), check->type(), outcome.passed, check->required(),
                              check->weight(), outcome.score, outcome.detail});
      if (check->required() && !outcome.passed) score.conformant = false;
      weighted += check->weight() * outcome.score;
      weights += check->weight();
    }
  }
  score.score = weights > 0 ? weighted / weights : 1.0;
  if (format.json) {
    std::vector<SchemaViolation> violations;
    if (output_json && format.schema != nullptr && !format.schema->is_valid(*output_json))
      violations = format.schema->validate(*output_json);
    score.failure = classify_failure(input.output, input.finish_reason, output_json.has_value(), violations);
  }
  return score;
}

}  // namespace tb
