#include "score/judge.hpp"

#include <algorithm>
#include <cmath>

#include "common/text.hpp"
#include "score/json_extract.hpp"

namespace tb {

nlohmann::json judge_messages(const JudgeSpec& spec, std::string_view input,
                              std::optional<std::string_view> reference, std::string_view answer) {
  std::string system(kJudgePreamble);
  system +=
      ". Reply with one JSON object and nothing else: {\"label\": \"pass\" or \"fail\" (or a label "
      "the rubric names), \"score\": a number from 0 (worst) to 1 (best), \"reasoning\": one "
      "sentence}.";
  if (reference)
    system += " The REFERENCE is a correct answer; the ANSWER need not match it word for word.";
  system += "\n\nRUBRIC:\n" + spec.rubric;
  std::string user = "<input>\n" + std::string(input) + "\n</input>\n";
  if (reference) user += "<reference>\n" + std::string(*reference) + "\n</reference>\n";
  user += "<answer>\n" + std::string(answer) + "\n</answer>";
  return nlohmann::json::array(
      {{{"role", "system"}, {"content", system}}, {{"role", "user"}, {"content", user}}});
}

std::optional<JudgeVerdict> parse_verdict(std::string_view content, std::string& error) {
  const auto quoted = [&] { return dquote(ellipsize(std::string(trim(content)), 120)); };
  // A judge may wrap its object in a fence or a sentence: take the first JSON object in it.
  const JsonExtraction found = extract_json(content);
  if (!found.found || !found.value.is_object()) {
    error = "the judge's reply is not a JSON verdict {label, score, reasoning}: " + quoted();
    return std::nullopt;
  }
  const nlohmann::json& j = found.value;
  JudgeVerdict v;
  const bool has_label = j.contains("label") && j["label"].is_string();
  const bool has_score = j.contains("score") && j["score"].is_number();
  if (!has_label && !has_score) {
    error = "the judge's verdict has neither a label nor a score: " + quoted();
    return std::nullopt;
  }
  if (has_label) v.label = to_lower(std::string(trim(j["label"].get<std::string>())));
  if (has_score) {
    v.score = j["score"].get<double>();
    if (!std::isfinite(v.score) || v.score < 0 || v.score > 1) {
      error = "the judge's score is not a number from 0 to 1: " + quoted();
      return std::nullopt;
    }
  } else {
    v.score = v.label == "pass" ? 1.0 : 0.0;
  }
  if (j.contains("reasoning") && j["reasoning"].is_string())
    v.reasoning = j["reasoning"].get<std::string>();
  return v;
}

CheckOutcome judge_outcome(const JudgeSpec& spec, const JudgeVerdict& verdict) {
  bool passed = false;
  if (!spec.passing_labels.empty()) {
    passed = std::any_of(spec.passing_labels.begin(), spec.passing_labels.end(),
                         [&](const std::string& l) { return to_lower(l) == verdict.label; });
  } else {
    passed = verdict.score >= spec.threshold;
  }
  std::string detail = "judge " + spec.model + ": " +
                       (verdict.label.empty() ? "" : verdict.label + ", ") + "score " +
                       fixed(verdict.score, 2);
  if (!verdict.reasoning.empty()) detail += "; " + ellipsize(verdict.reasoning, 160);
  return {passed, verdict.score, detail};
}

}  // namespace tb
