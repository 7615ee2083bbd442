#pragma once
// The pre-tokenizer: splits text into the pieces that byte-pair merging encodes one by one,
// with a regex (PCRE2, JIT-compiled once) as tiktoken does with Rust's. Internal to the
// tokenizer (token/); PCRE2 stays in pretokenizer.cpp.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace tb::token_detail {

class PreTokenizer {
 public:
  // Throws TokenizerError when the pattern does not compile.
  explicit PreTokenizer(const std::string& pattern);
  ~PreTokenizer();
  PreTokenizer(const PreTokenizer&) = delete;
  PreTokenizer& operator=(const PreTokenizer&) = delete;

  // Calls on_piece for each match, left to right, as Rust's find_iter does. Text must be
  // valid UTF-8.
  template <class OnPiece>
  void split(std::string_view text, OnPiece&& on_piece) const {
    std::size_t pos = 0;
    std::string_view piece;
    while (next_piece(text, pos, piece)) on_piece(piece);
  }

 private:
  // The first match at or after pos: sets piece, moves pos past it and returns true; false
  // when no match is left.
  bool next_piece(std::string_view text, std::size_t& pos, std::string_view& piece) const;

  struct Code;  // the compiled pattern, keeping PCRE2's header out of this one
  std::unique_ptr<const Code> code_;
};

}  // namespace tb::token_detail
