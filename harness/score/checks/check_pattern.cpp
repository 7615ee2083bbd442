#include "score/checks/check_pattern.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace tb {

struct CheckPattern::Code {
  explicit Code(pcre2_code* c) : code(c) {}
  ~Code() { pcre2_code_free(code); }
  Code(const Code&) = delete;
  Code& operator=(const Code&) = delete;
  pcre2_code* code;
};

std::optional<CheckPattern> CheckPattern::compile(const std::string& pattern, std::string_view flags,
                                                  std::string& error) {
  uint32_t options = PCRE2_UTF | PCRE2_UCP;
  for (const char f : flags) {
    if (f == 'i') options |= PCRE2_CASELESS;
    else if (f == 'm') options |= PCRE2_MULTILINE;
    else if (f == 's') options |= PCRE2_DOTALL;
    else if (f == 'x') options |= PCRE2_EXTENDED;
    else {
      error = "flags: unknown flag '";
      error += f;
      error += "'; expected any of i, m, s, x";
      return std::nullopt;
    }
  }
  int code_error = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* raw = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), options,
                                  &code_error, &offset, nullptr);
  if (raw == nullptr) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(code_error, message, sizeof message);
    error = "pattern: invalid regex at offset " + std::to_string(offset) + ": " +
            reinterpret_cast<const char*>(message);
    return std::nullopt;
  }
  pcre2_jit_compile(raw, PCRE2_JIT_COMPLETE);  // falls back to the interpreter if absent
  CheckPattern p;
  p.code_ = std::make_shared<const Code>(raw);
  p.text_ = pattern;
  return p;
}

CheckPattern::Match CheckPattern::search(std::string_view subject) const {
  pcre2_match_data* match = pcre2_match_data_create_from_pattern(code_->code, nullptr);
  const int rc = pcre2_match(code_->code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0,
                             0, match, nullptr);
  pcre2_match_data_free(match);
  if (rc >= 0) return Match::yes;
  return rc == PCRE2_ERROR_NOMATCH ? Match::no : Match::error;
}

}  // namespace tb
