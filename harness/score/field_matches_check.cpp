#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "common/text.hpp"
#include "score/check_factories.hpp"
#include "score/check_spec.hpp"

namespace tb {
namespace {

struct CodeDeleter {
  void operator()(pcre2_code* c) const { pcre2_code_free(c); }
};
struct MatchDataDeleter {
  void operator()(pcre2_match_data* m) const { pcre2_match_data_free(m); }
};

// One string field of a JSON answer, by JSON Pointer, against a regex: the shape of a value
// (an ISO date, an id, a lowercase slug) when its exact text cannot be known in advance.
class FieldMatchesCheck final : public Check {
 public:
  FieldMatchesCheck(nlohmann::json::json_pointer path, std::string path_text,
                    std::unique_ptr<pcre2_code, CodeDeleter> code, std::string pattern)
      : path_(std::move(path)),
        path_text_(std::move(path_text)),
        code_(std::move(code)),
        pattern_(std::move(pattern)) {}

  CheckOutcome evaluate(const CheckInput& in) const override {
    if (in.output_json == nullptr) return {false, 0, "not JSON"};
    if (!in.output_json->contains(path_)) return {false, 0, path_text_ + ": missing"};
    const auto& field = in.output_json->at(path_);
    if (!field.is_string())
      return {false, 0, path_text_ + ": expected a string, got " + ellipsize(field.dump(), 60)};
    const auto& text = field.get_ref<const std::string&>();
    std::unique_ptr<pcre2_match_data, MatchDataDeleter> match(
        pcre2_match_data_create_from_pattern(code_.get(), nullptr));
    const int rc = pcre2_match(code_.get(), reinterpret_cast<PCRE2_SPTR>(text.data()),
                               text.size(), 0, 0, match.get(), nullptr);
    if (rc >= 0) return {true, 1, ""};
    if (rc == PCRE2_ERROR_NOMATCH) {
      return {false, 0,
              path_text_ + ": " + dquote(ellipsize(text, 40)) + " does not match /" +
                  ellipsize(pattern_, 60) + "/"};
    }
    return {false, 0, path_text_ + ": regex error " + std::to_string(rc)};
  }

 private:
  nlohmann::json::json_pointer path_;
  std::string path_text_;
  std::unique_ptr<pcre2_code, CodeDeleter> code_;
  std::string pattern_;
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
  nlohmann::json::json_pointer pointer;
  try {
    pointer = nlohmann::json::json_pointer(*path);
  } catch (const nlohmann::json::exception&) {
    s.fail("path: expected a JSON Pointer such as /term; got " + dquote(*path));
    return nullptr;
  }
  // The same flags and options as the regex check, so a pattern moves between them unchanged.
  uint32_t options = PCRE2_UTF | PCRE2_UCP;
  for (const char f : flags.value_or("")) {
    if (f == 'i') options |= PCRE2_CASELESS;
    else if (f == 'm') options |= PCRE2_MULTILINE;
    else if (f == 's') options |= PCRE2_DOTALL;
    else if (f == 'x') options |= PCRE2_EXTENDED;
    else {
      std::string message = "flags: unknown flag '";
      message += f;
      message += "'; expected any of i, m, s, x";
      s.fail(message);
      return nullptr;
    }
  }
  int code_error = 0;
  PCRE2_SIZE offset = 0;
  std::unique_ptr<pcre2_code, CodeDeleter> code(
      pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern->data()), pattern->size(), options,
                    &code_error, &offset, nullptr));
  if (!code) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(code_error, message, sizeof message);
    s.fail("pattern: invalid regex at offset " + std::to_string(offset) + ": " +
           reinterpret_cast<const char*>(message));
    return nullptr;
  }
  pcre2_jit_compile(code.get(), PCRE2_JIT_COMPLETE);  // falls back to the interpreter if absent
  return std::make_shared<FieldMatchesCheck>(std::move(pointer), *path, std::move(code), *pattern);
}

}  // namespace tb
