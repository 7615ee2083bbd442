#include "common/text.hpp"
#include "score/checks/check_factories.hpp"
#include "score/checks/check_spec.hpp"

namespace tb {
namespace {

// A cost budget per answer in USD, as priced for the result (prompt and completion tokens at
// the variant's prices).
class CostCheck final : public Check {
 public:
  explicit CostCheck(double max_usd) : max_usd_(max_usd) {}

  CheckOutcome evaluate(const CheckInput& in) const override {
    // Six decimals: one answer often costs a fraction of a cent.
    const std::string measured = "$" + fixed(in.cost_usd, 6);
    if (in.cost_usd <= max_usd_) return {true, 1, measured};
    return {false, 0, measured + "; max $" + fixed(max_usd_, 6)};
  }

 private:
  double max_usd_;
};

}  // namespace

std::shared_ptr<Check> make_cost_check(const nlohmann::json& spec, const CheckContext&,
                                       std::string& error) {
  CheckSpec s(spec, error);
  if (!s.only_keys({"max_usd"})) return nullptr;
  const auto max_usd = s.number("max_usd", true);
  if (!max_usd) return nullptr;
  if (*max_usd < 0) {
    s.fail("max_usd: expected a number of US dollars >= 0");
    return nullptr;
  }
  return std::make_shared<CostCheck>(*max_usd);
}

}  // namespace tb
