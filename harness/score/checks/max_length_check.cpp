#include "common/text.hpp"
#include "common/utf8.hpp"
#include "score/checks/check_factories.hpp"
#include "score/checks/check_spec.hpp"

namespace tb {
namespace {

// Characters, not bytes: a limit written as "at most 280 characters" means code points, and a
// byte count would fail non-English answers early.
class MaxLengthCheck final : public Check {
 public:
  explicit MaxLengthCheck(long long max) : max_(max) {}

  CheckOutcome evaluate(const CheckInput& in) const override {
    const auto n = static_cast<long long>(utf8_length(in.output));
    const std::string measured = with_thousands(n) + " characters";
    if (n <= max_) return {true, 1, measured};
    return {false, 0, measured + "; max " + with_thousands(max_)};
  }

 private:
  long long max_;
};

}  // namespace

std::shared_ptr<Check> make_max_length_check(const nlohmann::json& spec, const CheckContext&,
                                             std::string& error) {
  CheckSpec s(spec, error);
  if (!s.only_keys({"max"})) return nullptr;
  const auto max = read_count(s, "max");
  if (!max) return nullptr;
  return std::make_shared<MaxLengthCheck>(*max);
}

}  // namespace tb
