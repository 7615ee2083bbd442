#pragma once
// Where PCRE2 and the Rust regex crates tiktoken uses disagree on the pre-tokenizer's character
// classes, and what lets the encoder use PCRE2's own classes wherever that cannot change a
// token: the two forms of a pattern, a UTF-8 scan that finds the first code point where they
// differ, and the cuts around it. Internal to the tokenizer (token/); the why is in
// unicode_divergence.cpp.
#include <cstddef>
#include <string>
#include <string_view>

namespace tb::token_detail {

// A pattern template with its class placeholders ({L,N}, {S}, ...) written out: the fast form
// (tiktoken's pattern as written, PCRE2's classes) or the exact form (White_Space for \s and
// the Unicode 15.1 additions in every class).
std::string expand_pattern(std::string_view tmpl, bool exact);

// UTF-8 validation, done once per call so PCRE2 can skip its own check on every match (which
// would rescan the subject and make splitting quadratic). The same pass notes the first code
// point on which the fast and exact patterns disagree.
struct Utf8Scan {
  std::size_t invalid_at = std::string_view::npos;
  std::size_t first_divergent = std::string_view::npos;
};

// Scans text from `from`; with stop_at_divergent it returns at the first divergent code point.
Utf8Scan scan_utf8(std::string_view text, std::size_t from, bool stop_at_divergent);

// The last safe cut in (lo, at], else lo: a place where both patterns split alike.
std::size_t safe_cut_before(std::string_view text, std::size_t lo, std::size_t at);
// The first safe cut after `at`, else the end of the text.
std::size_t safe_cut_after(std::string_view text, std::size_t at);

}  // namespace tb::token_detail
