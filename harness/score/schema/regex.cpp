// ECMA-262 regular expressions on PCRE2: the dialect translation (ecma_to_pcre2), a table
// matcher for the common "^[class]+$" shape, and the compiled Regex.
#include "score/schema/regex.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/utf8.hpp"
#include "score/schema/ascii.hpp"
#include "score/schema/program.hpp"

namespace tb::schema_detail {
namespace {

struct CodeDeleter {
  void operator()(pcre2_code* code) const { pcre2_code_free(code); }
};
struct MatchDataDeleter {
  void operator()(pcre2_match_data* md) const { pcre2_match_data_free(md); }
};

// One match block per thread: a Program is shared between threads and matching must not
// allocate. Only "did it match" is needed, so one ovector pair is enough.
pcre2_match_data* thread_match_data() {
  thread_local std::unique_ptr<pcre2_match_data, MatchDataDeleter> md(
      pcre2_match_data_create(1, nullptr));
  return md.get();
}

// Reads the hex digits of an \x or \u escape whose letter is at p[i]; *used counts the
// characters after the letter.
bool read_hex_escape(std::string_view p, std::size_t i, std::uint32_t* cp, std::size_t* used) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::uint32_t v = 0;
  if (p[i] == 'u' && i + 1 < p.size() && p[i + 1] == '{') {
    std::size_t k = i + 2;
    for (; k < p.size() && hex(p[k]) >= 0 && v <= 0x10FFFF; ++k) {
      v = v * 16 + static_cast<std::uint32_t>(hex(p[k]));
    }
    if (k == i + 2 || k >= p.size() || p[k] != '}' || v > 0x10FFFF) return false;
    *cp = v;
    *used = k - i;
    return true;
  }
  const std::size_t digits = p[i] == 'x' ? 2 : 4;
  if (i + digits >= p.size()) return false;
  for (std::size_t k = 1; k <= digits; ++k) {
    const int h = hex(p[i + k]);
    if (h < 0) return false;
    v = v * 16 + static_cast<std::uint32_t>(h);
  }
  *cp = v;
  *used = digits;
  return true;
}

// Maps ECMA-262 property names (long general categories, gc=, sc=, scx=) to PCRE2 spelling.
std::string unicode_property(std::string_view name) {
  static constexpr std::pair<std::string_view, std::string_view> kCategories[] = {
      {"Letter", "L"},
      {"Cased_Letter", "L&"},
      {"Uppercase_Letter", "Lu"},
      {"Lowercase_Letter", "Ll"},
      {"Titlecase_Letter", "Lt"},
      {"Modifier_Letter", "Lm"},
      {"Other_Letter", "Lo"},
      {"Mark", "M"},
      {"Combining_Mark", "M"},
      {"Nonspacing_Mark", "Mn"},
      {"Spacing_Mark", "Mc"},
      {"Enclosing_Mark", "Me"},
      {"Number", "N"},
      {"Decimal_Number", "Nd"},
      {"digit", "Nd"},
      {"Letter_Number", "Nl"},
      {"Other_Number", "No"},
      {"Punctuation", "P"},
      {"punct", "P"},
      {"Connector_Punctuation", "Pc"},
      {"Dash_Punctuation", "Pd"},
      {"Open_Punctuation", "Ps"},
      {"Close_Punctuation", "Pe"},
      {"Initial_Punctuation", "Pi"},
      {"Final_Punctuation", "Pf"},
      {"Other_Punctuation", "Po"},
      {"Symbol", "S"},
      {"Math_Symbol", "Sm"},
      {"Currency_Symbol", "Sc"},
      {"Modifier_Symbol", "Sk"},
      {"Other_Symbol", "So"},
      {"Separator", "Z"},
      {"Space_Separator", "Zs"},
      {"Line_Separator", "Zl"},
      {"Paragraph_Separator", "Zp"},
      {"Other", "C"},
      {"Control", "Cc"},
      {"cntrl", "Cc"},
      {"Format", "Cf"},
      {"Surrogate", "Cs"},
      {"Private_Use", "Co"},
      {"Unassigned", "Cn"}};
  std::string_view value = name;
  std::string prefix;
  if (const std::size_t eq = name.find('='); eq != std::string_view::npos) {
    const std::string_view key = name.substr(0, eq);
    value = name.substr(eq + 1);
    if (key == "Script_Extensions" || key == "scx") prefix = "scx:";
    if (key == "Script" || key == "sc") prefix = "sc:";
  }
  for (const auto& [long_name, short_name] : kCategories) {
    if (value == long_name) return prefix + std::string(short_name);
  }
  return prefix + std::string(value);
}

// ECMA-262 \s is Unicode white space plus line terminators; PCRE2 without UCP knows only ASCII.
constexpr std::string_view kEcmaSpace =
    "\\t\\n\\x0b\\f\\r \\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}"
    "\\x{3000}\\x{feff}";

// Rewrites the ECMA constructs whose PCRE2 meaning differs, and rejects PCRE-only syntax
// ("\Z", "(?i)", ...) that ECMA-262 does not have. PCRE2 runs without UCP so that \d, \w and \b
// stay ASCII as in ECMA-262.
bool ecma_to_pcre2(std::string_view p, std::string* out, std::string* error) {
  out->clear();
  out->reserve(p.size() + 16);
  bool in_class = false;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '\\') {
      if (i + 1 >= p.size()) {
        *error = "pattern ends with a lone backslash";
        return false;
      }
      const char d = p[++i];
      switch (d) {
        case 's':
          if (in_class) {
            out->append(kEcmaSpace);
          } else {
            out->push_back('[');
            out->append(kEcmaSpace);
            out->push_back(']');
          }
          break;
        case 'S':
          if (in_class) {
            out->append("\\S");
          } else {
            out->append("[^");
            out->append(kEcmaSpace);
            out->push_back(']');
          }
          break;
        case 'v':
          out->append("\\x0b");  // PCRE2 \v is a class of vertical spaces
          break;
        case 'u':
        case 'x': {
          // \xHH, \uHHHH, \u{H...}; a surrogate pair of \u escapes is one code point.
          std::uint32_t cp = 0;
          std::size_t used = 0;
          if (!read_hex_escape(p, i, &cp, &used)) {
            *error = std::string("invalid \\") + d + " escape";
            return false;
          }
          i += used;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            std::uint32_t low = 0;
            std::size_t low_used = 0;
            if (i + 2 < p.size() && p[i + 1] == '\\' && p[i + 2] == 'u' &&
                read_hex_escape(p, i + 2, &low, &low_used) && low >= 0xDC00 && low <= 0xDFFF) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
              i += 2 + low_used;
            }
          }
          if (cp >= 0xD800 && cp <= 0xDFFF) {
            *error = "lone surrogate escape";
            return false;
          }
          char buffer[16];
          std::snprintf(buffer, sizeof buffer, "\\x{%x}", static_cast<unsigned>(cp));
          out->append(buffer);
          break;
        }
        case 'p':
        case 'P': {
          // PCRE2 10.42 knows only short general category names ("L", not "Letter").
          const std::size_t close = p.find('}', i);
          if (i + 1 >= p.size() || p[i + 1] != '{' || close == std::string_view::npos) {
            *error = std::string("invalid \\") + d + " escape";
            return false;
          }
          out->push_back('\\');
          out->push_back(d);
          out->push_back('{');
          out->append(unicode_property(p.substr(i + 2, close - i - 2)));
          out->push_back('}');
          i = close;
          break;
        }
        case 'd':
        case 'D':
        case 'w':
        case 'W':
        case 'b':
        case 'B':
        case 'f':
        case 'n':
        case 'r':
        case 't':
        case 'c':
        case 'k':
          out->push_back('\\');
          out->push_back(d);
          break;
        default:
          if (ascii_alpha(d)) {
            *error = std::string("unsupported escape \\") + d;
            return false;
          }
          out->push_back('\\');
          out->push_back(d);
      }
      continue;
    }
    if (in_class) {
      if (c == ']') {
        in_class = false;
      } else if (c == '[') {
        out->append("\\[");  // "[:" would start a POSIX class in PCRE2
        continue;
      }
      out->push_back(c);
      continue;
    }
    switch (c) {
      case '[':
        if (p.substr(i, 2) == "[]") {
          out->append("(?!)");
          ++i;
        } else if (p.substr(i, 3) == "[^]") {
          out->append("[\\s\\S]");
          i += 2;
        } else {
          in_class = true;
          out->push_back('[');
          if (i + 1 < p.size() && p[i + 1] == '^') {
            out->push_back('^');
            ++i;
          }
          if (i + 1 < p.size() && p[i + 1] == ']') {
            // "[^]" is handled above; PCRE2 would read this ']' as a literal.
            out->append("\\]");
            ++i;
          }
        }
        break;
      case '.':
        out->append("[^\\n\\r\\x{2028}\\x{2029}]");
        break;
      case '(':
        if (i + 1 < p.size() && p[i + 1] == '?') {
          const std::string_view rest = p.substr(i + 2);
          bool ok = rest.starts_with(":") || rest.starts_with("=") || rest.starts_with("!") ||
                    rest.starts_with("<=") || rest.starts_with("<!");
          if (!ok && rest.starts_with("<")) {
            const std::size_t close = rest.find('>');
            ok = close != std::string_view::npos && close > 1;
            for (std::size_t k = 1; ok && k < close; ++k) {
              const char n = rest[k];
              ok = ascii_alpha(n) || n == '_' || n == '$' || (k > 1 && ascii_digit(n));
            }
          }
          if (!ok) {
            *error = "unsupported group syntax \"(?" + std::string(rest.substr(0, 2)) + "\"";
            return false;
          }
        }
        out->push_back('(');
        break;
      default:
        out->push_back(c);
    }
  }
  if (in_class) {
    *error = "missing terminating ] for character class";
    return false;
  }
  return true;
}

// Patterns of the common shape "^[class]+$" (identifiers, slugs, codes) with an ASCII class
// are matched by a table lookup per byte instead of a call into PCRE2.
class AsciiClassPattern {
 public:
  static std::optional<AsciiClassPattern> parse(std::string_view p) {
    if (p.size() < 5 || p.front() != '^' || p.back() != '$' || p[1] != '[' || p[2] == '^') {
      return std::nullopt;
    }
    AsciiClassPattern m;
    std::size_t i = 2;
    int prev = -1;  // last literal, for a range
    while (i < p.size() && p[i] != ']') {
      int c = static_cast<unsigned char>(p[i]);
      if (c >= 0x80) return std::nullopt;
      if (c == '\\') {
        if (i + 1 >= p.size()) return std::nullopt;
        const char e = p[++i];
        if (e == 'd') {
          m.set_range('0', '9');
          prev = -1;
          ++i;
          continue;
        }
        if (e == 'w') {
          m.set_range('a', 'z');
          m.set_range('A', 'Z');
          m.set_range('0', '9');
          m.set('_');
          prev = -1;
          ++i;
          continue;
        }
        if (std::string_view("\\-.]_/[^$+*?(){}|").find(e) == std::string_view::npos) {
          return std::nullopt;
        }
        c = e;
      } else if (c == '-' && prev >= 0 && i + 1 < p.size() && p[i + 1] != ']') {
        const int hi = static_cast<unsigned char>(p[i + 1]);
        if (hi == '\\' || hi >= 0x80 || hi < prev) return std::nullopt;
        m.set_range(prev, hi);
        prev = -1;
        i += 2;
        continue;
      } else if (c == '[') {
        return std::nullopt;
      }
      m.set(c);
      prev = c;
      ++i;
    }
    if (i >= p.size()) return std::nullopt;
    const std::string_view quant = p.substr(i + 1, p.size() - i - 2);
    if (quant == "+") {
      m.min_ = 1;
    } else if (quant == "*") {
      m.min_ = 0;
    } else if (quant.size() >= 3 && quant.front() == '{' && quant.back() == '}') {
      const std::string_view body = quant.substr(1, quant.size() - 2);
      const std::size_t comma = body.find(',');
      auto number = [](std::string_view d, std::size_t* out) {
        if (d.empty() || d.size() > 9) return false;
        std::size_t v = 0;
        for (char ch : d) {
          if (!ascii_digit(ch)) return false;
          v = v * 10 + static_cast<std::size_t>(ch - '0');
        }
        *out = v;
        return true;
      };
      if (!number(body.substr(0, comma), &m.min_)) return std::nullopt;
      if (comma == std::string_view::npos) {
        m.max_ = m.min_;
      } else if (comma + 1 < body.size() && !number(body.substr(comma + 1), &m.max_)) {
        return std::nullopt;
      }
    } else {
      return std::nullopt;
    }
    return m;
  }

  bool matches(std::string_view s) const {
    if (s.size() < min_ || s.size() > max_) return false;
    for (const char ch : s) {
      const auto c = static_cast<unsigned char>(ch);
      if (c >= 0x80 || !((bits_[c >> 6] >> (c & 63)) & 1)) return false;
    }
    return true;
  }

 private:
  void set(int c) { bits_[c >> 6] |= std::uint64_t{1} << (c & 63); }
  void set_range(int lo, int hi) {
    for (int c = lo; c <= hi; ++c) set(c);
  }

  std::uint64_t bits_[2] = {0, 0};
  std::size_t min_ = 0;
  std::size_t max_ = kUnbounded;
};

}  // namespace

// The compiled pattern; Regex holds it shared so that Programs copy cheaply.
struct Regex::Code {
  std::unique_ptr<pcre2_code, CodeDeleter> code;
  bool jit = false;
  std::optional<AsciiClassPattern> ascii_class;
};

std::optional<Regex> Regex::compile(std::string_view ecma, std::string* error) {
  std::string translated;
  if (!ecma_to_pcre2(ecma, &translated, error)) return std::nullopt;
  int code = 0;
  PCRE2_SIZE offset = 0;
  auto compiled = std::make_shared<Code>();
  compiled->code.reset(pcre2_compile(reinterpret_cast<PCRE2_SPTR>(translated.data()),
                                     translated.size(), PCRE2_UTF | PCRE2_DOLLAR_ENDONLY, &code,
                                     &offset, nullptr));
  if (!compiled->code) {
    PCRE2_UCHAR buffer[256];
    pcre2_get_error_message(code, buffer, sizeof buffer);
    *error = reinterpret_cast<const char*>(buffer);
    return std::nullopt;
  }
  // Without JIT (unsupported CPU, no executable memory) the interpreter still works.
  compiled->jit = pcre2_jit_compile(compiled->code.get(), PCRE2_JIT_COMPLETE) == 0;
  compiled->ascii_class = AsciiClassPattern::parse(ecma);
  Regex r;
  r.code_ = std::move(compiled);
  r.source_ = std::string(ecma);
  return r;
}

bool Regex::search(std::string_view subject) const {
  if (code_->ascii_class) return code_->ascii_class->matches(subject);
  // A json built in code may hold invalid UTF-8, which PCRE2 must not see unchecked; checking
  // here lets the JIT entry point skip its own, slower, checks.
  if (!valid_utf8(subject)) return false;
  const auto* data = reinterpret_cast<PCRE2_SPTR>(subject.data() != nullptr ? subject.data() : "");
  const int rc = code_->jit ? pcre2_jit_match(code_->code.get(), data, subject.size(), 0, 0,
                                              thread_match_data(), nullptr)
                            : pcre2_match(code_->code.get(), data, subject.size(), 0,
                                          PCRE2_NO_UTF_CHECK, thread_match_data(), nullptr);
  return rc >= 0;
}

}  // namespace tb::schema_detail
