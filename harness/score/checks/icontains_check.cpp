#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "common/text.hpp"
#include "score/checks/check_factories.hpp"
#include "score/checks/check_spec.hpp"

namespace tb {
namespace {

struct CodeDeleter {
  void operator()(pcre2_code* c) const { pcre2_code_free(c); }
};
struct MatchDataDeleter {
  void operator()(pcre2_match_data* m) const { pcre2_match_data_free(m); }
};

// Case-insensitive substring search. PCRE2 with a literal pattern rather than lowering both
// sides, because its caseless matching folds Unicode ("ÉTÉ" contains "été"), not just ASCII,
// and it tolerates invalid UTF-8 in the output.
class IContainsCheck final : public Check {
 public:
  IContainsCheck(std::vector<std::unique_ptr<pcre2_code, CodeDeleter>> codes,
                 std::vector<std::string> needles)
      : codes_(std::move(codes)), needles_(std::move(needles)) {}

  CheckOutcome evaluate(const CheckInput& in) const override {
    std::size_t found = 0;
    std::string missing;
    for (std::size_t i = 0; i < codes_.size(); ++i) {
      std::unique_ptr<pcre2_match_data, MatchDataDeleter> match(
          pcre2_match_data_create_from_pattern(codes_[i].get(), nullptr));
      const int rc = pcre2_match(codes_[i].get(), reinterpret_cast<PCRE2_SPTR>(in.output.data()),
                                 in.output.size(), 0, 0, match.get(), nullptr);
      if (rc >= 0) ++found;
      else if (missing.empty()) missing = needles_[i];
    }
    if (found == needles_.size()) return {true, 1, ""};
    const double score = static_cast<double>(found) / static_cast<double>(needles_.size());
    return {false, score, "missing " + dquote(ellipsize(missing, 60)) + " (any case)"};
  }

 private:
  std::vector<std::unique_ptr<pcre2_code, CodeDeleter>> codes_;
  std::vector<std::string> needles_;
};

}  // namespace

std::shared_ptr<Check> make_icontains_check(const nlohmann::json& spec, const CheckContext&,
                                            std::string& error) {
  CheckSpec s(spec, error);
  if (!s.only_keys({"value", "values"})) return nullptr;
  auto needles = read_texts(s);
  if (!needles) return nullptr;
  std::vector<std::unique_ptr<pcre2_code, CodeDeleter>> codes;
  for (const auto& n : *needles) {
    int code_error = 0;
    PCRE2_SIZE offset = 0;
    // In UTF mode caseless matching folds beyond ASCII (PCRE2_UCP is not allowed with LITERAL).
    std::unique_ptr<pcre2_code, CodeDeleter> code(pcre2_compile(
        reinterpret_cast<PCRE2_SPTR>(n.data()), n.size(),
        PCRE2_LITERAL | PCRE2_CASELESS | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code_error, &offset,
        nullptr));
    if (!code) {
      PCRE2_UCHAR message[256];
      pcre2_get_error_message(code_error, message, sizeof message);
      s.fail("value: " + dquote(ellipsize(n, 60)) + ": " + reinterpret_cast<const char*>(message));
      return nullptr;
    }
    pcre2_jit_compile(code.get(), PCRE2_JIT_COMPLETE);  // falls back to the interpreter if absent
    codes.push_back(std::move(code));
  }
  return std::make_shared<IContainsCheck>(std::move(codes), std::move(*needles));
}

}  // namespace tb
