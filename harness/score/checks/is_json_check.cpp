#include "common/text.hpp"
#include "score/checks/check_factories.hpp"
#include "score/checks/check_spec.hpp"

namespace tb {
namespace {

class IsJsonCheck final : public Check {
 public:
  CheckOutcome evaluate(const CheckInput& in) const override {
    if (in.output_tape != nullptr) return {true, 1, ""};
    const auto t = trim(in.output);
    if (in.output_too_deep) return {false, 0, in.output_not_json()};
    std::string why = "not JSON";
    if (t.empty())
      why = "empty output";
    else if (t.starts_with("```"))
      why = "not JSON: wrapped in a ``` fence";
    else if (t.find('{') != std::string_view::npos && t.front() != '{')
      why = "not JSON: JSON inside prose";
    else if (in.finish_reason == "length")
      why = "not JSON: truncated (finish_reason=length)";
    return {false, 0, why};
  }
};

}  // namespace

std::shared_ptr<Check> make_is_json_check(const nlohmann::json& spec, const CheckContext&,
                                          std::string& error) {
  CheckSpec s(spec, error);
  if (!s.only_keys({})) return nullptr;
  return std::make_shared<IsJsonCheck>();
}

}  // namespace tb
