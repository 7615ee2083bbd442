#include "common/text.hpp"
#include "score/checks/check_factories.hpp"
#include "score/checks/check_spec.hpp"

namespace tb {
namespace {

// Exact answer match. Against JSON it compares values, not text, so key order and whitespace
// do not matter; against text it ignores surrounding whitespace.
class EqualsCheck final : public Check {
 public:
  explicit EqualsCheck(std::optional<nlohmann::json> expected) : expected_(std::move(expected)) {}

  CheckOutcome evaluate(const CheckInput& in) const override {
    if (expected_ && !expected_->is_string()) {
      if (in.output_json() == nullptr)
        return {false, 0, in.output_not_json() + "; expected " + ellipsize(expected_->dump(), 80)};
      if (*in.output_json() == *expected_) return {true, 1, ""};
      return {false, 0, "expected " + ellipsize(expected_->dump(), 80)};
    }
    if (!expected_) {
      if (!in.has_reference) return {false, 0, "the case has no reference answer to compare with"};
      if (in.output_json() != nullptr && in.reference_json() != nullptr) {
        if (*in.output_json() == *in.reference_json()) return {true, 1, ""};
        return {false, 0, "JSON differs from the reference answer"};
      }
      if (trim(in.output) == trim(in.reference)) return {true, 1, ""};
      return {false, 0, "differs from the reference answer"};
    }
    const std::string want = expected_->get<std::string>();
    if (trim(in.output) == trim(want)) return {true, 1, ""};
    return {false, 0, "expected " + dquote(ellipsize(want, 80))};
  }

 private:
  std::optional<nlohmann::json> expected_;  // nullopt = the case's reference answer
};

}  // namespace

std::shared_ptr<Check> make_equals_check(const nlohmann::json& spec, const CheckContext&,
                                         std::string& error) {
  CheckSpec s(spec, error);
  if (!s.only_keys({"value"})) return nullptr;
  std::optional<nlohmann::json> expected;
  if (s.has("value")) expected = s.at("value");
  return std::make_shared<EqualsCheck>(std::move(expected));
}

}  // namespace tb
