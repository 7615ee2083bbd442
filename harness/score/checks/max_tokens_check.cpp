#include "common/text.hpp"
#include "score/checks/check_factories.hpp"
#include "score/checks/check_spec.hpp"

namespace tb {
namespace {

// Completion tokens as the API's usage reports them: what the answer costs and how long it
// takes to generate, which is what a token budget is about (characters are max-length's job).
class MaxTokensCheck final : public Check {
 public:
  explicit MaxTokensCheck(long long max) : max_(max) {}

  CheckOutcome evaluate(const CheckInput& in) const override {
    const std::string measured = with_thousands(in.completion_tokens) + " completion tokens";
    if (in.completion_tokens <= max_) return {true, 1, measured};
    return {false, 0, measured + "; max " + with_thousands(max_)};
  }

 private:
  long long max_;
};

}  // namespace

std::shared_ptr<Check> make_max_tokens_check(const nlohmann::json& spec, const CheckContext&,
                                             std::string& error) {
  CheckSpec s(spec, error);
  if (!s.only_keys({"max"})) return nullptr;
  const auto max = read_count(s, "max");
  if (!max) return nullptr;
  return std::make_shared<MaxTokensCheck>(*max);
}

}  // namespace tb
