// The pre-tokenizer's pattern compilation and per-thread match data.
#include "token/pretokenizer.hpp"

#include <array>
#include <new>

namespace tb::token_detail {
namespace {

struct MatchDataFree {
  void operator()(pcre2_match_data* data) const { pcre2_match_data_free(data); }
};

}  // namespace

std::string pcre2_message(int code) {
  std::array<PCRE2_UCHAR, 256> buffer{};
  pcre2_get_error_message(code, buffer.data(), buffer.size());
  return reinterpret_cast<const char*>(buffer.data());
}

pcre2_match_data* thread_match_data() {
  thread_local const std::unique_ptr<pcre2_match_data, MatchDataFree> data(
      pcre2_match_data_create(1, nullptr));
  if (!data) throw std::bad_alloc();
  return data.get();
}

PreTokenizer::PreTokenizer(const std::string& pattern) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  code_.reset(pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                            PCRE2_UTF | PCRE2_UCP, &error, &offset, nullptr));
  if (!code_) {
    throw TokenizerError("pre-tokenizer pattern does not compile at offset " +
                         std::to_string(offset) + ": " + pcre2_message(error));
  }
  // Without JIT (e.g. a PCRE2 built without it) matching still works, only slower.
  jit_ = pcre2_jit_compile(code_.get(), PCRE2_JIT_COMPLETE) == 0;
}

}  // namespace tb::token_detail
