// The pre-tokenizer's Unicode divergence handling.
#include "token/unicode_divergence.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <span>
#include <stdexcept>
#include <vector>

namespace tb::token_detail {
namespace {

// Pre-tokenizer patterns
//
// tiktoken splits text with these patterns using Rust's fancy-regex/regex crates before
// merging bytes. PCRE2 10.42 reads the same syntax, and checking every code point against
// PCRE2 (UTF+UCP) shows exactly two kinds of difference that change token counts:
//  * `\s`: Rust uses the Unicode White_Space property. PCRE2 also matches U+180E, which left
//    White_Space in Unicode 6.3. (U+0085 is in both; U+FEFF and U+200B are in neither.)
//  * Unicode version: the regex-syntax 0.8.5 tables inside tiktoken 1.0.22 are Unicode 15.1,
//    PCRE2 10.42's are 14.0. In between, characters were only added (Kawi, Nag Mundari, CJK
//    Ext H and I, ...), never moved between the classes used here. The lists below are the
//    difference between @unicode/unicode-15.1.0's General_Category sets and PCRE2's classes.
//
// Each pattern is therefore compiled twice from one template. The exact form spells \s out as
// White_Space and adds the 15.x characters to each class; it is right for any text but its
// long classes make PCRE2 about 40% slower. The fast form is tiktoken's pattern as written and
// is used for the (nearly all) text holding none of the divergent code points, where both
// forms match identically because every class agrees on every other code point.
//
// Template placeholders name the classes inside one bracket: {L,N} is \p{L} and \p{N} plus
// their additions, {S} is White_Space. Properties come first and the added ranges last, merged:
// PCRE2's JIT tests class items in order, and common letters then exit on the first test.

struct CodeRange {
  char32_t first;
  char32_t last;
};

constexpr CodeRange kWhiteSpace[] = {
    {0x09, 0x0D},     {0x20, 0x20},     {0x85, 0x85},     {0xA0, 0xA0},     {0x1680, 0x1680},
    {0x2000, 0x200A}, {0x2028, 0x2029}, {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000}};
// Where PCRE2's \s matches and White_Space does not.
constexpr CodeRange kPcre2OnlySpace[] = {{0x180E, 0x180E}};
constexpr CodeRange kLlAdded[] = {{0x1DF25, 0x1DF2A}};
constexpr CodeRange kLmAdded[] = {{0x1E030, 0x1E06D}, {0x1E4EB, 0x1E4EB}};
constexpr CodeRange kLoAdded[] = {{0x1123F, 0x11240}, {0x11F02, 0x11F02}, {0x11F04, 0x11F10},
                                  {0x11F12, 0x11F33}, {0x1342F, 0x1342F}, {0x13441, 0x13446},
                                  {0x1B132, 0x1B132}, {0x1B155, 0x1B155}, {0x1E4D0, 0x1E4EA},
                                  {0x2B739, 0x2B739}, {0x2EBF0, 0x2EE5D}, {0x31350, 0x323AF}};
constexpr CodeRange kMAdded[] = {{0x0CF3, 0x0CF3},   {0x0ECE, 0x0ECE},   {0x10EFD, 0x10EFF},
                                 {0x11241, 0x11241}, {0x11F00, 0x11F01}, {0x11F03, 0x11F03},
                                 {0x11F34, 0x11F3A}, {0x11F3E, 0x11F42}, {0x13440, 0x13440},
                                 {0x13447, 0x13455}, {0x1E08F, 0x1E08F}, {0x1E4EC, 0x1E4EF}};
constexpr CodeRange kNAdded[] = {{0x11F50, 0x11F59}, {0x1D2C0, 0x1D2D3}, {0x1E4F0, 0x1E4F9}};

struct ClassDef {
  std::string_view name;
  std::string_view property;                      // PCRE2's own class, as written in tiktoken
  std::vector<std::span<const CodeRange>> added;  // what the exact form adds to it
};

const std::vector<ClassDef>& class_defs() {
  static const std::vector<ClassDef> defs{
      {"S", R"(\s)", {kWhiteSpace}},  // exact form: White_Space only, no \s
      {"L", R"(\p{L})", {kLlAdded, kLmAdded, kLoAdded}},
      {"Lu", R"(\p{Lu})", {}},
      {"Lt", R"(\p{Lt})", {}},
      {"Ll", R"(\p{Ll})", {kLlAdded}},
      {"Lm", R"(\p{Lm})", {kLmAdded}},
      {"Lo", R"(\p{Lo})", {kLoAdded}},
      {"M", R"(\p{M})", {kMAdded}},
      {"N", R"(\p{N})", {kNAdded}},
  };
  return defs;
}

std::vector<CodeRange> merge_ranges(std::vector<CodeRange> ranges) {
  std::sort(ranges.begin(), ranges.end(),
            [](const CodeRange& a, const CodeRange& b) { return a.first < b.first; });
  std::vector<CodeRange> merged;
  for (const CodeRange& r : ranges) {
    if (!merged.empty() && r.first <= merged.back().last + 1) {
      merged.back().last = std::max(merged.back().last, r.last);
    } else {
      merged.push_back(r);
    }
  }
  return merged;
}

// Code points whose class differs between the fast and the exact pattern.
const std::vector<CodeRange>& divergent_ranges() {
  static const std::vector<CodeRange> ranges = [] {
    std::vector<CodeRange> all(std::begin(kPcre2OnlySpace), std::end(kPcre2OnlySpace));
    for (const ClassDef& def : class_defs()) {
      if (def.name == "S") continue;
      for (const auto& list : def.added) all.insert(all.end(), list.begin(), list.end());
    }
    return merge_ranges(std::move(all));
  }();
  return ranges;
}

bool is_divergent(char32_t cp) {
  const auto& ranges = divergent_ranges();
  if (cp < ranges.front().first || cp > ranges.back().last) return false;
  const auto it = std::upper_bound(ranges.begin(), ranges.end(), cp,
                                   [](char32_t c, const CodeRange& r) { return c < r.first; });
  return it != ranges.begin() && cp <= std::prev(it)->last;
}

std::string class_items(std::string_view names, bool exact) {
  std::string props;
  std::vector<CodeRange> ranges;
  while (!names.empty()) {
    const std::size_t comma = names.find(',');
    const std::string_view name = names.substr(0, comma);
    names = comma == std::string_view::npos ? std::string_view{} : names.substr(comma + 1);
    const auto& defs = class_defs();
    const auto def = std::find_if(defs.begin(), defs.end(),
                                  [name](const ClassDef& d) { return d.name == name; });
    if (def == defs.end()) throw std::logic_error("unknown class in pattern template");
    if (!exact || name != "S") props += def->property;
    if (exact) {
      for (const auto& list : def->added) ranges.insert(ranges.end(), list.begin(), list.end());
    }
  }
  std::string out = props;
  for (const CodeRange& r : merge_ranges(std::move(ranges))) {
    const auto hex = [](char32_t c) {
      std::array<char, 8> buf{};
      const auto end =
          std::to_chars(buf.data(), buf.data() + buf.size(), static_cast<std::uint32_t>(c), 16).ptr;
      return std::string(R"(\x{)") + std::string(buf.data(), end) + "}";
    };
    out += hex(r.first);
    if (r.last != r.first) out += "-" + hex(r.last);
  }
  return out;
}

// The code point of a valid three- or four-byte sequence.
char32_t decode_utf8(const unsigned char* p, std::size_t len) {
  const auto tail = [p](std::size_t i) { return char32_t{p[i] & 0x3Fu}; };
  if (len == 3) return (char32_t{p[0] & 0x0Fu} << 12) | (tail(1) << 6) | tail(2);
  return (char32_t{p[0] & 0x07u} << 18) | (tail(1) << 12) | (tail(2) << 6) | tail(3);
}

// Safe cuts: positions holding an ASCII letter or digit right after '\n'. Both patterns put a
// pre-token boundary there whatever the rest of the text is, and splitting the two sides
// separately gives the same pre-tokens, because:
//  * no alternative matches '\n' followed by a letter or digit (the optional prefix class
//    excludes \r\n, and the runs that take '\n' take only whitespace, \r\n or '/');
//  * matching only looks ahead (no lookbehind, ^ or \b), so the right side is unaffected;
//  * on the left, a run reaching the cut stops there whether a letter, a digit or the end of
//    the subject follows, except `\s+(?!\S)`, which is never reached: a whitespace run ending
//    in '\n' is taken by the earlier `\s*[\r\n]+`.
// Cutting around a divergent code point lets a long text use the fast pattern everywhere else.
bool is_safe_cut(std::string_view text, std::size_t i) {
  if (i == 0 || i >= text.size() || text[i - 1] != '\n') return false;
  const char c = text[i];
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

std::string expand_pattern(std::string_view tmpl, bool exact) {
  std::string out;
  for (std::size_t i = 0; i < tmpl.size();) {
    // '{' followed by a capital letter opens a placeholder; "{1,3}" is a quantifier.
    if (tmpl[i] == '{' && i + 1 < tmpl.size() && tmpl[i + 1] >= 'A' && tmpl[i + 1] <= 'Z') {
      const std::size_t close = tmpl.find('}', i);
      out += class_items(tmpl.substr(i + 1, close - i - 1), exact);
      i = close + 1;
    } else {
      out += tmpl[i++];
    }
  }
  return out;
}

// Scans text from `from`; with stop_at_divergent it returns at the first divergent code point.
Utf8Scan scan_utf8(std::string_view text, std::size_t from, bool stop_at_divergent) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  Utf8Scan scan;
  std::size_t i = from;
  while (i < n) {
    if (i + 8 <= n) {
      std::uint64_t word;
      std::memcpy(&word, p + i, 8);
      if ((word & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // overlong
      if (c == 0xED) hi = 0x9F;  // UTF-16 surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;  // overlong
      if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
      scan.invalid_at = i;
      return scan;
    }
    bool valid = i + len <= n && p[i + 1] >= lo && p[i + 1] <= hi;
    for (std::size_t k = 2; valid && k < len; ++k) valid = (p[i + k] & 0xC0) == 0x80;
    if (!valid) {
      scan.invalid_at = i;
      return scan;
    }
    // Two-byte characters end below U+0800, before the first divergent one.
    if (len > 2 && scan.first_divergent == std::string_view::npos &&
        is_divergent(decode_utf8(p + i, len))) {
      scan.first_divergent = i;
      if (stop_at_divergent) return scan;
    }
    i += len;
  }
  return scan;
}

// The last safe cut in (lo, at], else lo.
std::size_t safe_cut_before(std::string_view text, std::size_t lo, std::size_t at) {
  for (std::size_t i = at; i > lo; --i) {
    if (is_safe_cut(text, i)) return i;
  }
  return lo;
}

// The first safe cut after `at`, else the end of the text.
std::size_t safe_cut_after(std::string_view text, std::size_t at) {
  for (std::size_t i = text.find('\n', at); i != std::string_view::npos;
       i = text.find('\n', i + 1)) {
    if (is_safe_cut(text, i + 1)) return i + 1;
  }
  return text.size();
}

}  // namespace tb::token_detail
