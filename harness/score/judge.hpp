#pragma once
// A model-graded check (`type: judge`): for answers no rule can score, another model reads the
// case, the reference answer and the answer against a rubric and returns a verdict. The check is
// declared like any other (score/checks/judge_check.cpp); the runner sends the judge's request
// (run/runner_judge.cpp) through the judge endpoint's pacing and the response cache, and stores
// the judge's tokens and cost apart from the variant's.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "score/check.hpp"

namespace tb {

struct JudgeSpec {
  std::string endpoint;  // one of the suite's endpoints
  std::string model;
  std::string rubric;                       // what a good answer is, in the user's words
  double threshold = 0.5;                   // pass when the verdict's score reaches it
  std::vector<std::string> passing_labels;  // when given: pass when the label is one of these
};

struct JudgeVerdict {
  std::string label;
  double score = 0;  // 0..1
  std::string reasoning;
};

// How the judge's system message starts; the mock recognises judge requests by it.
inline constexpr std::string_view kJudgePreamble =
    "You are a strict grader for tunebench. Grade the ANSWER to the INPUT against the RUBRIC";

// The judge's messages: the rubric and the verdict's format in the system message, the case's
// input, its reference answer (when it has one) and the answer in tagged sections.
nlohmann::json judge_messages(const JudgeSpec& spec, std::string_view input,
                              std::optional<std::string_view> reference, std::string_view answer);

// Reads the judge's reply: a JSON object {"label": "...", "score": 0..1, "reasoning": "..."},
// possibly in a ``` fence. nullopt with `error` saying what was wrong with it.
std::optional<JudgeVerdict> parse_verdict(std::string_view content, std::string& error);

// The check's outcome from a verdict: passing label or score >= threshold.
CheckOutcome judge_outcome(const JudgeSpec& spec, const JudgeVerdict& verdict);

}  // namespace tb
