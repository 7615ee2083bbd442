#pragma once
#include <memory>
#include <string>
#include <vector>
#include <utility>

#include "score/check.hpp"
#include "score/failure_taxonomy.hpp"

namespace tb {

struct CheckResult {
  std::string name;
  std::string type;
  bool passed = false;
  bool required = true;
  double weight = 1;
  double score = 0;
  std::string detail;
};

struct Score {
  bool conformant = false;  // every required check passed
  double score = 0;         // weighted mean of check scores (1 when there are no checks)
  std::vector<CheckResult> checks;
  FailureClass failure;     // why the answer missed the expected JSON format (none otherwise)
  // Model-graded checks (type: judge), in the order of `checks`: the runner replaces their
  // outcomes with the judge's verdicts, then calls settle().
  std::vector<std::pair<std::size_t, const Check*>> pending_judges;

  // Conformance and the weighted score again from `checks`, after outcomes were replaced.
  void settle();
};

// What format the suite expects, for the failure taxonomy.
struct FormatExpectation {
  bool json = false;
  const CompiledSchema* schema = nullptr;
};

// What the scorer needs of a result besides its text.
struct ScoreInput {
  std::string_view output;
  std::string_view reference;
  bool has_reference = false;
  std::string_view finish_reason;
  double latency_ms = 0;
  double cost_usd = 0;
  long long completion_tokens = 0;
};

// Parses the output and the reference once, then runs the suite's and the case's checks.
Score score_result(const ScoreInput& input, const std::vector<std::shared_ptr<const Check>>& suite_checks,
                   const std::vector<std::shared_ptr<const Check>>& case_checks,
                   const FormatExpectation& format = {});

}  // namespace tb
