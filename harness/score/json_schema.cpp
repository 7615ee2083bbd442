// JSON Schema (draft 2020-12 and draft-07) compiler and evaluator.
//
// Compilation happens in three steps:
//   1. scan: every document (the schema, remotes, built-in metaschemas) is walked once along the
//      keywords that hold subschemas, recording for each subschema its base URI and schema
//      resource, and indexing "$id", "$anchor" and "$dynamicAnchor" URIs;
//   2. build: reachable subschemas become Nodes in one vector (a worklist, so no recursion);
//      "$ref" is resolved here into a node index, "$dynamicRef" into a static target plus the
//      anchor name to look up in the dynamic scope;
//   3. the Program is frozen and shared; evaluation reads it only.
// Evaluation walks nodes recursively with the instance. Annotations needed by unevaluated* are
// collected only when an enclosing schema asks for them (the `ann` pointer is null otherwise).
#include "score/json_schema.hpp"
#include "score/json_schema_program.hpp"

#include "common/json_tape.hpp"
#include "common/text.hpp"
#include "common/utf8.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <sstream>
#include <string_view>
#include <unordered_map>

namespace tb {

namespace schema_detail {

// Defined in json_schema_metaschemas.cpp and json_schema_format.cpp.
std::string_view builtin_metaschema(std::string_view uri);
int format_id(std::string_view name);
bool check_format(int id, std::string_view s);

using json = nlohmann::json;


// ---------------------------------------------------------------------------------------------
// Regular expressions: ECMA-262 syntax translated to PCRE2, compiled once with JIT.

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

bool ascii_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool ascii_digit(char c) {
  return c >= '0' && c <= '9';
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

// ---------------------------------------------------------------------------------------------
// URIs (RFC 3986 reference resolution) and JSON Pointers.

struct UriParts {
  std::string_view scheme, authority, path, query, fragment;
  bool has_scheme = false, has_authority = false, has_query = false, has_fragment = false;
};

UriParts parse_uri(std::string_view s) {
  UriParts u;
  if (const std::size_t h = s.find('#'); h != std::string_view::npos) {
    u.fragment = s.substr(h + 1);
    u.has_fragment = true;
    s = s.substr(0, h);
  }
  if (const std::size_t q = s.find('?'); q != std::string_view::npos) {
    u.query = s.substr(q + 1);
    u.has_query = true;
    s = s.substr(0, q);
  }
  if (const std::size_t colon = s.find(':');
      colon != std::string_view::npos && colon > 0 && ascii_alpha(s[0])) {
    const bool scheme_chars =
        std::all_of(s.begin(), s.begin() + static_cast<long>(colon), [](char c) {
          return ascii_alpha(c) || ascii_digit(c) || c == '+' || c == '-' || c == '.';
        });
    if (scheme_chars) {
      u.scheme = s.substr(0, colon);
      u.has_scheme = true;
      s = s.substr(colon + 1);
    }
  }
  if (s.starts_with("//")) {
    s = s.substr(2);
    const std::size_t end = s.find('/');
    u.authority = s.substr(0, end);
    u.has_authority = true;
    s = end == std::string_view::npos ? std::string_view() : s.substr(end);
  }
  u.path = s;
  return u;
}

std::string remove_dot_segments(std::string_view in) {
  std::string out;
  auto pop_segment = [&out] {
    const std::size_t slash = out.rfind('/');
    out.erase(slash == std::string::npos ? 0 : slash);
  };
  std::string buffer;  // backs `in` when a rule rewrites the input
  while (!in.empty()) {
    if (in.starts_with("../")) {
      in.remove_prefix(3);
    } else if (in.starts_with("./")) {
      in.remove_prefix(2);
    } else if (in.starts_with("/./")) {
      in.remove_prefix(2);
    } else if (in == "/.") {
      in = "/";
    } else if (in.starts_with("/../")) {
      in.remove_prefix(3);
      pop_segment();
    } else if (in == "/..") {
      in = "/";
      pop_segment();
    } else if (in == "." || in == "..") {
      in = {};
    } else {
      const std::size_t next = in.find('/', in[0] == '/' ? 1 : 0);
      out.append(in.substr(0, next));
      in = next == std::string_view::npos ? std::string_view() : in.substr(next);
    }
  }
  return out;
}

std::string resolve_uri(std::string_view base, std::string_view ref) {
  const UriParts r = parse_uri(ref);
  const UriParts b = parse_uri(base);
  UriParts t;
  std::string path;
  if (r.has_scheme) {
    t = r;
    path = remove_dot_segments(r.path);
  } else {
    if (r.has_authority) {
      t.authority = r.authority;
      t.has_authority = true;
      path = remove_dot_segments(r.path);
      t.query = r.query;
      t.has_query = r.has_query;
    } else {
      if (r.path.empty()) {
        path = std::string(b.path);
        t.query = r.has_query ? r.query : b.query;
        t.has_query = r.has_query || b.has_query;
      } else {
        if (r.path[0] == '/') {
          path = remove_dot_segments(r.path);
        } else {
          std::string merged;
          if (b.has_authority && b.path.empty()) {
            merged = "/" + std::string(r.path);
          } else {
            const std::size_t slash = b.path.rfind('/');
            if (slash != std::string_view::npos) merged = std::string(b.path.substr(0, slash + 1));
            merged += r.path;
          }
          path = remove_dot_segments(merged);
        }
        t.query = r.query;
        t.has_query = r.has_query;
      }
      t.authority = b.authority;
      t.has_authority = b.has_authority;
    }
    t.scheme = b.scheme;
    t.has_scheme = b.has_scheme;
  }
  std::string out;
  if (t.has_scheme) {
    out.append(t.scheme);
    out.push_back(':');
  }
  if (t.has_authority) {
    out.append("//");
    out.append(t.authority);
  }
  out.append(path);
  if (t.has_query) {
    out.push_back('?');
    out.append(t.query);
  }
  if (r.has_fragment && !r.fragment.empty()) {
    out.push_back('#');
    out.append(r.fragment);
  }
  return out;
}

// Splits "abs#frag" into ("abs", "frag"); an empty fragment is the same as none.
std::pair<std::string, std::string> split_fragment(const std::string& uri) {
  const std::size_t hash = uri.find('#');
  if (hash == std::string::npos) return {uri, ""};
  return {uri.substr(0, hash), uri.substr(hash + 1)};
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string percent_encode_path(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    if (ascii_alpha(c) || ascii_digit(c) ||
        std::string_view("-._~/:").find(c) != std::string_view::npos) {
      out.push_back(c);
    } else {
      const auto u = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}


std::string pointer_unescape(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (std::size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '~' && i + 1 < token.size() && (token[i + 1] == '0' || token[i + 1] == '1')) {
      out.push_back(token[i + 1] == '0' ? '~' : '/');
      ++i;
    } else {
      out.push_back(token[i]);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// JSON equality where 1 == 1.0, without recursion (instances may be arbitrarily deep).

bool numbers_equal(const json& a, const json& b) {
  if (a.is_number_float() || b.is_number_float()) return a.get<double>() == b.get<double>();
  if (a.is_number_unsigned() && b.is_number_unsigned()) {
    return a.get<std::uint64_t>() == b.get<std::uint64_t>();
  }
  if (a.is_number_unsigned() || b.is_number_unsigned()) {
    const json& u = a.is_number_unsigned() ? a : b;
    const json& s = a.is_number_unsigned() ? b : a;
    const std::int64_t sv = s.get<std::int64_t>();
    return sv >= 0 && static_cast<std::uint64_t>(sv) == u.get<std::uint64_t>();
  }
  return a.get<std::int64_t>() == b.get<std::int64_t>();
}

// Equal as scalars, or containers of the same kind and size (contents not yet compared).
bool shallow_equal(const json& a, const json& b) {
  if (a.type() != b.type()) return a.is_number() && b.is_number() && numbers_equal(a, b);
  switch (a.type()) {
    case json::value_t::null:
      return true;
    case json::value_t::boolean:
      return *a.get_ptr<const json::boolean_t*>() == *b.get_ptr<const json::boolean_t*>();
    case json::value_t::string:
      return *a.get_ptr<const json::string_t*>() == *b.get_ptr<const json::string_t*>();
    case json::value_t::number_integer:
      return *a.get_ptr<const json::number_integer_t*>() ==
             *b.get_ptr<const json::number_integer_t*>();
    case json::value_t::number_unsigned:
      return *a.get_ptr<const json::number_unsigned_t*>() ==
             *b.get_ptr<const json::number_unsigned_t*>();
    case json::value_t::number_float:
      return *a.get_ptr<const json::number_float_t*>() == *b.get_ptr<const json::number_float_t*>();
    case json::value_t::array:
    case json::value_t::object:
      return a.size() == b.size();
    default:
      return a == b;
  }
}

bool json_equal(const json& a, const json& b) {
  if (!shallow_equal(a, b)) return false;
  if (!a.is_structured()) return true;
  std::vector<std::pair<const json*, const json*>> pending{{&a, &b}};
  while (!pending.empty()) {
    const auto [x, y] = pending.back();
    pending.pop_back();
    if (x->is_array()) {
      for (std::size_t i = 0; i < x->size(); ++i) {
        const json& xi = (*x)[i];
        const json& yi = (*y)[i];
        if (!shallow_equal(xi, yi)) return false;
        if (xi.is_structured()) pending.emplace_back(&xi, &yi);
      }
    } else {
      const auto& xo = x->get_ref<const json::object_t&>();
      const auto& yo = y->get_ref<const json::object_t&>();
      for (auto xi = xo.begin(), yi = yo.begin(); xi != xo.end(); ++xi, ++yi) {
        if (xi->first != yi->first || !shallow_equal(xi->second, yi->second)) return false;
        if (xi->second.is_structured()) pending.emplace_back(&xi->second, &yi->second);
      }
    }
  }
  return true;
}

// A hash consistent with json_equal that looks one level deep only: enough to spread the items
// of a large uniqueItems array, cheap, and bounded on deep values.
std::size_t shallow_hash(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return 0x9e3779b9u;
    case json::value_t::boolean:
      return v.get<bool>() ? 1 : 2;
    case json::value_t::string:
      return std::hash<std::string_view>()(v.get_ref<const std::string&>());
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return std::hash<double>()(v.get<double>());
    case json::value_t::array:
      return 0x51ed27u ^ (v.size() * 1000003u);
    case json::value_t::object: {
      std::size_t h = 0x3c6ef372u ^ v.size();
      if (!v.empty()) h ^= std::hash<std::string_view>()(v.items().begin().key());
      return h;
    }
    default:
      return 7;
  }
}

// Serializes at most about `budget` characters, and never deeper than a few levels: instances
// may be arbitrarily deep and json::dump() recurses.
void dump_bounded(const json& v, std::size_t depth, std::size_t budget, std::string* out) {
  if (out->size() >= budget) return;
  if (!v.is_structured()) {
    out->append(v.dump(-1, ' ', false, json::error_handler_t::replace));
    return;
  }
  if (depth >= 8 || v.empty()) {
    out->append(v.empty() ? (v.is_array() ? "[]" : "{}") : (v.is_array() ? "[...]" : "{...}"));
    return;
  }
  out->push_back(v.is_array() ? '[' : '{');
  bool first = true;
  for (auto it = v.begin(); it != v.end() && out->size() < budget; ++it) {
    if (!first) out->push_back(',');
    first = false;
    if (v.is_object()) {
      out->append(json(it.key()).dump(-1, ' ', false, json::error_handler_t::replace));
      out->push_back(':');
    }
    dump_bounded(*it, depth + 1, budget, out);
  }
  out->push_back(v.is_array() ? ']' : '}');
}

std::string short_dump(const json& v) {
  std::string s;
  dump_bounded(v, 0, 80, &s);
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return s;
}

std::string short_dump(const std::vector<json>& values) {
  std::string s = "[";
  for (std::size_t i = 0; i < values.size() && s.size() < 80; ++i) {
    if (i > 0) s.push_back(',');
    dump_bounded(values[i], 1, 80, &s);
  }
  s.push_back(']');
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return s;
}

std::string quote(std::string_view s) {
  std::string q = json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace);
  if (q.size() > 82) q = q.substr(0, 78) + "...\"";
  return q;
}


// ---------------------------------------------------------------------------------------------
// Compiler.

enum class Dialect : std::uint8_t { k2020, k7 };

enum Vocab : std::uint16_t {
  kVocabCore = 1,
  kVocabApplicator = 2,
  kVocabUnevaluated = 4,
  kVocabValidation = 8,
  kVocabMetaData = 16,
  kVocabFormatAnnotation = 32,
  kVocabFormatAssertion = 64,
  kVocabContent = 128,
};
constexpr std::uint16_t kDefaultVocab2020 = kVocabCore | kVocabApplicator | kVocabUnevaluated |
                                            kVocabValidation | kVocabMetaData |
                                            kVocabFormatAnnotation | kVocabContent;
constexpr std::uint16_t kVocabDraft7 = kDefaultVocab2020;

struct MetaInfo {
  Dialect dialect;
  std::uint16_t vocab;
};

constexpr std::string_view kDefaultBase = "tunebench:///schema.json";

class Compiler {
 public:
  Compiler(const SchemaOptions& options, Program* program) : opts_(options), prog_(program) {
    prog_->max_depth = options.max_depth;
    // Each instance level costs a few evaluation frames (node, $ref, allOf, ...).
    prog_->eval_depth_limit = options.max_depth * 4 + 32;
  }

  void compile_root(const json& schema, const std::string& base_uri) {
    if (!schema.is_object() && !schema.is_boolean()) {
      throw SchemaError("schema must be a JSON object or boolean, got " +
                        std::string(schema.type_name()));
    }
    const std::string base =
        base_uri.empty() ? std::string(kDefaultBase) : split_fragment(base_uri).first;
    const MetaInfo meta{
        opts_.default_draft == SchemaDraft::draft7 ? Dialect::k7 : Dialect::k2020,
        opts_.default_draft == SchemaDraft::draft7 ? kVocabDraft7 : kDefaultVocab2020};
    // Borrowed, not copied: copying a json recurses, and depth is checked only by the scan.
    const json* root = add_document(&schema, nullptr, base, meta);
    const Loc& loc = locs_.at(root);
    prog_->draft = resources_[loc.resource].meta.dialect == Dialect::k7 ? SchemaDraft::draft7
                                                                        : SchemaDraft::draft2020_12;
    prog_->root = enqueue(root);
    drain();
  }

 private:
  struct Loc {
    std::string base;        // base URI, no fragment
    std::uint32_t resource;  // index into resources_
    std::string pointer;     // JSON Pointer inside its document, for messages
    std::uint32_t doc;       // index into docs_
  };
  struct Resource {
    MetaInfo meta;
    std::vector<std::pair<std::string, const json*>> dynamic_anchors;
    bool used = false;
    bool anchors_compiled = false;
  };
  struct Document {
    std::unique_ptr<json> owned;  // null for the caller's schema, which is only borrowed
    std::string uri;
  };

  [[noreturn]] void fail(const Loc& loc, const std::string& what) const {
    std::string where = loc.pointer.empty() ? "the schema root" : "'" + loc.pointer + "'";
    const std::string& uri = docs_[loc.doc].uri;
    if (loc.doc != 0 || uri != kDefaultBase) where += " of " + uri;
    throw SchemaError("invalid schema at " + where + ": " + what);
  }

  // --- documents and resources ---

  const json* add_document(const json* root, std::unique_ptr<json> owned, const std::string& uri,
                           MetaInfo inherited) {
    const auto doc_index = static_cast<std::uint32_t>(docs_.size());
    docs_.push_back({std::move(owned), uri});
    MetaInfo meta = inherited;
    if (root->is_object()) {
      if (const auto it = root->find("$schema"); it != root->end()) {
        if (!it->is_string()) throw SchemaError("\"$schema\" in " + uri + " must be a string");
        meta = meta_for(it->get<std::string>(), 0);
      }
    }
    const auto res = new_resource(meta);
    index_.emplace(uri, root);
    scan(*root, uri, res, "", doc_index, 0, true);
    return root;
  }

  std::uint32_t new_resource(MetaInfo meta) {
    resources_.push_back({meta, {}, false, false});
    return static_cast<std::uint32_t>(resources_.size() - 1);
  }

  // Reads a document for an absolute URI (no fragment) from the built-in metaschemas, ref_map
  // or a file: URI. Returns null when no source knows it.
  const json* find_or_load(const std::string& uri, MetaInfo inherited) {
    if (const auto it = index_.find(uri); it != index_.end()) return it->second;
    if (const std::string_view text = builtin_metaschema(uri); !text.empty()) {
      auto doc = std::make_unique<json>(json::parse(text));
      const json* root = doc.get();
      return add_document(root, std::move(doc), uri, inherited);
    }
    std::optional<std::filesystem::path> file;
    for (const auto& [prefix, dir] : opts_.ref_map) {
      if (prefix.empty() || !uri.starts_with(prefix)) continue;
      std::string rest = percent_decode(uri.substr(prefix.size()));
      rest.erase(0, rest.find_first_not_of('/'));  // a prefix may or may not end with '/'
      const std::filesystem::path relative(rest);
      // The map grants one directory tree, not the file system.
      const bool escapes = relative.is_absolute() ||
                           std::any_of(relative.begin(), relative.end(),
                                       [](const std::filesystem::path& p) { return p == ".."; });
      if (escapes || rest.find('?') != std::string::npos) continue;
      file = dir / relative;
      break;
    }
    if (!file && uri.starts_with("file://")) {
      const UriParts parts = parse_uri(uri);
      file = std::filesystem::path(percent_decode(parts.path));
    }
    if (!file) return nullptr;
    std::ifstream in(*file, std::ios::binary);
    if (!in) return nullptr;
    std::ostringstream text;
    text << in.rdbuf();
    json doc;
    try {
      doc = json::parse(text.str());
    } catch (const json::parse_error& e) {
      throw SchemaError("cannot parse schema " + uri + " (" + file->string() + "): " + e.what());
    }
    auto owned = std::make_unique<json>(std::move(doc));
    const json* root = owned.get();
    return add_document(root, std::move(owned), uri, inherited);
  }

  MetaInfo meta_for(const std::string& schema_uri, int depth) {
    const std::string uri = split_fragment(schema_uri).first;
    std::string_view bare = uri;
    if (bare.starts_with("https://")) {
      bare.remove_prefix(8);
    } else if (bare.starts_with("http://")) {
      bare.remove_prefix(7);
    }
    if (bare == "json-schema.org/draft/2020-12/schema") return {Dialect::k2020, kDefaultVocab2020};
    if (bare == "json-schema.org/draft-07/schema") return {Dialect::k7, kVocabDraft7};
    if (bare.starts_with("json-schema.org/")) {
      throw SchemaError("unsupported $schema \"" + schema_uri +
                        "\": supported drafts are 2020-12 and draft-07");
    }
    if (const auto it = meta_cache_.find(uri); it != meta_cache_.end()) return it->second;
    if (depth > 8) throw SchemaError("$schema chain too long at \"" + schema_uri + "\"");
    // A custom metaschema: its own $schema gives the dialect, its $vocabulary the keywords.
    const json* meta_doc = find_or_load(uri, {Dialect::k2020, kDefaultVocab2020});
    if (meta_doc == nullptr || !meta_doc->is_object()) {
      throw SchemaError("unknown $schema \"" + schema_uri +
                        "\": not a known draft and no local copy (see ref_map)");
    }
    MetaInfo meta{Dialect::k2020, kDefaultVocab2020};
    if (const auto it = meta_doc->find("$schema"); it != meta_doc->end() && it->is_string()) {
      meta = meta_for(it->get<std::string>(), depth + 1);
    }
    if (const auto it = meta_doc->find("$vocabulary");
        it != meta_doc->end() && meta.dialect == Dialect::k2020) {
      if (!it->is_object()) throw SchemaError("$vocabulary of " + uri + " must be an object");
      static const std::map<std::string_view, Vocab> kKnown = {
          {"https://json-schema.org/draft/2020-12/vocab/core", kVocabCore},
          {"https://json-schema.org/draft/2020-12/vocab/applicator", kVocabApplicator},
          {"https://json-schema.org/draft/2020-12/vocab/unevaluated", kVocabUnevaluated},
          {"https://json-schema.org/draft/2020-12/vocab/validation", kVocabValidation},
          {"https://json-schema.org/draft/2020-12/vocab/meta-data", kVocabMetaData},
          {"https://json-schema.org/draft/2020-12/vocab/format-annotation", kVocabFormatAnnotation},
          {"https://json-schema.org/draft/2020-12/vocab/format-assertion", kVocabFormatAssertion},
          {"https://json-schema.org/draft/2020-12/vocab/content", kVocabContent},
      };
      meta.vocab = kVocabCore;
      for (const auto& [name, required] : it->items()) {
        const auto known = kKnown.find(name);
        if (known != kKnown.end()) {
          meta.vocab |= known->second;
        } else if (required.is_boolean() && required.get<bool>()) {
          throw SchemaError("metaschema " + uri + " requires unsupported vocabulary " + name);
        }
      }
    }
    meta_cache_.emplace(uri, meta);
    return meta;
  }

  // --- scan ---

  void scan(const json& s, const std::string& base_in, std::uint32_t res,
            const std::string& pointer, std::uint32_t doc, std::size_t depth,
            bool is_document_root) {
    if (depth > opts_.max_depth) {
      fail({base_in, res, pointer, doc},
           "schema nested deeper than max_depth (" + std::to_string(opts_.max_depth) + ")");
    }
    if (!s.is_object()) {
      if (s.is_boolean()) locs_.emplace(&s, Loc{base_in, res, pointer, doc});
      return;
    }
    std::string base = base_in;
    const bool parent_d7 = resources_[res].meta.dialect == Dialect::k7;
    // In draft-07 every keyword beside "$ref" is ignored, "$id" included.
    const bool ref_overrides = parent_d7 && s.contains("$ref");
    if (const auto it = s.find("$id"); it != s.end() && !ref_overrides) {
      if (!it->is_string()) fail({base, res, pointer, doc}, "\"$id\" must be a string");
      const std::string& id = it->get_ref<const std::string&>();
      auto [abs, frag] = split_fragment(resolve_uri(base, id));
      if (!frag.empty() && !parent_d7) {
        fail({base, res, pointer, doc}, "\"$id\" must not contain a non-empty fragment");
      }
      if (id.empty() || id[0] != '#') {
        if (!is_document_root) {
          MetaInfo meta = resources_[res].meta;
          if (const auto sch = s.find("$schema"); sch != s.end() && sch->is_string()) {
            meta = meta_for(sch->get<std::string>(), 0);
          }
          res = new_resource(meta);
        }
        base = abs;
        index_.emplace(abs, &s);
      }
      if (!frag.empty()) index_.emplace(base + "#" + percent_decode(frag), &s);  // draft-07 anchor
    }
    locs_.emplace(&s, Loc{base, res, pointer, doc});
    const bool d7 = resources_[res].meta.dialect == Dialect::k7;
    if (!d7) {
      if (const auto it = s.find("$anchor"); it != s.end() && it->is_string()) {
        index_.emplace(base + "#" + it->get<std::string>(), &s);
      }
      if (const auto it = s.find("$dynamicAnchor"); it != s.end() && it->is_string()) {
        index_.emplace(base + "#" + it->get<std::string>(), &s);
        resources_[res].dynamic_anchors.emplace_back(it->get<std::string>(), &s);
      }
    }
    static constexpr std::string_view kMaps2020[] = {
        "$defs",       "definitions", "properties", "patternProperties", "dependentSchemas",
        "dependencies"};
    static constexpr std::string_view kArrays2020[] = {"allOf", "anyOf", "oneOf", "prefixItems"};
    static constexpr std::string_view kSingles2020[] = {"not",
                                                        "if",
                                                        "then",
                                                        "else",
                                                        "contains",
                                                        "items",
                                                        "additionalProperties",
                                                        "propertyNames",
                                                        "unevaluatedItems",
                                                        "unevaluatedProperties",
                                                        "contentSchema"};
    static constexpr std::string_view kMaps7[] = {"definitions", "properties", "patternProperties",
                                                  "dependencies"};
    static constexpr std::string_view kArrays7[] = {"allOf", "anyOf", "oneOf", "items"};
    static constexpr std::string_view kSingles7[] = {"not",
                                                     "if",
                                                     "then",
                                                     "else",
                                                     "contains",
                                                     "items",
                                                     "additionalItems",
                                                     "additionalProperties",
                                                     "propertyNames"};
    const auto& obj = s.get_ref<const json::object_t&>();
    auto visit = [&](std::string_view key, auto&& fn) {
      if (const auto it = obj.find(key); it != obj.end()) fn(it->first, it->second);
    };
    for (std::string_view key : d7 ? std::span<const std::string_view>(kMaps7)
                                   : std::span<const std::string_view>(kMaps2020)) {
      visit(key, [&](const std::string& k, const json& v) {
        if (!v.is_object()) return;
        for (const auto& [name, sub] : v.get_ref<const json::object_t&>()) {
          scan(sub, base, res, pointer + "/" + json_pointer_escape(k) + "/" + json_pointer_escape(name), doc,
               depth + 1, false);
        }
      });
    }
    for (std::string_view key : d7 ? std::span<const std::string_view>(kArrays7)
                                   : std::span<const std::string_view>(kArrays2020)) {
      visit(key, [&](const std::string& k, const json& v) {
        if (!v.is_array()) return;
        for (std::size_t i = 0; i < v.size(); ++i) {
          scan(v[i], base, res, pointer + "/" + k + "/" + std::to_string(i), doc, depth + 1, false);
        }
      });
    }
    for (std::string_view key : d7 ? std::span<const std::string_view>(kSingles7)
                                   : std::span<const std::string_view>(kSingles2020)) {
      visit(key, [&](const std::string& k, const json& v) {
        if (v.is_object() || v.is_boolean()) {
          scan(v, base, res, pointer + "/" + k, doc, depth + 1, false);
        }
      });
    }
  }

  // --- references ---

  // Finds the subschema a reference points to, loading its document if needed.
  const json* resolve_target(const std::string& ref, const Loc& loc, std::string_view keyword) {
    const std::string full = resolve_uri(loc.base, ref);
    const auto [abs, raw_frag] = split_fragment(full);
    const std::string frag = percent_decode(raw_frag);
    const MetaInfo inherited = resources_[loc.resource].meta;
    const json* root = find_or_load(abs, inherited);
    if (root == nullptr) {
      fail(loc, std::string(keyword) + " \"" + ref +
                    "\" points to nowhere: no schema is known as \"" + abs +
                    "\" (remote references resolve only through ref_map)");
    }
    if (!frag.empty() && frag[0] != '/') {
      const auto it = index_.find(abs + "#" + frag);
      if (it == index_.end()) {
        fail(loc, std::string(keyword) + " \"" + ref + "\" points to nowhere: no anchor \"" + frag +
                      "\" in \"" + abs + "\"");
      }
      return it->second;
    }
    // A JSON Pointer, relative to the resource the URI names.
    const json* cur = root;
    const json* known = root;  // the deepest scanned schema on the way, for its base URI
    std::string pointer = locs_.count(root) != 0 ? locs_.at(root).pointer : "";
    std::size_t pos = frag.empty() ? std::string::npos : 1;
    while (pos != std::string::npos) {
      const std::size_t next = frag.find('/', pos);
      const std::string token = pointer_unescape(
          frag.substr(pos, next == std::string::npos ? std::string::npos : next - pos));
      pos = next == std::string::npos ? std::string::npos : next + 1;
      const json* child = nullptr;
      if (cur->is_object()) {
        if (const auto it = cur->find(token); it != cur->end()) child = &*it;
      } else if (cur->is_array()) {
        const bool numeric = !token.empty() &&
                             std::all_of(token.begin(), token.end(), ascii_digit) &&
                             (token.size() == 1 || token[0] != '0');
        if (numeric && token.size() < 10 && std::stoul(token) < cur->size()) {
          child = &(*cur)[std::stoul(token)];
        }
      }
      if (child == nullptr) {
        fail(loc, std::string(keyword) + " \"" + ref + "\" points to nowhere: \"" + abs +
                      "\" has no \"#" + raw_frag + "\"");
      }
      cur = child;
      pointer += "/" + json_pointer_escape(token);
      if (locs_.count(cur) != 0) known = cur;
    }
    if (locs_.count(cur) == 0) {
      // Inside a keyword the scan does not know (an unknown keyword): adopt the nearest scanned
      // ancestor's base and resource.
      const Loc& anc = locs_.at(known);
      scan(*cur, anc.base, anc.resource, pointer, anc.doc, 0, false);
    }
    return cur;
  }

  // --- build ---

  std::int32_t enqueue(const json* s) {
    if (const auto it = compiled_.find(s); it != compiled_.end()) return it->second;
    const auto idx = static_cast<std::int32_t>(prog_->nodes.size());
    prog_->nodes.emplace_back();
    compiled_.emplace(s, idx);
    pending_.emplace_back(s, idx);
    return idx;
  }

  void drain() {
    while (true) {
      while (!pending_.empty()) {
        const auto [s, idx] = pending_.back();
        pending_.pop_back();
        build(idx, *s);
      }
      // Every resource that can enter the dynamic scope needs its $dynamicAnchors compiled.
      bool more = false;
      for (std::size_t r = 0; r < resources_.size(); ++r) {
        if (!resources_[r].used || resources_[r].anchors_compiled) continue;
        resources_[r].anchors_compiled = true;
        for (const auto& [name, target] : resources_[r].dynamic_anchors) {
          const std::int32_t node = enqueue(target);
          if (prog_->resources.size() <= r) prog_->resources.resize(r + 1);
          prog_->resources[r].dynamic_anchors.emplace_back(intern(name), node);
          more = true;
        }
      }
      if (!more && pending_.empty()) break;
    }
    prog_->resources.resize(resources_.size());
  }

  std::int32_t intern(const std::string& name) {
    const auto [it, inserted] = names_.emplace(name, static_cast<std::int32_t>(names_.size()));
    return it->second;
  }

  std::int32_t child(const json& v, const Loc& loc, std::string_view keyword) {
    if (!v.is_object() && !v.is_boolean()) {
      Loc at = loc;
      at.pointer += "/" + std::string(keyword);
      fail(at, std::string("expected a schema (object or boolean), got ") + v.type_name());
    }
    if (locs_.count(&v) == 0) {
      scan(v, loc.base, loc.resource, loc.pointer + "/" + std::string(keyword), loc.doc, 0, false);
    }
    return enqueue(&v);
  }

  std::int32_t regex(const std::string& pattern, const Loc& loc, std::string_view keyword) {
    if (const auto it = regex_index_.find(pattern); it != regex_index_.end()) return it->second;
    std::string error;
    std::optional<Regex> re = Regex::compile(pattern, &error);
    if (!re) {
      fail(loc, "invalid regular expression in \"" + std::string(keyword) + "\": " + error +
                    " (pattern \"" + pattern + "\")");
    }
    prog_->regexes.push_back(std::move(*re));
    const auto idx = static_cast<std::int32_t>(prog_->regexes.size() - 1);
    regex_index_.emplace(pattern, idx);
    return idx;
  }

  std::size_t count_value(const json& v, const Loc& loc, std::string_view keyword) {
    if (v.is_number_unsigned()) return static_cast<std::size_t>(v.get<std::uint64_t>());
    if (v.is_number_integer() && v.get<std::int64_t>() >= 0) {
      return static_cast<std::size_t>(v.get<std::int64_t>());
    }
    if (v.is_number_float()) {
      const double d = v.get<double>();
      if (d >= 0 && std::floor(d) == d) {
        return d >= 1.8e19 ? kUnbounded : static_cast<std::size_t>(d);
      }
    }
    fail(loc,
         "\"" + std::string(keyword) + "\" must be a non-negative integer, got " + short_dump(v));
  }

  double number_value(const json& v, const Loc& loc, std::string_view keyword) {
    if (!v.is_number()) {
      fail(loc, "\"" + std::string(keyword) + "\" must be a number, got " + v.type_name());
    }
    return v.get<double>();
  }

  // Values are copied into the program, and copying a json recurses: bound the depth first.
  void check_value_depth(const json& v, const Loc& loc, std::string_view keyword) {
    std::vector<std::pair<const json*, std::size_t>> pending{{&v, 0}};
    while (!pending.empty()) {
      const auto [cur, depth] = pending.back();
      pending.pop_back();
      if (depth > opts_.max_depth) {
        fail(loc, "\"" + std::string(keyword) + "\" value nested deeper than max_depth (" +
                      std::to_string(opts_.max_depth) + ")");
      }
      for (const json& child : *cur) {
        if (child.is_structured()) pending.emplace_back(&child, depth + 1);
      }
    }
  }

  std::vector<std::string> string_array(const json& v, const Loc& loc, std::string_view keyword) {
    std::vector<std::string> out;
    if (v.is_array()) {
      for (const json& e : v) {
        if (!e.is_string()) break;
        out.push_back(e.get<std::string>());
      }
      if (out.size() == v.size()) return out;
    }
    fail(loc, "\"" + std::string(keyword) + "\" must be an array of strings");
  }

  std::int32_t ref_node(const json& v, const Loc& loc, std::string_view keyword) {
    if (!v.is_string()) fail(loc, "\"" + std::string(keyword) + "\" must be a string");
    return enqueue(resolve_target(v.get<std::string>(), loc, keyword));
  }

  static std::uint8_t type_bit(std::string_view name) {
    if (name == "null") return kTypeNull;
    if (name == "boolean") return kTypeBoolean;
    if (name == "object") return kTypeObject;
    if (name == "array") return kTypeArray;
    if (name == "number") return kTypeNumber | kTypeInteger;
    if (name == "string") return kTypeString;
    if (name == "integer") return kTypeInteger;
    return 0;
  }

  void build(std::int32_t idx, const json& s) {
    const Loc loc = locs_.at(&s);
    resources_[loc.resource].used = true;
    Node n;
    n.resource = loc.resource;
    n.draft7 = resources_[loc.resource].meta.dialect == Dialect::k7;
    if (s.is_boolean()) {
      n.kind = s.get<bool>() ? Node::Kind::kTrue : Node::Kind::kFalse;
      prog_->nodes[static_cast<std::size_t>(idx)] = std::move(n);
      return;
    }
    if (!s.is_object()) {
      fail(loc, std::string("expected a schema (object or boolean), got ") + s.type_name());
    }
    const MetaInfo meta = resources_[loc.resource].meta;
    const bool d7 = meta.dialect == Dialect::k7;
    const auto& obj = s.get_ref<const json::object_t&>();
    auto get = [&obj](std::string_view key) -> const json* {
      const auto it = obj.find(key);
      return it == obj.end() ? nullptr : &it->second;
    };

    if (d7) {
      if (const json* v = get("$ref")) {
        n.ref = ref_node(*v, loc, "$ref");
        n.has_inplace = true;
        prog_->nodes[static_cast<std::size_t>(idx)] = std::move(n);
        return;
      }
      if (const json* v = get("definitions"); v != nullptr && v->is_object()) {
        for (const auto& [name, sub] : v->items()) child(sub, loc, "definitions/" + name);
      }
    } else {
      if (const json* v = get("$ref")) {
        n.ref = ref_node(*v, loc, "$ref");
        n.has_inplace = true;
      }
      if (const json* v = get("$dynamicRef")) {
        if (!v->is_string()) fail(loc, "\"$dynamicRef\" must be a string");
        const std::string& ref = v->get_ref<const std::string&>();
        const json* target = resolve_target(ref, loc, "$dynamicRef");
        n.dynamic_ref = enqueue(target);
        n.has_inplace = true;
        // Dynamic only when the static target itself carries the same $dynamicAnchor.
        const std::string frag = percent_decode(split_fragment(resolve_uri(loc.base, ref)).second);
        if (!frag.empty() && frag[0] != '/' && target->is_object()) {
          const auto anchor = target->find("$dynamicAnchor");
          if (anchor != target->end() && anchor->is_string() &&
              anchor->get<std::string>() == frag) {
            n.dynamic_name = intern(frag);
            prog_->uses_dynamic = true;
          }
        }
      }
      if (const json* v = get("$defs")) {
        if (!v->is_object()) fail(loc, "\"$defs\" must be an object");
        for (const auto& [name, sub] : v->items()) child(sub, loc, "$defs/" + name);
      }
    }

    if (meta.vocab & kVocabApplicator) build_applicators(n, loc, get, d7);
    if (!d7 && (meta.vocab & kVocabUnevaluated)) {
      if (const json* v = get("unevaluatedItems")) {
        n.unevaluated_items = child(*v, loc, "unevaluatedItems");
        n.has_unevaluated = true;
      }
      if (const json* v = get("unevaluatedProperties")) {
        n.unevaluated_properties = child(*v, loc, "unevaluatedProperties");
        n.has_unevaluated = true;
      }
    }
    if (meta.vocab & kVocabValidation) build_validation(n, loc, get, d7);
    if (meta.vocab & (kVocabFormatAnnotation | kVocabFormatAssertion)) {
      if (const json* v = get("format"); v != nullptr && v->is_string()) {
        n.assert_format = opts_.assert_formats || (meta.vocab & kVocabFormatAssertion) != 0;
        const std::string& name = v->get_ref<const std::string&>();
        n.format_is_regex = name == "regex";
        n.format = format_id(name);
        if (n.assert_format && !n.format_is_regex && n.format == 0) n.assert_format = false;
        if (prog_->format_names.empty()) prog_->format_names.resize(32);
        if (n.format > 0 && static_cast<std::size_t>(n.format) < prog_->format_names.size()) {
          prog_->format_names[static_cast<std::size_t>(n.format)] = name;
        }
      }
    }
    merge_members(n);
    prog_->nodes[static_cast<std::size_t>(idx)] = std::move(n);
  }

  static void merge_members(Node& n) {
    std::map<std::string, Member> merged;  // std::less<std::string>: the order of json keys
    for (const NamedChild& p : n.properties) merged[p.name].node = p.node;
    for (const std::string& r : n.required) merged[r].required = true;
    for (auto& [name, m] : merged) {
      m.name = name;
      n.required_count += m.required ? 1 : 0;
      n.members.push_back(std::move(m));
    }
    n.properties = {};
  }

  template <typename Get>
  void build_applicators(Node& n, const Loc& loc, const Get& get, bool d7) {
    auto schema_list = [&](std::string_view kw, std::vector<std::int32_t>* out) {
      const json* v = get(kw);
      if (v == nullptr) return;
      if (!v->is_array() || v->empty())
        fail(loc, "\"" + std::string(kw) + "\" must be a non-empty array");
      for (std::size_t i = 0; i < v->size(); ++i) {
        out->push_back(child((*v)[i], loc, std::string(kw) + "/" + std::to_string(i)));
      }
      n.has_inplace = true;
    };
    schema_list("allOf", &n.all_of);
    schema_list("anyOf", &n.any_of);
    schema_list("oneOf", &n.one_of);
    if (const json* v = get("not")) {
      n.not_ = child(*v, loc, "not");
      n.has_inplace = true;
    }
    if (const json* v = get("if")) {
      n.if_ = child(*v, loc, "if");
      if (const json* t = get("then")) n.then_ = child(*t, loc, "then");
      if (const json* e = get("else")) n.else_ = child(*e, loc, "else");
      n.has_inplace = true;
    }
    auto schema_map = [&](const json& v, std::string_view kw, std::vector<NamedChild>* out) {
      if (!v.is_object()) fail(loc, "\"" + std::string(kw) + "\" must be an object");
      for (const auto& [name, sub] : v.items()) {
        out->push_back({name, child(sub, loc, std::string(kw) + "/" + json_pointer_escape(name))});
      }
    };
    // "dependencies" is draft-07; 2020-12 split it in two but schemas in the wild still use it.
    if (const json* v = get("dependencies")) {
      if (!v->is_object()) fail(loc, "\"dependencies\" must be an object");
      for (const auto& [name, dep] : v->items()) {
        if (dep.is_array()) {
          n.dependent_required.push_back({name, string_array(dep, loc, "dependencies")});
        } else {
          n.dependent_schemas.push_back(
              {name, child(dep, loc, "dependencies/" + json_pointer_escape(name))});
          n.has_inplace = true;
        }
      }
    }
    if (d7) {
      if (const json* v = get("items")) {
        if (v->is_array()) {
          for (std::size_t i = 0; i < v->size(); ++i) {
            n.prefix_items.push_back(child((*v)[i], loc, "items/" + std::to_string(i)));
          }
          if (const json* a = get("additionalItems")) n.items = child(*a, loc, "additionalItems");
        } else {
          n.items = child(*v, loc, "items");
        }
      }
    } else {
      if (const json* v = get("dependentSchemas")) {
        schema_map(*v, "dependentSchemas", &n.dependent_schemas);
        n.has_inplace = !n.dependent_schemas.empty() || n.has_inplace;
      }
      if (const json* v = get("prefixItems")) {
        if (!v->is_array() || v->empty()) fail(loc, "\"prefixItems\" must be a non-empty array");
        for (std::size_t i = 0; i < v->size(); ++i) {
          n.prefix_items.push_back(child((*v)[i], loc, "prefixItems/" + std::to_string(i)));
        }
      }
      if (const json* v = get("items")) n.items = child(*v, loc, "items");
    }
    if (const json* v = get("contains")) n.contains = child(*v, loc, "contains");
    if (const json* v = get("properties")) schema_map(*v, "properties", &n.properties);
    if (const json* v = get("patternProperties")) {
      if (!v->is_object()) fail(loc, "\"patternProperties\" must be an object");
      for (const auto& [pattern, sub] : v->items()) {
        n.pattern_properties.emplace_back(
            regex(pattern, loc, "patternProperties"),
            child(sub, loc, "patternProperties/" + json_pointer_escape(pattern)));
      }
    }
    if (const json* v = get("additionalProperties")) {
      n.additional_properties = child(*v, loc, "additionalProperties");
    }
    if (const json* v = get("propertyNames")) n.property_names = child(*v, loc, "propertyNames");
  }

  template <typename Get>
  void build_validation(Node& n, const Loc& loc, const Get& get, bool d7) {
    if (const json* v = get("type")) {
      std::uint8_t bits = 0;
      auto add = [&](const json& t) {
        const std::uint8_t bit = t.is_string() ? type_bit(t.get_ref<const std::string&>()) : 0;
        if (bit == 0) fail(loc, "\"type\" has an unknown type " + short_dump(t));
        bits |= bit;
      };
      if (v->is_array()) {
        for (const json& t : *v) add(t);
      } else {
        add(*v);
      }
      n.types = bits;
    }
    if (const json* v = get("enum")) {
      if (!v->is_array()) fail(loc, "\"enum\" must be an array");
      check_value_depth(*v, loc, "enum");
      n.enum_values.assign(v->begin(), v->end());
      for (const json& e : *v) {
        if (e.is_string()) n.enum_strings.push_back(e.get<std::string>());
      }
      n.has_enum = true;
    }
    if (const json* v = get("const")) {
      check_value_depth(*v, loc, "const");
      n.const_value = *v;
      n.has_const = true;
    }
    auto number_kw = [&](std::string_view kw, NumFlag flag, double* out) {
      if (const json* v = get(kw)) {
        *out = number_value(*v, loc, kw);
        n.num_flags |= flag;
      }
    };
    number_kw("minimum", kMinimum, &n.minimum);
    number_kw("maximum", kMaximum, &n.maximum);
    number_kw("exclusiveMinimum", kExclusiveMinimum, &n.exclusive_minimum);
    number_kw("exclusiveMaximum", kExclusiveMaximum, &n.exclusive_maximum);
    number_kw("multipleOf", kMultipleOf, &n.multiple_of);
    if (n.num_flags & kMultipleOf) {
      const json& v = *get("multipleOf");
      if (n.multiple_of <= 0) fail(loc, "\"multipleOf\" must be greater than 0");
      if (v.is_number_unsigned()) n.multiple_of_int = v.get<std::uint64_t>();
      if (v.is_number_integer() && v.get<std::int64_t>() > 0) {
        n.multiple_of_int = static_cast<std::uint64_t>(v.get<std::int64_t>());
      }
    }
    if (const json* v = get("minLength")) n.min_length = count_value(*v, loc, "minLength");
    if (const json* v = get("maxLength")) n.max_length = count_value(*v, loc, "maxLength");
    if (const json* v = get("pattern")) {
      if (!v->is_string()) fail(loc, "\"pattern\" must be a string");
      n.pattern = regex(v->get<std::string>(), loc, "pattern");
    }
    if (const json* v = get("minItems")) n.min_items = count_value(*v, loc, "minItems");
    if (const json* v = get("maxItems")) n.max_items = count_value(*v, loc, "maxItems");
    if (const json* v = get("uniqueItems")) {
      if (!v->is_boolean()) fail(loc, "\"uniqueItems\" must be a boolean");
      n.unique_items = v->get<bool>();
    }
    if (!d7) {
      if (const json* v = get("minContains")) n.min_contains = count_value(*v, loc, "minContains");
      if (const json* v = get("maxContains")) n.max_contains = count_value(*v, loc, "maxContains");
    }
    if (const json* v = get("minProperties")) {
      n.min_properties = count_value(*v, loc, "minProperties");
    }
    if (const json* v = get("maxProperties")) {
      n.max_properties = count_value(*v, loc, "maxProperties");
    }
    if (const json* v = get("required")) n.required = string_array(*v, loc, "required");
    if (!d7) {
      if (const json* v = get("dependentRequired")) {
        if (!v->is_object()) fail(loc, "\"dependentRequired\" must be an object");
        for (const auto& [name, list] : v->items()) {
          n.dependent_required.push_back({name, string_array(list, loc, "dependentRequired")});
        }
      }
    }
  }

  const SchemaOptions& opts_;
  Program* prog_;
  std::vector<Document> docs_;
  std::vector<Resource> resources_;
  std::unordered_map<const json*, Loc> locs_;
  std::unordered_map<std::string, const json*> index_;  // absolute URI (+ "#anchor") -> schema
  std::unordered_map<const json*, std::int32_t> compiled_;
  std::vector<std::pair<const json*, std::int32_t>> pending_;
  std::unordered_map<std::string, std::int32_t> names_;
  std::unordered_map<std::string, std::int32_t> regex_index_;
  std::map<std::string, MetaInfo> meta_cache_;
};

// ---------------------------------------------------------------------------------------------
// Evaluator.

// Locations are linked lists on the C++ stack, turned into strings only for a violation.
struct PathSeg {
  const PathSeg* parent;
  std::string_view name;
  std::size_t index;
  bool is_index;
};

std::string render(const PathSeg* p) {
  std::vector<const PathSeg*> segs;
  for (; p != nullptr; p = p->parent) segs.push_back(p);
  std::string out;
  for (auto it = segs.rbegin(); it != segs.rend(); ++it) {
    out.push_back('/');
    if ((*it)->is_index) {
      out.append(std::to_string((*it)->index));
    } else {
      out.append(json_pointer_escape((*it)->name));
    }
  }
  return out;
}

// The dynamic scope: schema resources entered on the way to the current node, innermost first.
struct Scope {
  std::uint32_t resource;
  const Scope* parent;
};

struct Ctx {
  const Scope* scope;
  const PathSeg* ipath;  // instance location
  const PathSeg* spath;  // evaluation path of the current schema
  std::size_t depth;     // evaluation frames
  std::size_t idepth;    // instance nesting
};

// Which instance members (by position) or items have been evaluated, for unevaluated*.
class Evaluated {
 public:
  void mark(std::size_t i) {
    if (i < 128) {
      small_[i >> 6] |= std::uint64_t{1} << (i & 63);
      return;
    }
    const std::size_t word = (i - 128) >> 6;
    if (word >= big_.size()) big_.resize(word + 1);
    big_[word] |= std::uint64_t{1} << ((i - 128) & 63);
  }
  void mark_all() { all_ = true; }
  bool test(std::size_t i) const {
    if (all_) return true;
    if (i < 128) return (small_[i >> 6] >> (i & 63)) & 1;
    const std::size_t word = (i - 128) >> 6;
    return word < big_.size() && ((big_[word] >> ((i - 128) & 63)) & 1);
  }
  void merge(const Evaluated& o) {
    all_ = all_ || o.all_;
    small_[0] |= o.small_[0];
    small_[1] |= o.small_[1];
    if (big_.size() < o.big_.size()) big_.resize(o.big_.size());
    for (std::size_t w = 0; w < o.big_.size(); ++w) big_[w] |= o.big_[w];
  }

 private:
  bool all_ = false;
  std::uint64_t small_[2] = {0, 0};
  std::vector<std::uint64_t> big_;  // allocates only past 128 members
};

std::string_view instance_type(const json& x) {
  switch (x.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "boolean";
    case json::value_t::object:
      return "object";
    case json::value_t::array:
      return "array";
    case json::value_t::string:
      return "string";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "integer";
    case json::value_t::number_float:
      return "number";
    default:
      return "value";
  }
}

std::string format_number(double d) {
  if (std::floor(d) == d && std::fabs(d) < 1e15) return std::to_string(static_cast<long long>(d));
  return json(d).dump();
}

double to_double(const json& x) {
  switch (x.type()) {
    case json::value_t::number_integer:
      return static_cast<double>(*x.get_ptr<const json::number_integer_t*>());
    case json::value_t::number_unsigned:
      return static_cast<double>(*x.get_ptr<const json::number_unsigned_t*>());
    default:
      return *x.get_ptr<const json::number_float_t*>();
  }
}

class Evaluator {
 public:
  Evaluator(const Program& program, std::vector<SchemaViolation>* out) : p_(program), out_(out) {}

  bool run(const json& instance) {
    const Ctx c{nullptr, nullptr, nullptr, 0, 0};
    return eval(p_.root, instance, c, nullptr);
  }

 private:
  // Evaluates quietly (no violations, first failure ends it) for applicators whose subschema
  // failures are not failures of the instance: anyOf, oneOf, not, if, contains.
  class Quiet {
   public:
    explicit Quiet(Evaluator* e) : e_(e), saved_(e->out_) { e->out_ = nullptr; }
    ~Quiet() { e_->out_ = saved_; }
    Quiet(const Quiet&) = delete;
    Quiet& operator=(const Quiet&) = delete;

   private:
    Evaluator* e_;
    std::vector<SchemaViolation>* saved_;
  };

  bool collecting() const { return out_ != nullptr; }

  // A violation of `keyword` whose location is spath itself (a false subschema, a depth limit).
  // Out of line and cold: message building must not grow the frames of the recursive path.
  template <typename MessageFn>
  [[gnu::noinline, gnu::cold]] void report_at(const PathSeg* ipath, const PathSeg* spath,
                                              std::string_view keyword, MessageFn&& message) {
    if (out_ == nullptr) return;
    out_->push_back({render(ipath), render(spath), std::string(keyword), message()});
  }

  // A violation of `keyword` in the schema at spath.
  template <typename MessageFn>
  [[gnu::noinline, gnu::cold]] void report(const PathSeg* ipath, const PathSeg* spath,
                                           std::string_view keyword, MessageFn&& message) {
    if (out_ == nullptr) return;
    const PathSeg kw{spath, keyword, 0, false};
    report_at(ipath, &kw, keyword, message);
  }

  static PathSeg key_seg(const PathSeg* parent, std::string_view name) {
    return PathSeg{parent, name, 0, false};
  }
  static PathSeg index_seg(const PathSeg* parent, std::size_t i) {
    return PathSeg{parent, {}, i, true};
  }

  // Applies a subschema to a member/item with a message naming the keyword when it is `false`.
  template <typename MessageFn>
  bool apply(std::int32_t node, const json& x, const Ctx& c, const PathSeg* ipath,
             const PathSeg* spath, std::string_view keyword, MessageFn&& false_message) {
    const Node& n = p_.nodes[static_cast<std::size_t>(node)];
    if (n.kind == Node::Kind::kFalse) {
      report_at(ipath, spath, keyword, false_message);
      return false;
    }
    const Ctx sub{c.scope, ipath, spath, c.depth, c.idepth + 1};
    return eval(node, x, sub, nullptr);
  }

  bool eval(std::int32_t idx, const json& x, const Ctx& c_in, Evaluated* ann) {
    const Node& n = p_.nodes[static_cast<std::size_t>(idx)];
    if (n.kind == Node::Kind::kTrue) return true;
    if (n.kind == Node::Kind::kFalse) {
      report_at(c_in.ipath, c_in.spath, "false",
                [] { return std::string("no value is allowed here (the schema is false)"); });
      return false;
    }
    if (c_in.idepth > p_.max_depth || c_in.depth > p_.eval_depth_limit) {
      report_at(c_in.ipath, c_in.spath, "maxDepth", [&] {
        return c_in.idepth > p_.max_depth
                   ? "instance is nested deeper than max_depth (" + std::to_string(p_.max_depth) +
                         ")"
                   : "schema recursion deeper than " + std::to_string(p_.eval_depth_limit) +
                         " levels (a reference cycle?)";
      });
      return false;
    }
    Ctx c = c_in;
    ++c.depth;
    Scope scope{n.resource, c.scope};
    if (p_.uses_dynamic && (c.scope == nullptr || c.scope->resource != n.resource)) {
      c.scope = &scope;
    }
    if (n.has_unevaluated) {
      // unevaluated* see only what this schema and its in-place subschemas evaluated.
      Evaluated local;
      bool ok = keywords(n, x, c, &local);
      if ((ok || collecting()) && !unevaluated(n, x, c, &local)) ok = false;
      if (ann != nullptr) ann->merge(local);
      return ok;
    }
    return keywords(n, x, c, ann);
  }

  // Every keyword of n but the unevaluated ones.
  bool keywords(const Node& n, const json& x, const Ctx& c, Evaluated* a) {
    bool ok = true;
    if (n.types != kAllTypes && !type_ok(n.types, x)) {
      report(c.ipath, c.spath, "type", [&] { return type_message(n.types, x); });
      if (!collecting()) return false;
      ok = false;
    }
    if (n.has_inplace && !inplace(n, x, c, a)) {
      if (!collecting()) return false;
      ok = false;
    }
    if (n.has_const && !json_equal(n.const_value, x)) {
      report(c.ipath, c.spath, "const",
             [&] { return "expected " + short_dump(n.const_value) + ", got " + short_dump(x); });
      if (!collecting()) return false;
      ok = false;
    }
    if (n.has_enum && !in_enum(n, x)) {
      report(c.ipath, c.spath, "enum", [&] {
        return "expected one of " + short_dump(n.enum_values) + ", got " + short_dump(x);
      });
      if (!collecting()) return false;
      ok = false;
    }
    bool kw_ok = true;
    switch (x.type()) {
      case json::value_t::number_integer:
      case json::value_t::number_unsigned:
      case json::value_t::number_float:
        if (n.num_flags != 0) kw_ok = check_number(n, x, c);
        break;
      case json::value_t::string:
        kw_ok = check_string(n, *x.get_ptr<const json::string_t*>(), c);
        break;
      case json::value_t::array:
        kw_ok = check_array(n, x, c, a);
        break;
      case json::value_t::object:
        kw_ok = check_object(n, x, c, a);
        break;
      default:
        break;
    }
    return ok && kw_ok;
  }

  static bool in_enum(const Node& n, const json& x) {
    if (const auto* s = x.get_ptr<const json::string_t*>()) {
      return std::find(n.enum_strings.begin(), n.enum_strings.end(), *s) != n.enum_strings.end();
    }
    return std::any_of(n.enum_values.begin(), n.enum_values.end(),
                       [&](const json& e) { return json_equal(e, x); });
  }

  static bool type_ok(std::uint8_t types, const json& x) {
    switch (x.type()) {
      case json::value_t::null:
        return types & kTypeNull;
      case json::value_t::boolean:
        return types & kTypeBoolean;
      case json::value_t::object:
        return types & kTypeObject;
      case json::value_t::array:
        return types & kTypeArray;
      case json::value_t::string:
        return types & kTypeString;
      case json::value_t::number_integer:
      case json::value_t::number_unsigned:
        return types & (kTypeNumber | kTypeInteger);
      case json::value_t::number_float: {
        if (types & kTypeNumber) return true;
        const double d = *x.get_ptr<const json::number_float_t*>();
        return (types & kTypeInteger) && std::isfinite(d) && std::floor(d) == d;
      }
      default:
        return false;
    }
  }

  static std::string type_message(std::uint8_t types, const json& x) {
    static constexpr std::pair<std::uint8_t, std::string_view> kNames[] = {
        {kTypeObject, "object"}, {kTypeArray, "array"},     {kTypeString, "string"},
        {kTypeNumber, "number"}, {kTypeInteger, "integer"}, {kTypeBoolean, "boolean"},
        {kTypeNull, "null"}};
    std::vector<std::string_view> names;
    for (const auto& [bit, name] : kNames) {
      if (bit == kTypeInteger && (types & kTypeNumber)) continue;
      if (types & bit) names.push_back(name);
    }
    std::string out = "expected ";
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
      out += names[i];
    }
    return out + ", got " + std::string(instance_type(x));
  }

  bool inplace(const Node& n, const json& x, const Ctx& c, Evaluated* a) {
    bool ok = true;
    if (n.ref != kNone) {
      const PathSeg seg = key_seg(c.spath, "$ref");
      if (!eval(n.ref, x, {c.scope, c.ipath, &seg, c.depth, c.idepth}, a)) {
        if (!collecting()) return false;
        ok = false;
      }
    }
    if (n.dynamic_ref != kNone) {
      std::int32_t target = n.dynamic_ref;
      if (n.dynamic_name != kNone) {
        // The outermost resource in the dynamic scope that defines the anchor wins.
        for (const Scope* s = c.scope; s != nullptr; s = s->parent) {
          for (const auto& [name, node] : p_.resources[s->resource].dynamic_anchors) {
            if (name == n.dynamic_name) target = node;
          }
        }
      }
      const PathSeg seg = key_seg(c.spath, "$dynamicRef");
      if (!eval(target, x, {c.scope, c.ipath, &seg, c.depth, c.idepth}, a)) {
        if (!collecting()) return false;
        ok = false;
      }
    }
    if (!n.all_of.empty()) {
      const PathSeg kw = key_seg(c.spath, "allOf");
      for (std::size_t i = 0; i < n.all_of.size(); ++i) {
        const PathSeg seg = index_seg(&kw, i);
        if (!eval(n.all_of[i], x, {c.scope, c.ipath, &seg, c.depth, c.idepth}, a)) {
          if (!collecting()) return false;
          ok = false;
        }
      }
    }
    if (!n.any_of.empty() && !check_any_of(n, x, c, a)) {
      if (!collecting()) return false;
      ok = false;
    }
    if (!n.one_of.empty() && !check_one_of(n, x, c, a)) {
      if (!collecting()) return false;
      ok = false;
    }
    if (n.not_ != kNone && !check_not(n, x, c)) {
      if (!collecting()) return false;
      ok = false;
    }
    if (n.if_ != kNone && !check_if(n, x, c, a)) {
      if (!collecting()) return false;
      ok = false;
    }
    if (!n.dependent_schemas.empty() && x.is_object()) {
      const PathSeg kw = key_seg(c.spath, n.draft7 ? "dependencies" : "dependentSchemas");
      for (const NamedChild& dep : n.dependent_schemas) {
        if (!x.contains(dep.name)) continue;
        const PathSeg seg = key_seg(&kw, dep.name);
        if (!eval(dep.node, x, {c.scope, c.ipath, &seg, c.depth, c.idepth}, a)) {
          if (!collecting()) return false;
          ok = false;
        }
      }
    }
    return ok;
  }

  // Applicators whose branches need temporaries live out of line, so that the frames of the
  // common path (and of deep recursion through it) stay small.
  [[gnu::noinline]] bool check_any_of(const Node& n, const json& x, const Ctx& c, Evaluated* a) {
    bool ok = true;
    const PathSeg kw = key_seg(c.spath, "anyOf");
    bool any = false;
    {
      Quiet quiet(this);
      for (std::size_t i = 0; i < n.any_of.size(); ++i) {
        const PathSeg seg = index_seg(&kw, i);
        if (a == nullptr) {
          if (eval(n.any_of[i], x, {c.scope, c.ipath, &seg, c.depth, c.idepth}, nullptr)) {
            any = true;
            break;
          }
        } else {
          // Annotations of every passing branch count, so no short cut.
          Evaluated branch;
          if (eval(n.any_of[i], x, {c.scope, c.ipath, &seg, c.depth, c.idepth}, &branch)) {
            any = true;
            a->merge(branch);
          }
        }
      }
    }
    if (!any) {
      report(c.ipath, c.spath, "anyOf", [&] {
        return "does not match any of the " + std::to_string(n.any_of.size()) +
               " alternatives in anyOf";
      });
      if (!collecting()) return false;
      ok = false;
    }
    return ok;
  }

  [[gnu::noinline]] bool check_one_of(const Node& n, const json& x, const Ctx& c, Evaluated* a) {
    bool ok = true;
    const PathSeg kw = key_seg(c.spath, "oneOf");
    std::size_t matches = 0, first = 0, second = 0;
    Evaluated chosen;
    {
      Quiet quiet(this);
      for (std::size_t i = 0; i < n.one_of.size(); ++i) {
        const PathSeg seg = index_seg(&kw, i);
        Evaluated branch;
        if (eval(n.one_of[i], x, {c.scope, c.ipath, &seg, c.depth, c.idepth},
                 a != nullptr ? &branch : nullptr)) {
          if (++matches == 1) {
            first = i;
            if (a != nullptr) chosen = std::move(branch);
          } else {
            second = i;
            break;
          }
        }
      }
    }
    if (matches != 1) {
      report(c.ipath, c.spath, "oneOf", [&] {
        return matches == 0
                   ? "does not match any of the " + std::to_string(n.one_of.size()) +
                         " alternatives in oneOf"
                   : "matches more than one alternative in oneOf (" + std::to_string(first) +
                         " and " + std::to_string(second) + "), expected exactly one";
      });
      if (!collecting()) return false;
      ok = false;
    } else if (a != nullptr) {
      a->merge(chosen);
    }
    return ok;
  }

  [[gnu::noinline]] bool check_not(const Node& n, const json& x, const Ctx& c) {
    bool ok = true;
    const PathSeg seg = key_seg(c.spath, "not");
    bool matched = false;
    {
      Quiet quiet(this);
      matched = eval(n.not_, x, {c.scope, c.ipath, &seg, c.depth, c.idepth}, nullptr);
    }
    if (matched) {
      report(c.ipath, c.spath, "not",
             [] { return std::string("must not match the schema in \"not\""); });
      if (!collecting()) return false;
      ok = false;
    }
    return ok;
  }

  [[gnu::noinline]] bool check_if(const Node& n, const json& x, const Ctx& c, Evaluated* a) {
    bool ok = true;
    const PathSeg if_seg = key_seg(c.spath, "if");
    Evaluated cond_ann;
    bool cond = false;
    {
      Quiet quiet(this);
      cond = eval(n.if_, x, {c.scope, c.ipath, &if_seg, c.depth, c.idepth},
                  a != nullptr ? &cond_ann : nullptr);
    }
    if (cond && a != nullptr) a->merge(cond_ann);
    const std::int32_t branch = cond ? n.then_ : n.else_;
    if (branch != kNone) {
      const PathSeg seg = key_seg(c.spath, cond ? "then" : "else");
      if (!eval(branch, x, {c.scope, c.ipath, &seg, c.depth, c.idepth}, a)) {
        if (!collecting()) return false;
        ok = false;
      }
    }
    return ok;
  }

  bool check_number(const Node& n, const json& x, const Ctx& c) {
    const double d = to_double(x);
    bool ok = true;
    auto check = [&](bool pass, std::string_view kw, auto&& message) {
      if (pass) return true;
      report(c.ipath, c.spath, kw, message);
      ok = false;
      return collecting();
    };
    if ((n.num_flags & kMinimum) && !check(d >= n.minimum, "minimum", [&] {
          return "must be >= " + format_number(n.minimum) + ", got " + short_dump(x);
        })) {
      return false;
    }
    if ((n.num_flags & kMaximum) && !check(d <= n.maximum, "maximum", [&] {
          return "must be <= " + format_number(n.maximum) + ", got " + short_dump(x);
        })) {
      return false;
    }
    if ((n.num_flags & kExclusiveMinimum) &&
        !check(d > n.exclusive_minimum, "exclusiveMinimum", [&] {
          return "must be > " + format_number(n.exclusive_minimum) + ", got " + short_dump(x);
        })) {
      return false;
    }
    if ((n.num_flags & kExclusiveMaximum) &&
        !check(d < n.exclusive_maximum, "exclusiveMaximum", [&] {
          return "must be < " + format_number(n.exclusive_maximum) + ", got " + short_dump(x);
        })) {
      return false;
    }
    if ((n.num_flags & kMultipleOf) && !check(multiple_ok(n, x, d), "multipleOf", [&] {
          return "must be a multiple of " + format_number(n.multiple_of) + ", got " + short_dump(x);
        })) {
      return false;
    }
    return ok;
  }

  static bool multiple_ok(const Node& n, const json& x, double d) {
    if (n.multiple_of_int > 0 && !x.is_number_float()) {
      std::uint64_t v = 0;
      if (x.is_number_unsigned()) {
        v = *x.get_ptr<const json::number_unsigned_t*>();
      } else {
        const std::int64_t s = *x.get_ptr<const json::number_integer_t*>();
        v = s < 0 ? 0 - static_cast<std::uint64_t>(s) : static_cast<std::uint64_t>(s);
      }
      return v % n.multiple_of_int == 0;
    }
    const double q = d / n.multiple_of;
    if (!std::isfinite(q)) return std::isfinite(d) && std::fmod(d, n.multiple_of) == 0;
    const double r = std::nearbyint(q);
    // Decimal multiples (0.01) are not exact in binary; accept a tiny relative error.
    return std::fabs(q - r) <= 1e-9 * std::max(1.0, std::fabs(r));
  }

  bool check_string(const Node& n, const std::string& s, const Ctx& c) {
    bool ok = true;
    // A code point is 1 to 4 bytes: the byte length often settles both bounds without counting.
    const bool need_count = (n.min_length > 0 && s.size() / 4 < n.min_length) ||
                            (n.max_length != kUnbounded && s.size() > n.max_length);
    if (need_count) {
      const std::size_t len = utf8_length(s);
      if (len < n.min_length) {
        report(c.ipath, c.spath, "minLength", [&] {
          return "must be at least " + std::to_string(n.min_length) + " characters long, got " +
                 std::to_string(len);
        });
        if (!collecting()) return false;
        ok = false;
      }
      if (len > n.max_length) {
        report(c.ipath, c.spath, "maxLength", [&] {
          return "must be at most " + std::to_string(n.max_length) + " characters long, got " +
                 std::to_string(len);
        });
        if (!collecting()) return false;
        ok = false;
      }
    }
    if (n.pattern != kNone && !p_.regexes[static_cast<std::size_t>(n.pattern)].search(s)) {
      report(c.ipath, c.spath, "pattern", [&] {
        return "does not match pattern " +
               quote(p_.regexes[static_cast<std::size_t>(n.pattern)].source());
      });
      if (!collecting()) return false;
      ok = false;
    }
    if (n.assert_format) {
      bool valid = true;
      if (n.format_is_regex) {
        std::string error;
        valid = Regex::compile(s, &error).has_value();
      } else {
        valid = check_format(n.format, s);
      }
      if (!valid) {
        report(c.ipath, c.spath, "format", [&] {
          const std::string name =
              n.format_is_regex ? "regex" : p_.format_names[static_cast<std::size_t>(n.format)];
          return quote(s) + " is not a valid " + name;
        });
        if (!collecting()) return false;
        ok = false;
      }
    }
    return ok;
  }

  bool check_array(const Node& n, const json& x, const Ctx& c, Evaluated* a) {
    bool ok = true;
    const std::size_t size = x.size();
    auto fail_here = [&](std::string_view kw, auto&& message) {
      report(c.ipath, c.spath, kw, message);
      ok = false;
      return collecting();
    };
    if (size < n.min_items && !fail_here("minItems", [&] {
          return "must have at least " + std::to_string(n.min_items) + " items, got " +
                 std::to_string(size);
        })) {
      return false;
    }
    if (size > n.max_items && !fail_here("maxItems", [&] {
          return "must have at most " + std::to_string(n.max_items) + " items, got " +
                 std::to_string(size);
        })) {
      return false;
    }
    if (n.unique_items && size > 1) {
      std::size_t dup_a = 0, dup_b = 0;
      if (!unique(x, &dup_a, &dup_b) && !fail_here("uniqueItems", [&] {
            return "items at index " + std::to_string(dup_a) + " and " + std::to_string(dup_b) +
                   " are equal";
          })) {
        return false;
      }
    }
    const std::size_t prefix = std::min(size, n.prefix_items.size());
    if (prefix > 0) {
      const std::string_view kw_name = n.draft7 ? "items" : "prefixItems";
      const PathSeg kw = key_seg(c.spath, kw_name);
      for (std::size_t i = 0; i < prefix; ++i) {
        const PathSeg iseg = index_seg(c.ipath, i);
        const PathSeg sseg = index_seg(&kw, i);
        if (!apply(n.prefix_items[i], x[i], c, &iseg, &sseg, kw_name,
                   [&] { return "item " + std::to_string(i) + " is not allowed"; })) {
          if (!collecting()) return false;
          ok = false;
        }
        if (a != nullptr) a->mark(i);
      }
    }
    if (n.items != kNone && size > n.prefix_items.size()) {
      const std::string_view kw_name = n.draft7 ? "additionalItems" : "items";
      const PathSeg kw = key_seg(c.spath, kw_name);
      for (std::size_t i = n.prefix_items.size(); i < size; ++i) {
        const PathSeg iseg = index_seg(c.ipath, i);
        if (!apply(n.items, x[i], c, &iseg, &kw, kw_name, [&] {
              return "item " + std::to_string(i) + " is not allowed (at most " +
                     std::to_string(n.prefix_items.size()) + " items)";
            })) {
          if (!collecting()) return false;
          ok = false;
        }
      }
      if (a != nullptr) a->mark_all();
    }
    if (n.contains != kNone) {
      const PathSeg kw = key_seg(c.spath, "contains");
      std::size_t matches = 0;
      {
        Quiet quiet(this);
        for (std::size_t i = 0; i < size; ++i) {
          const PathSeg iseg = index_seg(c.ipath, i);
          if (eval(n.contains, x[i], {c.scope, &iseg, &kw, c.depth, c.idepth + 1}, nullptr)) {
            ++matches;
            if (a != nullptr) a->mark(i);
            if (a == nullptr && matches >= n.min_contains && n.max_contains == kUnbounded) break;
            if (a == nullptr && matches > n.max_contains) break;
          }
        }
      }
      if (matches < n.min_contains && !fail_here("contains", [&] {
            return "must contain at least " + std::to_string(n.min_contains) +
                   " matching item(s), found " + std::to_string(matches);
          })) {
        return false;
      }
      if (matches > n.max_contains && !fail_here("maxContains", [&] {
            return "must contain at most " + std::to_string(n.max_contains) +
                   " matching item(s), found " + std::to_string(matches);
          })) {
        return false;
      }
    }
    return ok;
  }

  static bool unique(const json& x, std::size_t* dup_a, std::size_t* dup_b) {
    const std::size_t size = x.size();
    if (size <= 32) {
      for (std::size_t i = 0; i < size; ++i) {
        for (std::size_t j = i + 1; j < size; ++j) {
          if (json_equal(x[i], x[j])) {
            *dup_a = i;
            *dup_b = j;
            return false;
          }
        }
      }
      return true;
    }
    std::vector<std::pair<std::size_t, std::size_t>> hashed;  // hash, index
    hashed.reserve(size);
    for (std::size_t i = 0; i < size; ++i) hashed.emplace_back(shallow_hash(x[i]), i);
    std::sort(hashed.begin(), hashed.end());
    for (std::size_t i = 0; i < size; ++i) {
      for (std::size_t j = i + 1; j < size && hashed[j].first == hashed[i].first; ++j) {
        if (json_equal(x[hashed[i].second], x[hashed[j].second])) {
          *dup_a = std::min(hashed[i].second, hashed[j].second);
          *dup_b = std::max(hashed[i].second, hashed[j].second);
          return false;
        }
      }
    }
    return true;
  }

  bool check_object(const Node& n, const json& x, const Ctx& c, Evaluated* a) {
    bool ok = true;
    const auto& members = x.get_ref<const json::object_t&>();
    const std::size_t size = members.size();
    auto fail_here = [&](std::string_view kw, auto&& message) {
      report(c.ipath, c.spath, kw, message);
      ok = false;
      return collecting();
    };
    if (size < n.min_properties && !fail_here("minProperties", [&] {
          return "must have at least " + std::to_string(n.min_properties) + " properties, got " +
                 std::to_string(size);
        })) {
      return false;
    }
    if (size > n.max_properties && !fail_here("maxProperties", [&] {
          return "must have at most " + std::to_string(n.max_properties) + " properties, got " +
                 std::to_string(size);
        })) {
      return false;
    }
    for (const DependentRequired& dep : n.dependent_required) {
      if (members.find(dep.name) == members.end()) continue;
      for (const std::string& name : dep.required) {
        if (members.find(name) == members.end() &&
            !fail_here(n.draft7 ? "dependencies" : "dependentRequired", [&] {
              return "property " + quote(name) + " is required when " + quote(dep.name) +
                     " is present";
            })) {
          return false;
        }
      }
    }
    const bool per_member = !n.members.empty() || !n.pattern_properties.empty() ||
                            n.additional_properties != kNone || n.property_names != kNone;
    if (!per_member) return ok;
    std::size_t required_seen = 0;
    const PathSeg props_kw = key_seg(c.spath, "properties");
    const PathSeg pattern_kw = key_seg(c.spath, "patternProperties");
    const PathSeg additional_kw = key_seg(c.spath, "additionalProperties");
    const PathSeg names_kw = key_seg(c.spath, "propertyNames");
    std::size_t next = 0;
    std::size_t i = 0;
    for (auto it = members.begin(); it != members.end(); ++it, ++i) {
      const std::string& key = it->first;
      const json& value = it->second;
      const PathSeg iseg = key_seg(c.ipath, key);
      bool matched = false;
      // Both sides are sorted by name: a merge join instead of a lookup per member.
      int cmp = 1;
      while (next < n.members.size() && (cmp = n.members[next].name.compare(key)) < 0) ++next;
      if (next < n.members.size() && cmp == 0) {
        const Member& m = n.members[next];
        required_seen += m.required ? 1 : 0;
        if (m.node != kNone) {
          matched = true;
          const PathSeg sseg = key_seg(&props_kw, key);
          if (!apply(m.node, value, c, &iseg, &sseg, "properties",
                     [&] { return "property " + quote(key) + " is not allowed"; })) {
            if (!collecting()) return false;
            ok = false;
          }
        }
      }
      for (const auto& [re, node] : n.pattern_properties) {
        const Regex& regex = p_.regexes[static_cast<std::size_t>(re)];
        if (!regex.search(key)) continue;
        matched = true;
        const PathSeg sseg = key_seg(&pattern_kw, regex.source());
        if (!apply(node, value, c, &iseg, &sseg, "patternProperties",
                   [&] { return "property " + quote(key) + " is not allowed"; })) {
          if (!collecting()) return false;
          ok = false;
        }
      }
      if (!matched && n.additional_properties != kNone) {
        matched = true;
        if (!apply(n.additional_properties, value, c, &iseg, &additional_kw, "additionalProperties",
                   [&] { return "property " + quote(key) + " is not allowed"; })) {
          if (!collecting()) return false;
          ok = false;
        }
      }
      if (matched && a != nullptr) a->mark(i);
      if (n.property_names != kNone) {
        // A scratch string instance per thread: property names are not json values, and the
        // propertyNames subschema cannot reach another object, so one buffer suffices.
        thread_local json name_instance = json::value_t::string;
        name_instance.get_ref<std::string&>() = key;
        if (!apply(n.property_names, name_instance, c, &iseg, &names_kw, "propertyNames",
                   [&] { return "property name " + quote(key) + " is not allowed"; })) {
          if (!collecting()) return false;
          ok = false;
        }
      }
    }
    if (required_seen < n.required_count) {
      // Rare: find which names are missing, in the order the schema lists them.
      for (std::size_t k = 0; k < n.required.size(); ++k) {
        const std::string& name = n.required[k];
        const bool repeated =
            std::find(n.required.begin(), n.required.begin() + static_cast<long>(k), name) !=
            n.required.begin() + static_cast<long>(k);
        if (repeated || members.find(name) != members.end()) continue;
        if (!fail_here("required", [&] { return "missing required property " + quote(name); })) {
          return false;
        }
      }
    }
    return ok;
  }

  bool unevaluated(const Node& n, const json& x, const Ctx& c, Evaluated* local) {
    bool ok = true;
    if (n.unevaluated_items != kNone && x.is_array()) {
      const PathSeg kw = key_seg(c.spath, "unevaluatedItems");
      for (std::size_t i = 0; i < x.size(); ++i) {
        if (local->test(i)) continue;
        const PathSeg iseg = index_seg(c.ipath, i);
        if (!apply(n.unevaluated_items, x[i], c, &iseg, &kw, "unevaluatedItems",
                   [&] { return "item " + std::to_string(i) + " is not allowed (unevaluated)"; })) {
          if (!collecting()) return false;
          ok = false;
        }
      }
      local->mark_all();
    }
    if (n.unevaluated_properties != kNone && x.is_object()) {
      const PathSeg kw = key_seg(c.spath, "unevaluatedProperties");
      std::size_t i = 0;
      for (const auto& [key, value] : x.get_ref<const json::object_t&>()) {
        if (!local->test(i)) {
          const PathSeg iseg = key_seg(c.ipath, key);
          if (!apply(n.unevaluated_properties, value, c, &iseg, &kw, "unevaluatedProperties",
                     [&] { return "property " + quote(key) + " is not allowed (unevaluated)"; })) {
            if (!collecting()) return false;
            ok = false;
          }
        }
        ++i;
      }
      local->mark_all();
    }
    return ok;
  }

  const Program& p_;
  std::vector<SchemaViolation>* out_;
};

}  // namespace schema_detail

// ---------------------------------------------------------------------------------------------
// Public API.

struct CompiledSchema::Impl {
  schema_detail::Program program;
};

CompiledSchema::CompiledSchema(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

CompiledSchema CompiledSchema::compile(const nlohmann::json& schema, const SchemaOptions& options,
                                       const std::string& base_uri) {
  auto impl = std::make_shared<Impl>();
  schema_detail::Compiler compiler(options, &impl->program);
  compiler.compile_root(schema, base_uri);
  impl->program.tape_supported = schema_detail::supports_tape(impl->program);
  return CompiledSchema(std::move(impl));
}

CompiledSchema CompiledSchema::load(const std::filesystem::path& file,
                                    const SchemaOptions& options) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw SchemaError("cannot read schema file " + file.string());
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw SchemaError("cannot read schema file " + file.string());
  nlohmann::json schema;
  try {
    schema = nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::parse_error& e) {
    throw SchemaError("schema file " + file.string() + " is not valid JSON: " + e.what());
  }
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(file, ec);
  if (ec) absolute = file;
  const std::string uri =
      "file://" + schema_detail::percent_encode_path(absolute.lexically_normal().generic_string());
  return compile(schema, options, uri);
}

bool CompiledSchema::is_valid(const nlohmann::json& instance) const {
  schema_detail::Evaluator evaluator(impl_->program, nullptr);
  return evaluator.run(instance);
}

bool CompiledSchema::is_valid(const JsonTape& instance) const {
  if (impl_->program.tape_supported && !instance.has_duplicate_keys()) {
    return schema_detail::tape_is_valid(impl_->program, instance);
  }
  return is_valid(instance.to_json());
}

bool CompiledSchema::evaluates_tapes() const {
  return impl_->program.tape_supported;
}

std::vector<SchemaViolation> CompiledSchema::validate(const nlohmann::json& instance) const {
  std::vector<SchemaViolation> out;
  schema_detail::Evaluator evaluator(impl_->program, &out);
  evaluator.run(instance);
  return out;
}

SchemaDraft CompiledSchema::draft() const {
  return impl_->program.draft;
}

}  // namespace tb
