#include "common/text.hpp"
#include "score/checks/check_factories.hpp"
#include "score/checks/check_spec.hpp"

namespace tb {
namespace {

class ContainsCheck final : public Check {
 public:
  explicit ContainsCheck(std::vector<std::string> needles) : needles_(std::move(needles)) {}

  CheckOutcome evaluate(const CheckInput& in) const override {
    std::size_t found = 0;
    std::string missing;
    for (const auto& n : needles_) {
      if (in.output.find(n) != std::string_view::npos) ++found;
      else if (missing.empty()) missing = n;
    }
    const double score = static_cast<double>(found) / static_cast<double>(needles_.size());
    if (found == needles_.size()) return {true, 1, ""};
    return {false, score, "missing " + dquote(ellipsize(missing, 60))};
  }

 private:
  std::vector<std::string> needles_;
};

}  // namespace

std::shared_ptr<Check> make_contains_check(const nlohmann::json& spec, const CheckContext&,
                                           std::string& error) {
  CheckSpec s(spec, error);
  if (!s.only_keys({"value", "values"})) return nullptr;
  std::vector<std::string> needles;
  if (s.has("value")) {
    auto v = s.string("value", true);
    if (!v) return nullptr;
    needles.push_back(*v);
  }
  if (s.has("values")) {
    const auto& values = s.at("values");
    if (!values.is_array() || values.empty()) {
      s.fail("values: expected a non-empty array of strings");
      return nullptr;
    }
    for (const auto& v : values) {
      if (!v.is_string()) {
        s.fail("values: expected a non-empty array of strings");
        return nullptr;
      }
      needles.push_back(v.get<std::string>());
    }
  }
  if (needles.empty()) {
    s.fail("value: missing; give value: TEXT or values: [TEXT, ...]");
    return nullptr;
  }
  return std::make_shared<ContainsCheck>(std::move(needles));
}

}  // namespace tb
