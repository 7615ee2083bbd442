#include "common/text.hpp"
#include "score/checks/check_factories.hpp"
#include "score/checks/check_spec.hpp"

namespace tb {
namespace {

// Forbidden text: a refusal phrase, a leaked system prompt, "As an AI". Fails when any is present;
// the score is the share of them that are absent.
class NotContainsCheck final : public Check {
 public:
  explicit NotContainsCheck(std::vector<std::string> needles) : needles_(std::move(needles)) {}

  CheckOutcome evaluate(const CheckInput& in) const override {
    std::size_t present = 0;
    std::string first;
    for (const auto& n : needles_) {
      if (in.output.find(n) == std::string_view::npos) continue;
      if (present++ == 0) first = n;
    }
    if (present == 0) return {true, 1, ""};
    const double score =
        static_cast<double>(needles_.size() - present) / static_cast<double>(needles_.size());
    return {false, score, "contains " + dquote(ellipsize(first, 60))};
  }

 private:
  std::vector<std::string> needles_;
};

}  // namespace

std::shared_ptr<Check> make_not_contains_check(const nlohmann::json& spec, const CheckContext&,
                                               std::string& error) {
  CheckSpec s(spec, error);
  if (!s.only_keys({"value", "values"})) return nullptr;
  auto needles = read_texts(s);
  if (!needles) return nullptr;
  return std::make_shared<NotContainsCheck>(std::move(*needles));
}

}  // namespace tb
