#include <algorithm>

#include "common/text.hpp"
#include "score/checks/check_factories.hpp"
#include "score/checks/check_spec.hpp"

namespace tb {
namespace {

// The answer opens with a fixed text (a label, "{", "SELECT"). Leading whitespace is ignored:
// models and APIs add newlines before an answer without it meaning anything.
class StartsWithCheck final : public Check {
 public:
  explicit StartsWithCheck(std::string prefix) : prefix_(std::move(prefix)) {}

  CheckOutcome evaluate(const CheckInput& in) const override {
    std::string_view out = in.output;
    out.remove_prefix(std::min(out.find_first_not_of(" \t\r\n"), out.size()));
    if (out.starts_with(prefix_)) return {true, 1, ""};
    if (out.empty()) return {false, 0, "empty output; expected " + dquote(prefix_) + " first"};
    // As much of the answer as the prefix would cover, plus a little, cut between characters.
    std::size_t n = std::min(out.size(), prefix_.size() + 10);
    while (n < out.size() && (static_cast<unsigned char>(out[n]) & 0xC0) == 0x80) ++n;
    return {false, 0,
            "starts with " + dquote(ellipsize(out.substr(0, n), 40)) + "; expected " +
                dquote(ellipsize(prefix_, 40))};
  }

 private:
  std::string prefix_;
};

}  // namespace

std::shared_ptr<Check> make_starts_with_check(const nlohmann::json& spec, const CheckContext&,
                                              std::string& error) {
  CheckSpec s(spec, error);
  if (!s.only_keys({"value"})) return nullptr;
  auto prefix = s.string("value", true);
  if (!prefix) return nullptr;
  if (prefix->empty()) {
    s.fail("value: expected a non-empty string");
    return nullptr;
  }
  return std::make_shared<StartsWithCheck>(std::move(*prefix));
}

}  // namespace tb
