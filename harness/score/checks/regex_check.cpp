#include "common/text.hpp"
#include "score/checks/check_factories.hpp"
#include "score/checks/check_pattern.hpp"
#include "score/checks/check_spec.hpp"

namespace tb {
namespace {

// Compiled once per suite with the JIT; a match searches anywhere unless the pattern anchors.
class RegexCheck final : public Check {
 public:
  explicit RegexCheck(CheckPattern pattern) : pattern_(std::move(pattern)) {}

  CheckOutcome evaluate(const CheckInput& in) const override {
    const auto found = pattern_.search(in.output);
    if (found == CheckPattern::Match::yes) return {true, 1, ""};
    if (found == CheckPattern::Match::no) return {false, 0, "no match for /" + ellipsize(pattern_.text(), 60) + "/"};
    return {false, 0, std::string("regex error (invalid UTF-8 in the output?)")};
  }

 private:
  CheckPattern pattern_;
};

}  // namespace

std::shared_ptr<Check> make_regex_check(const nlohmann::json& spec, const CheckContext&,
                                        std::string& error) {
  CheckSpec s(spec, error);
  if (!s.only_keys({"pattern", "flags"})) return nullptr;
  auto pattern = s.string("pattern", true);
  auto flags = s.string("flags", false);
  if (!pattern || !error.empty()) return nullptr;
  auto compiled = CheckPattern::compile(*pattern, flags.value_or(""), error);
  if (!compiled) return nullptr;
  return std::make_shared<RegexCheck>(std::move(*compiled));
}

}  // namespace tb
