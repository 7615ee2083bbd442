#include <cmath>

#include "common/text.hpp"
#include "score/checks/check_factories.hpp"
#include "score/checks/check_spec.hpp"

namespace tb {
namespace {

// One field of a JSON answer, by JSON Pointer, compared with a given value or with the same
// field of the reference answer (how field accuracy is usually measured).
class FieldEqualsCheck final : public Check {
 public:
  FieldEqualsCheck(nlohmann::json::json_pointer path, std::string path_text,
                   std::optional<nlohmann::json> value, double tolerance, bool ignore_case)
      : path_(std::move(path)),
        path_text_(std::move(path_text)),
        value_(std::move(value)),
        tolerance_(tolerance),
        ignore_case_(ignore_case) {}

  CheckOutcome evaluate(const CheckInput& in) const override {
    if (in.output_json() == nullptr) return {false, 0, in.output_not_json()};
    const nlohmann::json* expected = nullptr;
    if (value_) {
      expected = &*value_;
    } else {
      if (in.reference_json() == nullptr) return {false, 0, in.reference_not_json()};
      if (!in.reference_json()->contains(path_))
        return {false, 0, "the reference answer has no " + path_text_};
      expected = &in.reference_json()->at(path_);
    }
    if (!in.output_json()->contains(path_)) return {false, 0, path_text_ + ": missing"};
    const auto& actual = in.output_json()->at(path_);
    if (same(actual, *expected)) return {true, 1, ""};
    return {false, 0,
            path_text_ + ": expected " + ellipsize(expected->dump(), 60) + ", got " +
                ellipsize(actual.dump(), 60)};
  }

 private:
  bool same(const nlohmann::json& a, const nlohmann::json& b) const {
    if (a.is_number() && b.is_number())
      return std::fabs(a.get<double>() - b.get<double>()) <= tolerance_;
    if (ignore_case_ && a.is_string() && b.is_string())
      return to_lower(a.get<std::string>()) == to_lower(b.get<std::string>());
    return a == b;
  }

  nlohmann::json::json_pointer path_;
  std::string path_text_;
  std::optional<nlohmann::json> value_;
  double tolerance_;
  bool ignore_case_;
};

}  // namespace

std::shared_ptr<Check> make_field_equals_check(const nlohmann::json& spec, const CheckContext&,
                                               std::string& error) {
  CheckSpec s(spec, error);
  if (!s.only_keys({"path", "value", "tolerance", "ignore_case"})) return nullptr;
  auto path = s.string("path", true);
  auto tolerance = s.number("tolerance", false);
  auto ignore_case = s.boolean("ignore_case");
  if (!path || !error.empty()) return nullptr;
  auto pointer = s.pointer("path");
  if (!pointer) return nullptr;
  std::optional<nlohmann::json> value;
  if (s.has("value")) value = s.at("value");
  return std::make_shared<FieldEqualsCheck>(std::move(*pointer), *path, std::move(value),
                                            tolerance.value_or(0.0), ignore_case.value_or(false));
}

}  // namespace tb
