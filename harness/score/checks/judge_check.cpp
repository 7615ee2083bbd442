#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/text.hpp"
#include "score/checks/check_factories.hpp"
#include "score/checks/check_spec.hpp"
#include "score/judge.hpp"

namespace tb {
namespace {

// `type: judge`. Its verdict comes from a request the runner sends after the answer is scored,
// so evaluate() only stands in until then (and says so if something scores without a runner).
class JudgeCheck final : public Check {
 public:
  explicit JudgeCheck(JudgeSpec spec) : spec_(std::move(spec)) {}

  CheckOutcome evaluate(const CheckInput&) const override {
    return {false, 0, "not judged: the judge is asked by the runner"};
  }
  const JudgeSpec* judge() const override { return &spec_; }

 private:
  JudgeSpec spec_;
};

}  // namespace

std::shared_ptr<Check> make_judge_check(const nlohmann::json& spec, const CheckContext& context,
                                        std::string& error) {
  CheckSpec s(spec, error);
  if (!s.only_keys({"endpoint", "model", "rubric", "rubric_file", "threshold", "passing_labels"}))
    return nullptr;
  JudgeSpec j;
  // Without an endpoint the judge uses the suite's only one (preflight checks there is one).
  const auto endpoint = s.string("endpoint", false);
  const auto model = s.string("model", true);
  if (!model || (s.has("endpoint") && !endpoint)) return nullptr;
  j.endpoint = endpoint.value_or("");
  j.model = *model;
  if (s.has("threshold") && s.has("passing_labels")) {
    s.fail("threshold and passing_labels: give one; a verdict passes by its label or by its score");
    return nullptr;
  }
  if (s.has("rubric") == s.has("rubric_file")) {
    s.fail(
        "rubric: expected either rubric (the text) or rubric_file (a file), not both or neither");
    return nullptr;
  }
  if (s.has("rubric")) {
    j.rubric = s.string("rubric", true).value_or("");
  } else {
    const auto file = s.string("rubric_file", true);
    if (!file) return nullptr;
    const auto path = context.anchor_file.parent_path() / *file;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec) ||
        std::filesystem::file_size(path, ec) > (1u << 20)) {
      s.fail("rubric_file: " + path.string() + " is not a readable file of at most 1 MiB");
      return nullptr;
    }
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    j.rubric = text.str();
  }
  if (trim(j.rubric).empty()) {
    s.fail("rubric: empty; say what a good answer is");
    return nullptr;
  }
  if (const auto t = read_share(s, "threshold", 0.5)) {
    j.threshold = *t;
  } else {
    return nullptr;
  }
  if (s.has("passing_labels")) {
    const auto& labels = s.at("passing_labels");
    if (!labels.is_array() || labels.empty() ||
        !std::all_of(labels.begin(), labels.end(),
                     [](const nlohmann::json& l) { return l.is_string(); })) {
      s.fail("passing_labels: expected a list of labels such as [pass, acceptable]");
      return nullptr;
    }
    j.passing_labels = labels.get<std::vector<std::string>>();
  }
  return std::make_shared<JudgeCheck>(std::move(j));
}

}  // namespace tb
