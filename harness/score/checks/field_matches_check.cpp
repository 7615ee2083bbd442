#include "common/text.hpp"
#include "score/checks/check_factories.hpp"
#include "score/checks/check_pattern.hpp"
#include "score/checks/check_spec.hpp"

namespace tb {
namespace {

// One string field of a JSON answer, by JSON Pointer, against a regex: the shape of a value
// (an ISO date, an id, a lowercase slug) when its exact text cannot be known in advance.
class FieldMatchesCheck final : public Check {
 public:
  FieldMatchesCheck(nlohmann::json::json_pointer path, std::string path_text, CheckPattern pattern)
      : path_(std::move(path)), path_text_(std::move(path_text)), pattern_(std::move(pattern)) {}

  CheckOutcome evaluate(const CheckInput& in) const override {
    if (in.output_json() == nullptr) return {false, 0, in.output_not_json()};
    if (!in.output_json()->contains(path_)) return {false, 0, path_text_ + ": missing"};
    const auto& field = in.output_json()->at(path_);
    if (!field.is_string())
      return {false, 0, path_text_ + ": expected a string, got " + ellipsize(field.dump(), 60)};
    const auto& text = field.get_ref<const std::string&>();
    const auto found = pattern_.search(text);
    if (found == CheckPattern::Match::yes) return {true, 1, ""};
    if (found == CheckPattern::Match::no) {
      return {false, 0,
              path_text_ + ": " + dquote(ellipsize(text, 40)) + " does not match /" +
                  ellipsize(pattern_.text(), 60) + "/"};
    }
    return {false, 0, path_text_ + ": regex error (invalid UTF-8?)"};
  }

 private:
  nlohmann::json::json_pointer path_;
  std::string path_text_;
  CheckPattern pattern_;
};

}  // namespace

std::shared_ptr<Check> make_field_matches_check(const nlohmann::json& spec, const CheckContext&,
                                                std::string& error) {
  CheckSpec s(spec, error);
  if (!s.only_keys({"path", "pattern", "flags"})) return nullptr;
  auto path = s.string("path", true);
  auto pattern = s.string("pattern", true);
  auto flags = s.string("flags", false);
  if (!path || !pattern || !error.empty()) return nullptr;
  auto pointer = s.pointer("path");
  if (!pointer) return nullptr;
  // The same flags and options as the regex check, so a pattern moves between them unchanged.
  auto compiled = CheckPattern::compile(*pattern, flags.value_or(""), error);
  if (!compiled) return nullptr;
  return std::make_shared<FieldMatchesCheck>(std::move(*pointer), *path, std::move(*compiled));
}

}  // namespace tb
