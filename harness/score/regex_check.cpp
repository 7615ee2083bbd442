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

// Compiled once per suite with the JIT; a match searches anywhere unless the pattern anchors.
class RegexCheck final : public Check {
 public:
  RegexCheck(std::unique_ptr<pcre2_code, CodeDeleter> code, std::string pattern)
      : code_(std::move(code)), pattern_(std::move(pattern)) {}

  CheckOutcome evaluate(const CheckInput& in) const override {
    std::unique_ptr<pcre2_match_data, MatchDataDeleter> match(
        pcre2_match_data_create_from_pattern(code_.get(), nullptr));
    const int rc = pcre2_match(code_.get(), reinterpret_cast<PCRE2_SPTR>(in.output.data()),
                               in.output.size(), 0, 0, match.get(), nullptr);
    if (rc >= 0) return {true, 1, ""};
    std::string detail;
    if (rc == PCRE2_ERROR_NOMATCH) {
      detail = "no match for /";
      detail += ellipsize(pattern_, 60);
      detail += '/';
    } else {
      detail = "regex error ";
      detail += std::to_string(rc);
      detail += " (invalid UTF-8 in the output?)";
    }
    return {false, 0, detail};
  }

 private:
  std::unique_ptr<pcre2_code, CodeDeleter> code_;
  std::string pattern_;
};

}  // namespace

std::shared_ptr<Check> make_regex_check(const nlohmann::json& spec, const CheckContext&,
                                        std::string& error) {
  CheckSpec s(spec, error);
  if (!s.only_keys({"pattern", "flags"})) return nullptr;
  auto pattern = s.string("pattern", true);
  auto flags = s.string("flags", false);
  if (!pattern || !error.empty()) return nullptr;
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
  return std::make_shared<RegexCheck>(std::move(code), *pattern);
}

}  // namespace tb
