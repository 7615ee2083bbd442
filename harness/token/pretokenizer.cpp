// The pre-tokenizer on PCRE2.
#include "token/pretokenizer.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <array>
#include <new>

#include "token/encoding.hpp"

namespace tb::token_detail {
namespace {

struct CodeFree {
  void operator()(pcre2_code* code) const { pcre2_code_free(code); }
};
struct MatchDataFree {
  void operator()(pcre2_match_data* data) const { pcre2_match_data_free(data); }
};

std::string pcre2_message(int code) {
  std::array<PCRE2_UCHAR, 256> buffer{};
  pcre2_get_error_message(code, buffer.data(), buffer.size());
  return reinterpret_cast<const char*>(buffer.data());
}

// Match data is per thread so one immutable Encoding can serve many threads without locks or
// an allocation per call.
pcre2_match_data* thread_match_data() {
  thread_local const std::unique_ptr<pcre2_match_data, MatchDataFree> data(
      pcre2_match_data_create(1, nullptr));
  if (!data) throw std::bad_alloc();
  return data.get();
}

}  // namespace

struct PreTokenizer::Code {
  std::unique_ptr<pcre2_code, CodeFree> code;
  bool jit = false;
};

PreTokenizer::PreTokenizer(const std::string& pattern) {
  auto compiled = std::make_unique<Code>();
  int error = 0;
  PCRE2_SIZE offset = 0;
  compiled->code.reset(pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                     PCRE2_UTF | PCRE2_UCP, &error, &offset, nullptr));
  if (!compiled->code) {
    throw TokenizerError("pre-tokenizer pattern does not compile at offset " +
                         std::to_string(offset) + ": " + pcre2_message(error));
  }
  // Without JIT (e.g. a PCRE2 built without it) matching still works, only slower.
  compiled->jit = pcre2_jit_compile(compiled->code.get(), PCRE2_JIT_COMPLETE) == 0;
  code_ = std::move(compiled);
}

PreTokenizer::~PreTokenizer() = default;

bool PreTokenizer::next_piece(std::string_view text, std::size_t& pos,
                              std::string_view& piece) const {
  if (pos >= text.size()) return false;
  pcre2_match_data* data = thread_match_data();
  const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(data);
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  const PCRE2_SIZE size = text.size();
  pcre2_code* code = code_->code.get();
  while (pos < size) {
    const int rc = code_->jit
                       ? pcre2_jit_match(code, subject, size, pos, 0, data, nullptr)
                       : pcre2_match(code, subject, size, pos, PCRE2_NO_UTF_CHECK, data, nullptr);
    if (rc == PCRE2_ERROR_NOMATCH) return false;
    if (rc < 0) throw TokenizerError("pre-tokenizer match failed: " + pcre2_message(rc));
    const PCRE2_SIZE start = ovector[0];
    const PCRE2_SIZE end = ovector[1];
    if (end == start) {
      // The patterns cannot match empty; stepping one character keeps a changed pattern
      // from looping forever.
      pos = end + 1;
      while (pos < size && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80) ++pos;
      continue;
    }
    piece = text.substr(start, end - start);
    pos = end;
    return true;
  }
  return false;
}

}  // namespace tb::token_detail
