#include "token/encoding.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <openssl/evp.h>
#include <pcre2.h>

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <mutex>
#include <utility>

namespace tb {
namespace {

namespace fs = std::filesystem;

constexpr std::uint32_t kNoRank = std::numeric_limits<std::uint32_t>::max();

// ---------------------------------------------------------------------------------------------
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

// tiktoken's patterns, with \s written [{S}], \S [^{S}] and \p{X} [{X}].
constexpr std::string_view kCl100kPattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n{L,N}]?[{L}]+|[{N}]{1,3}| ?[^{S,L,N}]+[\r\n]*)"
    R"(|[{S}]*[\r\n]+|[{S}]+(?![^{S}])|[{S}]+)";
constexpr std::string_view kO200kPattern =
    R"([^\r\n{L,N}]?[{Lu,Lt,Lm,Lo,M}]*[{Ll,Lm,Lo,M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?)"
    R"(|[^\r\n{L,N}]?[{Lu,Lt,Lm,Lo,M}]+[{Ll,Lm,Lo,M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?)"
    R"(|[{N}]{1,3}| ?[^{S,L,N}]+[\r\n/]*|[{S}]*[\r\n]+|[{S}]+(?![^{S}])|[{S}]+)";

// ---------------------------------------------------------------------------------------------
// Encoding descriptions

struct SpecialToken {
  std::string_view text;
  std::uint32_t id;
};

constexpr std::array<SpecialToken, 5> kCl100kSpecials{{
    {"<|endoftext|>", 100257},
    {"<|fim_prefix|>", 100258},
    {"<|fim_middle|>", 100259},
    {"<|fim_suffix|>", 100260},
    {"<|endofprompt|>", 100276},
}};
constexpr std::array<SpecialToken, 2> kO200kSpecials{{
    {"<|endoftext|>", 199999},
    {"<|endofprompt|>", 200018},
}};

struct EncodingSpec {
  EncodingName name;
  std::string_view file_name;
  std::string_view sha256;  // what tiktoken itself pins for the file
  std::string_view pattern;
  std::span<const SpecialToken> specials;
};

const EncodingSpec& spec_for(EncodingName name) {
  static const EncodingSpec kCl100k{
      EncodingName::cl100k_base, "cl100k_base.tiktoken",
      "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7", kCl100kPattern,
      kCl100kSpecials};
  static const EncodingSpec kO200k{
      EncodingName::o200k_base, "o200k_base.tiktoken",
      "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d", kO200kPattern,
      kO200kSpecials};
  return name == EncodingName::cl100k_base ? kCl100k : kO200k;
}

// ---------------------------------------------------------------------------------------------
// UTF-8 validation, done once per call so PCRE2 can skip its own check on every match (which
// would rescan the subject and make splitting quadratic). The same pass notes the first code
// point on which the fast and exact patterns disagree.

struct Utf8Scan {
  std::size_t invalid_at = std::string_view::npos;
  std::size_t first_divergent = std::string_view::npos;
};

// The code point of a valid three- or four-byte sequence.
char32_t decode_utf8(const unsigned char* p, std::size_t len) {
  const auto tail = [p](std::size_t i) { return char32_t{p[i] & 0x3Fu}; };
  if (len == 3) return (char32_t{p[0] & 0x0Fu} << 12) | (tail(1) << 6) | tail(2);
  return (char32_t{p[0] & 0x07u} << 18) | (tail(1) << 12) | (tail(2) << 6) | tail(3);
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

// ---------------------------------------------------------------------------------------------
// PCRE2 pre-tokenizer

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

class PreTokenizer {
 public:
  explicit PreTokenizer(const std::string& pattern) {
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

// ---------------------------------------------------------------------------------------------
// Rank table: token bytes -> rank.
//
// One- and two-byte tokens sit in direct tables (256 KiB for pairs, small enough to stay in
// cache); longer ones in an open-addressing table with linear probing over 16-byte slots. A
// slot holds the key's first eight bytes and its length, so most probes (keys of at most eight
// bytes, and every miss during merging) resolve without touching the token bytes. Load stays
// under one half because most lookups while merging are misses.

inline std::uint64_t load64(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

inline std::uint32_t load32(const char* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// The first min(n, 8) bytes, zero-padded, never reading past p + n.
inline std::uint64_t load_head(const char* p, std::size_t n) {
  if (n >= 8) return load64(p);
  if (n >= 4) {
    const std::uint64_t lo = load32(p);
    const std::uint64_t hi = load32(p + n - 4);
    return lo | (hi << (8 * (n - 4)));
  }
  if (n == 0) return 0;
  const auto byte = [p](std::size_t i) { return std::uint64_t{static_cast<unsigned char>(p[i])}; };
  return byte(0) | (byte(n / 2) << (8 * (n / 2))) | (byte(n - 1) << (8 * (n - 1)));
}

// One multiply and a fold: keys of up to eight bytes (most lookups) hash from the head alone.
inline std::uint64_t hash_key(const char* p, std::size_t n, std::uint64_t head) {
  constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ULL;
  std::uint64_t h = (head ^ n) * kMul;
  for (std::size_t i = 8; i < n; i += 8) {
    h = (h ^ (h >> 29) ^ load64(p + std::min(i, n - 8))) * kMul;
  }
  return h ^ (h >> 32);
}

class Ranks {
 public:
  // Parses a .tiktoken file ("<base64 token> <rank>" per line).
  void parse(std::string_view content, const fs::path& file);

  std::uint32_t find(const char* p, std::size_t n) const noexcept {
    if (n <= 2) {
      if (n == 2) return pair_rank(p);
      return n == 1 ? byte_rank(static_cast<unsigned char>(*p)) : kNoRank;
    }
    const std::uint64_t head = load_head(p, n);
    for (std::size_t i = hash_key(p, n, head) & mask_;; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      if (slot.length == 0) return kNoRank;
      if (slot.head == head && slot.length == n &&
          (n <= 8 || std::memcmp(arena_.data() + offsets_[slot.rank] + 8, p + 8, n - 8) == 0)) {
        return slot.rank;
      }
    }
  }

  // Two-byte keys come from a direct table: they are the first lookups of every merge.
  std::uint32_t pair_rank(const char* p) const noexcept {
    return pair_ranks_[static_cast<unsigned char>(p[0]) |
                       (static_cast<std::size_t>(static_cast<unsigned char>(p[1])) << 8)];
  }

  std::uint32_t byte_rank(unsigned char byte) const noexcept { return byte_ranks_[byte]; }

  // Empty when no token has this rank.
  std::string_view token(std::uint32_t rank) const noexcept {
    if (rank >= lengths_.size()) return {};
    return std::string_view(arena_).substr(offsets_[rank], lengths_[rank]);
  }

  // One past the largest rank.
  std::uint32_t size() const noexcept { return static_cast<std::uint32_t>(lengths_.size()); }

 private:
  struct Slot {
    std::uint64_t head;
    std::uint32_t rank;
    std::uint32_t length;  // 0 marks an empty slot; no token is empty
  };

  void build_table(const fs::path& file);

  std::string arena_;  // all token bytes, back to back
  std::vector<std::uint32_t> offsets_;
  std::vector<std::uint32_t> lengths_;
  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::array<std::uint32_t, 256> byte_ranks_{};
  std::vector<std::uint32_t> pair_ranks_;
};

int base64_value(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Appends the decoded bytes to out; false if text is not padded standard base64.
bool base64_decode(std::string_view text, std::string& out) {
  if (text.empty() || text.size() % 4 != 0) return false;
  std::size_t padding = 0;
  while (padding < 2 && text[text.size() - 1 - padding] == '=') ++padding;
  std::uint32_t bits = 0;
  int bit_count = 0;
  for (std::size_t i = 0; i < text.size() - padding; ++i) {
    const int v = base64_value(static_cast<unsigned char>(text[i]));
    if (v < 0) return false;
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    bit_count += 6;
    if (bit_count >= 8) {
      bit_count -= 8;
      out.push_back(static_cast<char>((bits >> bit_count) & 0xFF));
    }
  }
  return true;
}

void Ranks::parse(std::string_view content, const fs::path& file) {
  const auto corrupt = [&file](std::size_t line, std::string_view why) {
    return TokenizerError("rank file " + file.string() + " line " + std::to_string(line) + ": " +
                          std::string(why));
  };
  arena_.reserve(content.size() / 2);
  // One line per rank: reserving for them all spares a reallocation check per line.
  const auto lines = static_cast<std::size_t>(std::count(content.begin(), content.end(), '\n')) + 1;
  offsets_.reserve(lines);
  lengths_.reserve(lines);
  std::size_t line_number = 0;
  while (!content.empty()) {
    ++line_number;
    const std::size_t eol = content.find('\n');
    std::string_view line = content.substr(0, eol);
    content = eol == std::string_view::npos ? std::string_view{} : content.substr(eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    const std::size_t space = line.find(' ');
    if (space == std::string_view::npos) throw corrupt(line_number, "expected '<base64> <rank>'");
    const std::size_t offset = arena_.size();
    if (!base64_decode(line.substr(0, space), arena_)) throw corrupt(line_number, "bad base64");
    const std::string_view digits = line.substr(space + 1);
    std::uint32_t rank = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), rank);
    // The bound keeps a damaged file from asking for gigabytes of rank arrays.
    if (ec != std::errc{} || end != digits.data() + digits.size() || rank >= (1U << 24)) {
      throw corrupt(line_number, "bad rank");
    }
    if (rank >= lengths_.size()) {
      if (rank == lengths_.size()) {  // ranks come in order: append, no fill
        offsets_.push_back(0);
        lengths_.push_back(0);
      } else {
        offsets_.resize(rank + 1, 0);
        lengths_.resize(rank + 1, 0);
      }
    }
    if (lengths_[rank] != 0) throw corrupt(line_number, "rank appears twice");
    offsets_[rank] = static_cast<std::uint32_t>(offset);
    lengths_[rank] = static_cast<std::uint32_t>(arena_.size() - offset);
  }
  build_table(file);
}

void Ranks::build_table(const fs::path& file) {
  std::size_t count = 0;
  for (const std::uint32_t length : lengths_) count += length != 0;
  const std::size_t capacity = std::bit_ceil(std::max<std::size_t>(16, count * 2));
  slots_.assign(capacity, Slot{0, 0, 0});
  mask_ = capacity - 1;
  byte_ranks_.fill(kNoRank);
  pair_ranks_.assign(1 << 16, kNoRank);
  const auto duplicate = [&file](std::uint32_t rank) {
    return TokenizerError("rank file " + file.string() + " lists a token twice (rank " +
                          std::to_string(rank) + ")");
  };
  for (std::uint32_t rank = 0; rank < lengths_.size(); ++rank) {
    const std::size_t n = lengths_[rank];
    if (n == 0) continue;
    const char* p = arena_.data() + offsets_[rank];
    if (n <= 2) {
      std::uint32_t& slot = n == 1 ? byte_ranks_[static_cast<unsigned char>(p[0])]
                                   : pair_ranks_[static_cast<unsigned char>(p[0]) |
                                                 (static_cast<unsigned char>(p[1]) << 8)];
      if (slot != kNoRank) throw duplicate(rank);
      slot = rank;
      continue;
    }
    if (find(p, n) != kNoRank) throw duplicate(rank);
    const std::uint64_t head = load_head(p, n);
    std::size_t i = hash_key(p, n, head) & mask_;
    while (slots_[i].length != 0) i = (i + 1) & mask_;
    slots_[i] = Slot{head, rank, static_cast<std::uint32_t>(n)};
  }
  for (int byte = 0; byte < 256; ++byte) {
    // Every byte must be a token, or some text could not be encoded at all.
    if (byte_ranks_[byte] == kNoRank) {
      throw TokenizerError("rank file " + file.string() + " has no token for byte " +
                           std::to_string(byte));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Byte-pair merging of one pre-token that is not itself a token.
//
// tiktoken merges, over and over, the adjacent pair whose concatenation has the lowest rank,
// the leftmost one on ties. A merged pair's rank is the rank of the new part, so no lookup is
// needed at the end. Short pieces (nearly all) use tiktoken's own array scan on the stack;
// long ones (CJK runs without spaces, long symbol runs) use a heap so that the cost stays
// n log n instead of n^2. Both give identical results because ties break by position.

constexpr std::size_t kLinearMergeMax = 96;

template <class Emit>
void merge_linear(const Ranks& ranks, std::string_view piece, Emit& emit) {
  struct Part {
    std::uint32_t start;
    std::uint32_t pair_rank;  // rank of this part joined with the next one
    std::uint32_t token;      // rank of this part itself
  };
  std::array<Part, kLinearMergeMax + 1> parts;
  const char* p = piece.data();
  const std::size_t n = piece.size();
  for (std::size_t i = 0; i < n; ++i) {
    parts[i] = Part{static_cast<std::uint32_t>(i), i + 1 < n ? ranks.pair_rank(p + i) : kNoRank,
                    ranks.byte_rank(static_cast<unsigned char>(p[i]))};
  }
  parts[n] = Part{static_cast<std::uint32_t>(n), kNoRank, kNoRank};
  std::size_t count = n;  // parts, not counting the end sentinel
  const auto pair_rank = [&](std::size_t i) {
    // Parts i and i+1 joined, i.e. bytes up to the start of part i+2.
    return i + 2 <= count ? ranks.find(p + parts[i].start, parts[i + 2].start - parts[i].start)
                          : kNoRank;
  };
  for (;;) {
    std::uint32_t best = kNoRank;
    std::size_t at = 0;
    for (std::size_t i = 0; i + 1 < count; ++i) {
      if (parts[i].pair_rank < best) {
        best = parts[i].pair_rank;
        at = i;
      }
    }
    if (best == kNoRank) break;
    parts[at].token = best;
    std::copy(parts.begin() + at + 2, parts.begin() + count + 1, parts.begin() + at + 1);
    --count;
    parts[at].pair_rank = pair_rank(at);
    if (at > 0) parts[at - 1].pair_rank = pair_rank(at - 1);
  }
  for (std::size_t i = 0; i < count; ++i) emit(parts[i].token);
}

struct HeapMergeScratch {
  struct Candidate {
    std::uint32_t rank;
    std::uint32_t start;
    std::uint32_t end;  // end of the right-hand part when this pair was formed
  };
  std::vector<std::uint32_t> next;
  std::vector<std::uint32_t> prev;
  std::vector<std::uint32_t> token;
  std::vector<std::uint8_t> alive;
  std::vector<Candidate> heap;
};

template <class Emit>
void merge_heap(const Ranks& ranks, std::string_view piece, Emit& emit) {
  // Reused per thread: long pieces are rare but would otherwise allocate every time.
  thread_local HeapMergeScratch s;
  using Candidate = HeapMergeScratch::Candidate;
  const char* p = piece.data();
  const auto n = static_cast<std::uint32_t>(piece.size());
  s.next.resize(n + 1);
  s.prev.resize(n + 1);
  s.token.resize(n);
  s.alive.assign(n + 1, 1);
  s.heap.clear();
  const auto later = [](const Candidate& a, const Candidate& b) {
    return a.rank != b.rank ? a.rank > b.rank : a.start > b.start;
  };
  for (std::uint32_t i = 0; i < n; ++i) {
    s.next[i] = i + 1;
    s.prev[i] = i == 0 ? 0 : i - 1;
    s.token[i] = ranks.byte_rank(static_cast<unsigned char>(p[i]));
    if (i + 1 < n) {
      const std::uint32_t rank = ranks.pair_rank(p + i);
      if (rank != kNoRank) s.heap.push_back(Candidate{rank, i, i + 2});
    }
  }
  s.next[n] = n;
  s.prev[n] = n - 1;
  std::make_heap(s.heap.begin(), s.heap.end(), later);
  while (!s.heap.empty()) {
    std::pop_heap(s.heap.begin(), s.heap.end(), later);
    const Candidate c = s.heap.back();
    s.heap.pop_back();
    // Stale unless `start` still begins a part and the next two parts still end at `end`.
    if (!s.alive[c.start]) continue;
    const std::uint32_t middle = s.next[c.start];
    if (middle >= n || s.next[middle] != c.end) continue;
    s.alive[middle] = 0;
    s.next[c.start] = c.end;
    s.prev[c.end] = c.start;
    s.token[c.start] = c.rank;
    if (c.end < n) {
      const std::uint32_t right_end = s.next[c.end];
      const std::uint32_t rank = ranks.find(p + c.start, right_end - c.start);
      if (rank != kNoRank) {
        s.heap.push_back(Candidate{rank, c.start, right_end});
        std::push_heap(s.heap.begin(), s.heap.end(), later);
      }
    }
    if (c.start > 0) {
      const std::uint32_t left = s.prev[c.start];
      const std::uint32_t rank = ranks.find(p + left, c.end - left);
      if (rank != kNoRank) {
        s.heap.push_back(Candidate{rank, left, c.end});
        std::push_heap(s.heap.begin(), s.heap.end(), later);
      }
    }
  }
  for (std::uint32_t i = 0; i < n; i = s.next[i]) emit(s.token[i]);
  // A megabyte-long run of one character must not pin tens of megabytes per thread.
  if (n > (1U << 16)) s = HeapMergeScratch{};
}

template <class Emit>
void byte_pair_merge(const Ranks& ranks, std::string_view piece, Emit& emit) {
  if (piece.size() <= kLinearMergeMax) {
    merge_linear(ranks, piece, emit);
  } else {
    merge_heap(ranks, piece, emit);
  }
}

// ---------------------------------------------------------------------------------------------
// Per-thread memo of merged pieces.
//
// Text repeats its multi-token words ("tokenizer", " Größe", "12.5%"), and merging one costs
// a dozen table probes that mostly miss the CPU cache; a hit here costs one. Direct-mapped,
// one cache line per entry, 256 KiB per encoding and thread. Entries depend only on the rank
// file, whose content the sha256 pins, so encodings of one name can share them.

class MergeCache {
 public:
  static constexpr std::size_t kMaxPiece = 22;
  static constexpr std::size_t kMaxTokens = 10;

  static MergeCache& for_thread(EncodingName name) {
    thread_local std::array<std::unique_ptr<MergeCache>, 2> caches;
    auto& cache = caches[static_cast<std::size_t>(name)];
    if (!cache) cache = std::make_unique<MergeCache>();
    return *cache;
  }

  // Emits the cached tokens of piece and returns true, or returns false.
  template <class Emit>
  bool emit(std::string_view piece, std::uint64_t hash, Emit& emit) const {
    const Entry& e = entries_[hash & (kEntries - 1)];
    if (e.piece_size != piece.size() || std::memcmp(e.piece, piece.data(), piece.size()) != 0) {
      return false;
    }
    for (std::size_t i = 0; i < e.token_count; ++i) emit(e.tokens[i]);
    return true;
  }

  void store(std::string_view piece, std::uint64_t hash, std::span<const std::uint32_t> tokens) {
    if (piece.size() > kMaxPiece || tokens.size() > kMaxTokens) return;
    Entry& e = entries_[hash & (kEntries - 1)];
    e.piece_size = static_cast<std::uint8_t>(piece.size());
    e.token_count = static_cast<std::uint8_t>(tokens.size());
    std::memcpy(e.piece, piece.data(), piece.size());
    std::copy(tokens.begin(), tokens.end(), e.tokens);
  }

 private:
  static constexpr std::size_t kEntries = 4096;
  struct alignas(64) Entry {
    std::uint8_t piece_size = 0;  // 0: empty (pieces are never empty)
    std::uint8_t token_count = 0;
    char piece[kMaxPiece] = {};
    std::uint32_t tokens[kMaxTokens] = {};
  };
  static_assert(sizeof(Entry) == 64);

  std::array<Entry, kEntries> entries_{};
};

// ---------------------------------------------------------------------------------------------
// Rank file discovery and loading

std::vector<fs::path> vocab_search_path(const fs::path& explicit_dir) {
  std::vector<fs::path> dirs;
  if (!explicit_dir.empty()) dirs.push_back(explicit_dir);
  const auto env = [](const char* name) -> std::string_view {
    const char* value = std::getenv(name);
    return value == nullptr ? std::string_view{} : std::string_view(value);
  };
  if (const auto dir = env("TIKTOKEN_CACHE_DIR"); !dir.empty()) dirs.emplace_back(dir);
  if (const auto xdg = env("XDG_DATA_HOME"); !xdg.empty()) {
    dirs.push_back(fs::path(xdg) / "tunebench" / "vocab");
  } else if (const auto home = env("HOME"); !home.empty()) {
    dirs.push_back(fs::path(home) / ".local" / "share" / "tunebench" / "vocab");
  }
  dirs.emplace_back("/usr/local/share/tunebench/vocab");
  return dirs;
}

std::string setup_hint(const EncodingSpec& spec) {
  return "run scripts/setup (or scripts/fetch_vocab.sh DIR), or set TIKTOKEN_CACHE_DIR to a "
         "folder holding " +
         std::string(spec.file_name);
}

fs::path find_rank_file(const EncodingSpec& spec, const fs::path& explicit_dir) {
  std::string looked;
  for (const fs::path& dir : vocab_search_path(explicit_dir)) {
    const fs::path file = dir / spec.file_name;
    std::error_code ec;
    if (fs::is_regular_file(file, ec)) return file;
    looked += looked.empty() ? "" : ", ";
    looked += dir.string();
  }
  throw TokenizerError("tiktoken rank file " + std::string(spec.file_name) +
                       " not found (looked in " + looked + "); " + setup_hint(spec));
}

std::string read_file(const fs::path& file, const EncodingSpec& spec) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw TokenizerError("cannot open " + file.string() + "; " + setup_hint(spec));
  std::string content{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw TokenizerError("cannot read " + file.string() + "; " + setup_hint(spec));
  return content;
}

std::string sha256_hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1) {
    throw TokenizerError("OpenSSL could not compute sha256");
  }
  static constexpr std::string_view kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  return hex;
}

std::optional<std::string_view> strip_prefix(std::string_view text, std::string_view prefix) {
  if (!text.starts_with(prefix)) return std::nullopt;
  return text.substr(prefix.size());
}

}  // namespace

// -----------------------------------------------------------------------------------------------

class Encoding::Impl {
 public:
  Impl(const EncodingSpec& spec, std::string_view content, const fs::path& file)
      : spec_(spec),
        fast_(expand_pattern(spec.pattern, /*exact=*/false)),
        exact_(expand_pattern(spec.pattern, /*exact=*/true)) {
    ranks_.parse(content, file);
    n_vocab_ = ranks_.size();
    for (const SpecialToken& special : spec_.specials) {
      n_vocab_ = std::max(n_vocab_, special.id + 1);
    }
  }

  // Sink is called with each token id in order.
  template <class Sink>
  void encode(std::string_view text, SpecialTokens mode, Sink& sink) const {
    const Utf8Scan scan = scan_utf8(text, 0, /*stop_at_divergent=*/false);
    if (scan.invalid_at != std::string_view::npos) {
      throw TokenizerError("invalid UTF-8 at byte offset " + std::to_string(scan.invalid_at));
    }
    switch (mode) {
      case SpecialTokens::as_text:
        encode_ordinary(text, scan.first_divergent, sink);
        return;
      case SpecialTokens::disallow:
        if (const auto hit = find_special(text, 0)) {
          throw TokenizerError("text contains the special token " + std::string(hit->second->text) +
                               " at byte offset " + std::to_string(hit->first) +
                               "; use SpecialTokens::allow to encode it as a special token or "
                               "SpecialTokens::as_text to encode it as plain text");
        }
        encode_ordinary(text, scan.first_divergent, sink);
        return;
      case SpecialTokens::allow: {
        const auto divergent_in = [&](std::string_view segment) {
          return scan.first_divergent == std::string_view::npos
                     ? std::string_view::npos
                     : scan_utf8(segment, 0, /*stop_at_divergent=*/true).first_divergent;
        };
        std::size_t pos = 0;
        while (const auto hit = find_special(text, pos)) {
          // Text on either side of a special token is split on its own, as in tiktoken.
          const std::string_view before = text.substr(pos, hit->first - pos);
          encode_ordinary(before, divergent_in(before), sink);
          sink(hit->second->id);
          pos = hit->first + hit->second->text.size();
        }
        const std::string_view rest = text.substr(pos);
        encode_ordinary(rest, divergent_in(rest), sink);
        return;
      }
    }
  }

  std::string decode(std::span<const std::uint32_t> ids) const {
    std::string out;
    out.reserve(ids.size() * 4);
    for (const std::uint32_t id : ids) {
      if (const std::string_view token = ranks_.token(id); !token.empty()) {
        out += token;
        continue;
      }
      const auto special = std::find_if(spec_.specials.begin(), spec_.specials.end(),
                                        [id](const SpecialToken& s) { return s.id == id; });
      if (special == spec_.specials.end()) {
        throw TokenizerError("token id " + std::to_string(id) + " is not in " +
                             std::string(to_string(spec_.name)));
      }
      out += special->text;
    }
    return out;
  }

  std::optional<std::uint32_t> special_token_id(std::string_view text) const {
    for (const SpecialToken& special : spec_.specials) {
      if (special.text == text) return special.id;
    }
    return std::nullopt;
  }

  EncodingName name() const { return spec_.name; }
  std::uint32_t n_vocab() const { return n_vocab_; }

 private:
  // first_divergent: where the first code point needing the exact pattern is, if any.
  template <class Sink>
  void encode_ordinary(std::string_view text, std::size_t first_divergent, Sink& sink) const {
    MergeCache& cache = MergeCache::for_thread(spec_.name);
    const auto on_piece = [&](std::string_view piece) {
      // Most pieces are whole tokens: one probe, no merging.
      if (const std::uint32_t rank = ranks_.find(piece.data(), piece.size()); rank != kNoRank) {
        sink(rank);
        return;
      }
      if (piece.size() > MergeCache::kMaxPiece) {
        byte_pair_merge(ranks_, piece, sink);
        return;
      }
      const std::uint64_t hash =
          hash_key(piece.data(), piece.size(), load_head(piece.data(), piece.size()));
      if (cache.emit(piece, hash, sink)) return;
      std::array<std::uint32_t, MergeCache::kMaxPiece> tokens;  // n bytes make <= n tokens
      std::size_t count = 0;
      auto collect = [&](std::uint32_t id) { tokens[count++] = id; };
      byte_pair_merge(ranks_, piece, collect);
      for (std::size_t i = 0; i < count; ++i) sink(tokens[i]);
      cache.store(piece, hash, std::span(tokens.data(), count));
    };
    std::size_t pos = 0;
    for (std::size_t divergent = first_divergent; divergent != std::string_view::npos;
         divergent = scan_utf8(text, pos, /*stop_at_divergent=*/true).first_divergent) {
      const std::size_t begin = safe_cut_before(text, pos, divergent);
      const std::size_t end = safe_cut_after(text, divergent);
      fast_.split(text.substr(pos, begin - pos), on_piece);
      exact_.split(text.substr(begin, end - begin), on_piece);
      pos = end;
    }
    fast_.split(text.substr(pos), on_piece);
  }

  // Leftmost special token at or after `from`.
  std::optional<std::pair<std::size_t, const SpecialToken*>> find_special(std::string_view text,
                                                                          std::size_t from) const {
    for (std::size_t pos = text.find("<|", from); pos != std::string_view::npos;
         pos = text.find("<|", pos + 1)) {
      const std::string_view rest = text.substr(pos);
      for (const SpecialToken& special : spec_.specials) {
        if (rest.starts_with(special.text)) return std::pair{pos, &special};
      }
    }
    return std::nullopt;
  }

  const EncodingSpec& spec_;
  PreTokenizer fast_;   // tiktoken's pattern as written
  PreTokenizer exact_;  // for text around code points where PCRE2's classes differ
  Ranks ranks_;
  std::uint32_t n_vocab_ = 0;
};

Encoding::Encoding(PrivateKey, std::unique_ptr<const Impl> impl) : impl_(std::move(impl)) {}
Encoding::~Encoding() = default;

std::shared_ptr<const Encoding> Encoding::load(EncodingName name, const fs::path& vocab_dir) {
  const EncodingSpec& spec = spec_for(name);
  const fs::path file = find_rank_file(spec, vocab_dir);
  std::error_code ec;
  fs::path key = fs::weakly_canonical(file, ec);
  if (ec) key = file;

  // Loading happens under the lock: it takes tens of milliseconds, once per file per process,
  // and concurrent first calls should share one load rather than race to do it twice.
  static std::mutex mutex;
  static std::map<fs::path, std::shared_ptr<const Encoding>> cache;
  const std::lock_guard lock(mutex);
  if (const auto it = cache.find(key); it != cache.end()) return it->second;

  const std::string content = read_file(file, spec);
  if (const std::string sum = sha256_hex(content); sum != spec.sha256) {
    throw TokenizerError(file.string() + " is corrupt or not " + std::string(to_string(name)) +
                         " (sha256 " + sum + ", expected " + std::string(spec.sha256) + "); " +
                         setup_hint(spec));
  }
  auto encoding = std::make_shared<const Encoding>(
      PrivateKey{}, std::make_unique<const Impl>(spec, content, file));
  cache.emplace(key, encoding);
  return encoding;
}

std::vector<std::uint32_t> Encoding::encode(std::string_view utf8, SpecialTokens special) const {
  std::vector<std::uint32_t> ids;
  // Typical text averages three to four bytes per token; one reservation avoids most regrowth.
  ids.reserve(utf8.size() / 3 + 8);
  auto push = [&ids](std::uint32_t id) { ids.push_back(id); };
  impl_->encode(utf8, special, push);
  return ids;
}

std::size_t Encoding::count(std::string_view utf8, SpecialTokens special) const {
  std::size_t n = 0;
  auto add = [&n](std::uint32_t) { ++n; };
  impl_->encode(utf8, special, add);
  return n;
}

std::string Encoding::decode(std::span<const std::uint32_t> ids) const {
  return impl_->decode(ids);
}

EncodingName Encoding::name() const {
  return impl_->name();
}

std::uint32_t Encoding::n_vocab() const {
  return impl_->n_vocab();
}

std::optional<std::uint32_t> Encoding::special_token_id(std::string_view text) const {
  return impl_->special_token_id(text);
}

// -----------------------------------------------------------------------------------------------

std::optional<EncodingName> parse_encoding_name(std::string_view name) {
  if (name == "cl100k_base") return EncodingName::cl100k_base;
  if (name == "o200k_base") return EncodingName::o200k_base;
  return std::nullopt;
}

std::string_view to_string(EncodingName name) {
  return name == EncodingName::cl100k_base ? "cl100k_base" : "o200k_base";
}

std::optional<EncodingName> encoding_for_model(std::string_view model) {
  // Fine-tuned models ("ft:gpt-4o-mini-2024-07-18:org::id") keep their base model's encoding.
  if (const auto rest = strip_prefix(model, "ft:")) {
    const std::string_view base = rest->substr(0, rest->find(':'));
    return base.empty() ? std::nullopt : encoding_for_model(base);
  }
  // Order matters: "gpt-4o" and "gpt-4.1" must be decided before the "gpt-4" family.
  // gpt-4.5, chatgpt-4o and gpt-35-turbo (Azure's spelling) follow tiktoken's own table.
  static constexpr std::array<std::string_view, 8> kO200kPrefixes{
      "gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4", "chatgpt-4o"};
  static constexpr std::array<std::string_view, 4> kCl100kPrefixes{
      "gpt-4-", "gpt-3.5-turbo", "gpt-35-turbo", "text-embedding-3-"};
  const auto has_prefix = [model](std::string_view prefix) { return model.starts_with(prefix); };
  if (std::any_of(kO200kPrefixes.begin(), kO200kPrefixes.end(), has_prefix)) {
    return EncodingName::o200k_base;
  }
  if (model == "gpt-4" || model == "text-embedding-ada-002" ||
      std::any_of(kCl100kPrefixes.begin(), kCl100kPrefixes.end(), has_prefix)) {
    return EncodingName::cl100k_base;
  }
  return std::nullopt;
}

}  // namespace tb
