#include "common/text.hpp"
#include "score/checks/check_factories.hpp"
#include "score/checks/check_spec.hpp"

namespace tb {
namespace {

// A latency budget per answer (the whole request, as the result records it), so a variant that
// is right but too slow for an interactive feature does not count as conformant.
class LatencyCheck final : public Check {
 public:
  explicit LatencyCheck(double max_ms) : max_ms_(max_ms) {}

  CheckOutcome evaluate(const CheckInput& in) const override {
    const std::string measured = fixed(in.latency_ms, 0) + " ms";
    if (in.latency_ms <= max_ms_) return {true, 1, measured};
    return {false, 0, measured + "; max " + fixed(max_ms_, 0) + " ms"};
  }

 private:
  double max_ms_;
};

}  // namespace

std::shared_ptr<Check> make_latency_check(const nlohmann::json& spec, const CheckContext&,
                                          std::string& error) {
  CheckSpec s(spec, error);
  if (!s.only_keys({"max_ms"})) return nullptr;
  const auto max_ms = s.number("max_ms", true);
  if (!max_ms) return nullptr;
  if (*max_ms <= 0) {
    s.fail("max_ms: expected a number of milliseconds > 0");
    return nullptr;
  }
  return std::make_shared<LatencyCheck>(*max_ms);
}

}  // namespace tb
