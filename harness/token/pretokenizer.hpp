#pragma once
// The pre-tokenizer: splits text into the pieces that byte-pair merging encodes one by one,
// with a regex (PCRE2, JIT-compiled once) as tiktoken does with Rust's. Internal to the
// tokenizer (token/): only encoding.cpp and pretokenizer.cpp include it. PCRE2's header is in
// this one on purpose: split() is the encoder's inner loop, and the match call inlines into the
// encoder's piece handler; the public header (encoding.hpp) keeps PCRE2 out.
#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

#include <memory>
#include <string>
#include <string_view>

#include "token/encoding.hpp"

namespace tb::token_detail {

struct CodeFree {
  void operator()(pcre2_code* code) const { pcre2_code_free(code); }
};

// Match data is per thread so one immutable Encoding can serve many threads without locks or
// an allocation per call.
pcre2_match_data* thread_match_data();

std::string pcre2_message(int code);

class PreTokenizer {
 public:
  // Throws TokenizerError when the pattern does not compile.
  explicit PreTokenizer(const std::string& pattern);

  // Calls on_piece for each match, left to right, as Rust's find_iter does. Text must be
  // valid UTF-8.
  template <class OnPiece>
  void split(std::string_view text, OnPiece&& on_piece) const {
    if (text.empty()) return;
    pcre2_match_data* data = thread_match_data();
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(data);
    const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    const PCRE2_SIZE size = text.size();
    PCRE2_SIZE pos = 0;
    while (pos < size) {
      const int rc =
          jit_ ? pcre2_jit_match(code_.get(), subject, size, pos, 0, data, nullptr)
               : pcre2_match(code_.get(), subject, size, pos, PCRE2_NO_UTF_CHECK, data, nullptr);
      if (rc == PCRE2_ERROR_NOMATCH) return;
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
      on_piece(text.substr(start, end - start));
      pos = end;
    }
  }

 private:
  std::unique_ptr<pcre2_code, CodeFree> code_;
  bool jit_ = false;
};

}  // namespace tb::token_detail
