#include "score/typescript_schema.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "common/text.hpp"

namespace tb {
namespace {

using nlohmann::json;

// Far beyond any interface written by hand, and small enough that recursion (here, in
// nlohmann::json's destructor and in the validator) can never exhaust the stack.
constexpr int kMaxDepth = 64;

constexpr std::string_view kSupported =
    "supported: primitives, literal unions, arrays, nested interfaces and type aliases, "
    "Record<string, T>";

constexpr std::string_view kDraft = "https://json-schema.org/draft/2020-12/schema";

struct Place {
  int line = 0;
  int column = 0;
};

// `@name value` lines of a JSDoc comment.
struct DocTag {
  std::string name;
  std::string value;
  Place at;  // of the @
};

// A /** ... */ comment: its text up to the first tag, and its tags.
struct Doc {
  std::string text;
  std::vector<DocTag> tags;
};

enum class Tok { kIdent, kString, kNumber, kPunct, kEnd };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;  // identifier, punctuator, number as written, or the decoded string
  Place at;
  bool newline_before = false;  // a line break ends a member, as TypeScript's ASI allows
  Doc doc;                      // the JSDoc comment right before this token
};

// Offset of the first byte that is not part of well-formed UTF-8, or npos. Checked up front
// because nlohmann::json refuses to dump strings that are not UTF-8.
std::size_t invalid_utf8_at(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    char32_t cp = 0;
    if (b < 0x80) {
      ++i;
      continue;
    } else if (b >= 0xC2 && b <= 0xDF) {
      n = 1, cp = b & 0x1F;
    } else if (b >= 0xE0 && b <= 0xEF) {
      n = 2, cp = b & 0x0F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      n = 3, cp = b & 0x07;
    } else {
      return i;
    }
    if (i + n >= s.size()) return i;
    for (std::size_t k = 1; k <= n; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (c & 0x3F);
    }
    // Overlong forms, surrogates and code points past U+10FFFF.
    if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return i;
    i += n + 1;
  }
  return std::string_view::npos;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Length in bytes of a non-ASCII space at the start of `s` (0 if none): text pasted from web
// pages and chat windows often carries no-break spaces and byte order marks.
std::size_t unicode_space_length(std::string_view s) {
  static constexpr std::string_view kSpaces[] = {"\xC2\xA0",     "\xEF\xBB\xBF", "\xE2\x80\xA8",
                                                 "\xE2\x80\xA9", "\xE2\x80\xAF", "\xE2\x81\x9F",
                                                 "\xE3\x80\x80", "\xE1\x9A\x80"};
  for (const auto space : kSpaces)
    if (s.starts_with(space)) return space.size();
  // U+2000..U+200A
  if (s.size() >= 3 && s[0] == '\xE2' && s[1] == '\x80' &&
      static_cast<unsigned char>(s[2]) >= 0x80 && static_cast<unsigned char>(s[2]) <= 0x8A)
    return 3;
  return 0;
}

// Splits a JSDoc body (the text between "/**" and "*/", which starts at `at`) into its
// description and its tags, dropping the " * " frame of each line.
Doc parse_jsdoc(std::string_view body, Place at) {
  Doc doc;
  int line_number = at.line;
  bool in_tags = false;
  for (const auto raw : split(body, '\n')) {
    std::string_view line = trim(raw);
    std::size_t offset = raw.find_first_not_of(" \t\r");
    if (line.starts_with('*')) {
      line = trim(line.substr(1));
      offset = raw.find_first_not_of(" \t\r", offset + 1);
    }
    if (line.starts_with('@')) {
      in_tags = true;
      // Columns count characters, like everywhere else.
      int column = line_number == at.line ? at.column : 1;
      for (std::size_t k = 0; k < offset; ++k)
        if ((static_cast<unsigned char>(raw[k]) & 0xC0) != 0x80) ++column;
      const std::size_t name_end = std::min(line.find_first_of(" \t"), line.size());
      doc.tags.push_back({std::string(line.substr(1, name_end - 1)),
                          std::string(trim(line.substr(name_end))),
                          {line_number, column}});
    } else if (!in_tags && !line.empty()) {
      if (!doc.text.empty()) doc.text += ' ';
      doc.text += line;
    }
    ++line_number;
  }
  return doc;
}

class Lexer {
 public:
  Lexer(std::string_view source, TypeScriptError& error) : src_(source), error_(error) {}

  std::optional<std::vector<Token>> run() {
    std::vector<Token> tokens;
    for (;;) {
      Token token;
      if (!skip_space(token)) return std::nullopt;
      token.at = here();
      if (pos_ >= src_.size()) {
        tokens.push_back(std::move(token));
        return tokens;
      }
      if (!lex_one(token)) return std::nullopt;
      tokens.push_back(std::move(token));
    }
  }

  // Line and column of a byte offset, for errors found before lexing.
  static Place place_of(std::string_view src, std::size_t offset) {
    TypeScriptError unused;
    Lexer lexer(src.substr(0, offset), unused);
    while (lexer.pos_ < lexer.src_.size()) lexer.advance();
    return lexer.here();
  }

 private:
  char peek(std::size_t ahead = 0) const {
    return pos_ + ahead < src_.size() ? src_[pos_ + ahead] : '\0';
  }
  Place here() const { return {line_, column_}; }

  void advance() {
    const char c = src_[pos_++];
    if (c == '\n' || (c == '\r' && peek() != '\n')) {
      ++line_;
      column_ = 1;
    } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      ++column_;  // continuation bytes belong to the character already counted
    }
  }

  bool fail(Place at, std::string message) {
    error_ = {at.line, at.column, std::move(message)};
    return false;
  }

  bool skip_space(Token& token) {
    while (pos_ < src_.size()) {
      const char c = peek();
      if (c == '\n' || c == '\r') {
        token.newline_before = true;
        advance();
      } else if (c == ' ' || c == '\t' || c == '\v' || c == '\f') {
        advance();
      } else if (const auto n = unicode_space_length(src_.substr(pos_)); n > 0) {
        for (std::size_t i = 0; i < n; ++i) advance();
      } else if (c == '/' && peek(1) == '/') {
        while (pos_ < src_.size() && peek() != '\n' && peek() != '\r') advance();
      } else if (c == '/' && peek(1) == '*') {
        const Place start = here();
        const std::size_t end = src_.find("*/", pos_ + 2);
        if (end == std::string_view::npos) return fail(start, "unterminated block comment");
        const bool is_doc = peek(2) == '*' && end > pos_ + 2;
        const std::string_view body = src_.substr(pos_ + 2, end - pos_ - 2);
        if (body.find_first_of("\r\n") != std::string_view::npos) token.newline_before = true;
        if (is_doc) token.doc = parse_jsdoc(body.substr(1), {start.line, start.column + 3});
        while (pos_ < end + 2) advance();
      } else {
        break;
      }
    }
    return true;
  }

  static bool is_ident_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' ||
           static_cast<unsigned char>(c) >= 0x80;
  }
  static bool is_digit(char c) { return c >= '0' && c <= '9'; }

  bool lex_one(Token& token) {
    const char c = peek();
    for (const std::string_view curly : {"\u201C", "\u201D", "\u2018", "\u2019"}) {
      if (src_.substr(pos_).starts_with(curly)) {
        return fail(here(), "typographic quote " + std::string(curly) +
                                "; string literal types need straight quotes (\" or ')");
      }
    }
    if (is_ident_start(c)) {
      token.kind = Tok::kIdent;
      while (pos_ < src_.size() && (is_ident_start(peek()) || is_digit(peek())) &&
             unicode_space_length(src_.substr(pos_)) == 0) {
        token.text += peek();
        advance();
      }
      return true;
    }
    if (is_digit(c) || (c == '.' && is_digit(peek(1)))) {
      token.kind = Tok::kNumber;
      while (pos_ < src_.size()) {
        const char d = peek();
        const bool exponent_sign = (d == '+' || d == '-') && !token.text.empty() &&
                                   (token.text.back() == 'e' || token.text.back() == 'E') &&
                                   !token.text.starts_with("0x") && !token.text.starts_with("0X");
        if (!(is_ident_start(d) || is_digit(d) || d == '.' || exponent_sign)) break;
        token.text += d;
        advance();
      }
      return true;
    }
    if (c == '"' || c == '\'') return lex_string(token);
    if (c == '`') {
      return fail(here(), "template literal types are not supported; " + std::string(kSupported));
    }
    token.kind = Tok::kPunct;
    const std::size_t length = src_.substr(pos_).starts_with("...")  ? 3
                               : src_.substr(pos_).starts_with("=>") ? 2
                                                                     : 1;
    for (std::size_t i = 0; i < length; ++i) {
      token.text += peek();
      advance();
    }
    return true;
  }

  bool lex_string(Token& token) {
    token.kind = Tok::kString;
    const Place start = here();
    const char quote = peek();
    advance();
    for (;;) {
      if (pos_ >= src_.size() || peek() == '\n' || peek() == '\r')
        return fail(start, "unterminated string literal");
      const char c = peek();
      if (c == quote) {
        advance();
        return true;
      }
      if (c != '\\') {
        token.text += c;
        advance();
        continue;
      }
      const Place escape = here();
      advance();
      if (pos_ >= src_.size()) return fail(start, "unterminated string literal");
      const char e = peek();
      advance();
      switch (e) {
        case 'n':
          token.text += '\n';
          break;
        case 't':
          token.text += '\t';
          break;
        case 'r':
          token.text += '\r';
          break;
        case 'b':
          token.text += '\b';
          break;
        case 'f':
          token.text += '\f';
          break;
        case 'v':
          token.text += '\v';
          break;
        case '0':
          token.text += '\0';
          break;
        case '\r':
          if (peek() == '\n') advance();
          break;  // a line continuation adds nothing
        case '\n':
          break;
        case 'x':
        case 'u': {
          char32_t cp = 0;
          if (!read_escape(e, escape, cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF && peek() == '\\' && peek(1) == 'u') {
            // A surrogate pair spelled as two escapes is one character.
            const Place second = here();
            advance();
            advance();
            char32_t low = 0;
            if (!read_escape('u', second, low)) return false;
            if (low < 0xDC00 || low > 0xDFFF)
              return fail(escape, "unpaired UTF-16 surrogate in string literal");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          if (cp >= 0xD800 && cp <= 0xDFFF)
            return fail(escape, "unpaired UTF-16 surrogate in string literal");
          append_utf8(token.text, cp);
          break;
        }
        default:
          token.text += e;  // \" \' \\ and any other escaped character stand for themselves
      }
    }
  }

  // \xHH, \uHHHH or \u{H...}; the backslash and the letter are already consumed.
  bool read_escape(char kind, Place at, char32_t& cp) {
    const auto hex_value = [](char h) -> int {
      if (h >= '0' && h <= '9') return h - '0';
      if (h >= 'a' && h <= 'f') return h - 'a' + 10;
      if (h >= 'A' && h <= 'F') return h - 'A' + 10;
      return -1;
    };
    const bool braced = kind == 'u' && peek() == '{';
    if (braced) advance();
    const int digits = kind == 'x' ? 2 : 4;
    int count = 0;
    cp = 0;
    while (braced ? peek() != '}' : count < digits) {
      const int v = hex_value(peek());
      if (v < 0 || cp > 0x10FFFF) return fail(at, "invalid escape sequence in string literal");
      cp = cp * 16 + static_cast<char32_t>(v);
      ++count;
      advance();
    }
    if (braced) {
      if (count == 0 || cp > 0x10FFFF) return fail(at, "invalid escape sequence in string literal");
      advance();
    }
    return true;
  }

  std::string_view src_;
  TypeScriptError& error_;
  std::size_t pos_ = 0;
  int line_ = 1;
  int column_ = 1;
};

// One alternative of a union, kept apart until the union is complete so that literal
// alternatives can merge into a single enum.
struct Operand {
  enum class Kind { kLiteral, kPrimitive, kAny, kSchema };
  Kind kind;
  json value;  // the literal, the primitive's JSON type name, or a finished schema
};
using Alternatives = std::vector<Operand>;

struct Member {
  std::string name;
  bool optional = false;
  json schema;
  Doc doc;
  Place at;
};

struct Reference {
  std::string name;
  std::string from;  // the declaration it appears in
  Place at;
  // Not under an array, object or Record: `type A = B | null` needs B before A exists, which
  // is what makes an alias cycle an error while `type A = A[]` is fine.
  bool direct = true;
};

struct Declaration {
  std::string name;
  Place at;
  bool is_interface = false;
  json schema;
  std::vector<std::pair<std::string, Place>> bases;  // interface X extends A, B
};

bool is_primitive_name(std::string_view name) {
  return name == "string" || name == "number" || name == "boolean" || name == "null" ||
         name == "any" || name == "unknown";
}

std::string json_type_of(const json& literal) {
  if (literal.is_string()) return "string";
  if (literal.is_boolean()) return "boolean";
  if (literal.is_null()) return "null";
  return "number";
}

void push_unique(json& array, const json& value) {
  if (std::find(array.begin(), array.end(), value) == array.end()) array.push_back(value);
}

// "string" or ["string", "null"]: JSON Schema's "type" for a set of type names.
json type_keyword(const json& names) {
  return names.size() == 1 ? names[0] : names;
}

// Merges a union's alternatives: any absorbs everything, literals covered by a primitive
// vanish, the remaining literals become one enum, and the rest an anyOf in source order.
json schema_of(const Alternatives& alternatives) {
  if (alternatives.size() == 1 && alternatives[0].kind == Operand::Kind::kSchema)
    return alternatives[0].value;
  json primitives = json::array();
  json literals = json::array();
  std::set<json> seen;  // long literal unions are common enough that a linear scan would show
  std::vector<json> others;
  std::vector<std::size_t> order;  // first source position of primitives, literals, others
  std::size_t first_primitive = 0, first_literal = 0;
  for (std::size_t i = 0; i < alternatives.size(); ++i) {
    const auto& a = alternatives[i];
    switch (a.kind) {
      case Operand::Kind::kAny:
        return json::object();
      case Operand::Kind::kPrimitive:
        if (primitives.empty()) first_primitive = i;
        push_unique(primitives, a.value);
        break;
      case Operand::Kind::kLiteral:
        if (literals.empty()) first_literal = i;
        if (seen.insert(a.value).second) literals.push_back(a.value);
        break;
      case Operand::Kind::kSchema:
        if (seen.insert(a.value).second) {
          others.push_back(a.value);
          order.push_back(i);
        }
        break;
    }
  }
  const auto has_primitive = [&](const std::string& name) {
    return std::find(primitives.begin(), primitives.end(), name) != primitives.end();
  };
  json kept = json::array();
  for (const auto& literal : literals)
    if (!has_primitive(json_type_of(literal))) kept.push_back(literal);

  // Literals with nothing but null beside them: null joins the enum, as in "a" | "b" | null.
  if (!kept.empty() && others.empty() &&
      (primitives.empty() || (primitives.size() == 1 && primitives[0] == "null"))) {
    if (!primitives.empty()) kept.push_back(nullptr);
    json types = json::array();
    for (const auto& literal : kept) push_unique(types, json_type_of(literal));
    return {{"type", type_keyword(types)}, {"enum", kept}};
  }

  std::vector<std::pair<std::size_t, json>> branches;
  if (!primitives.empty())
    branches.emplace_back(first_primitive, json{{"type", type_keyword(primitives)}});
  if (!kept.empty()) {
    json types = json::array();
    for (const auto& literal : kept) push_unique(types, json_type_of(literal));
    branches.emplace_back(first_literal, json{{"type", type_keyword(types)}, {"enum", kept}});
  }
  for (std::size_t i = 0; i < others.size(); ++i) branches.emplace_back(order[i], others[i]);
  std::stable_sort(branches.begin(), branches.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  if (branches.size() == 1) return branches[0].second;
  json any_of = json::array();
  for (auto& branch : branches) any_of.push_back(std::move(branch.second));
  return {{"anyOf", std::move(any_of)}};
}

json object_schema(const std::vector<Member>& members) {
  json properties = json::object();
  json required = json::array();
  for (const auto& m : members) {
    properties[m.name] = m.schema;
    if (!m.optional) required.push_back(m.name);
  }
  return {{"type", "object"},
          {"properties", std::move(properties)},
          {"required", std::move(required)},
          {"additionalProperties", false}};
}

// A $ref fragment: identifiers may hold non-ASCII letters, which a URI must percent-encode.
std::string ref_to(std::string_view name, std::string_view root) {
  if (name == root) return "#";
  std::string out = "#/$defs/";
  for (const char c : name) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x80) {
      out += c;
    } else {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out += '%';
      out += kHex[b >> 4];
      out += kHex[b & 0xF];
    }
  }
  return out;
}

std::string describe(const Token& t) {
  switch (t.kind) {
    case Tok::kEnd:
      return "end of input";
    case Tok::kString:
      return "string literal " + dquote(t.text);
    default:
      return dquote(t.text);
  }
}

std::string at_text(Place p) {
  return std::to_string(p.line) + ":" + std::to_string(p.column);
}

std::string names_list(const std::vector<Declaration>& declarations) {
  if (declarations.empty()) return "none";
  std::string out;
  for (const auto& d : declarations) out += (out.empty() ? "" : ", ") + d.name;
  return out;
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, std::string_view root, TypeScriptError& error)
      : tokens_(std::move(tokens)), root_(root), error_(error) {}

  std::optional<json> convert() {
    if (!parse_source() || !check_references() || !check_alias_cycles() || !merge_bases())
      return std::nullopt;
    const auto found = index_.find(root_);
    if (found == index_.end()) {
      std::vector<std::string_view> names;
      for (const auto& d : declarations_) names.push_back(d.name);
      std::string message = "type " + dquote(root_) + " is not declared in the source";
      if (auto hint = did_you_mean(root_, names))
        message += " (did you mean " + dquote(*hint) + "?)";
      message += "; declared: " + names_list(declarations_);
      error_ = {0, 0, std::move(message)};
      return std::nullopt;
    }
    json schema = declarations_[found->second].schema;
    json defs = json::object();
    for (const auto& name : reachable_from(root_))
      defs[name] = declarations_[index_.at(name)].schema;
    schema["$schema"] = kDraft;
    schema["title"] = root_;
    if (!defs.empty()) schema["$defs"] = std::move(defs);
    return schema;
  }

 private:
  // ---- tokens --------------------------------------------------------------------------------

  const Token& peek(std::size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  const Token& next() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  static bool is(const Token& t, std::string_view punct) {
    return t.kind == Tok::kPunct && t.text == punct;
  }
  static bool is_word(const Token& t, std::string_view word) {
    return t.kind == Tok::kIdent && t.text == word;
  }

  bool fail(const Token& at, std::string message) { return fail(at.at, std::move(message)); }
  bool fail(Place at, std::string message) {
    error_ = {at.line, at.column, std::move(message)};
    return false;
  }
  bool unsupported(const Token& at, std::string_view what) {
    return fail(at, std::string(what) + " are not supported; " + std::string(kSupported));
  }
  bool expect(std::string_view punct, std::string_view context) {
    if (is(peek(), punct)) {
      next();
      return true;
    }
    return fail(peek(), "expected " + std::string(punct) + " " + std::string(context) + ", got " +
                            describe(peek()));
  }
  bool too_deep(const Token& at) {
    return fail(at, "types nested more than " + std::to_string(kMaxDepth) +
                        " levels deep are not supported");
  }

  // ---- declarations --------------------------------------------------------------------------

  bool parse_source() {
    while (peek().kind != Tok::kEnd) {
      if (is(peek(), ";")) {
        next();
        continue;
      }
      const Doc doc = peek().doc;
      if (is_word(peek(), "export")) {
        next();
        if (is_word(peek(), "default")) return unsupported(peek(), "default exports");
      }
      if (is_word(peek(), "declare")) next();  // `declare interface` means the same here
      const Token& t = peek();
      bool ok = false;
      if (is_word(t, "interface")) {
        ok = parse_interface(doc);
      } else if (is_word(t, "type") && peek(1).kind == Tok::kIdent) {
        ok = parse_alias(doc);
      } else if (is_word(t, "import")) {
        return fail(t,
                    "imports are not supported; paste every type the interface uses into the "
                    "same source");
      } else if (is_word(t, "enum") || (is_word(t, "const") && is_word(peek(1), "enum"))) {
        return unsupported(t, "enums (write a union of string literals instead)");
      } else if (is_word(t, "class") || is_word(t, "function") || is_word(t, "const") ||
                 is_word(t, "let") || is_word(t, "var") || is_word(t, "namespace") ||
                 is_word(t, "module") || is_word(t, "abstract")) {
        return fail(t, t.text +
                           " declarations are not supported; only interface and type "
                           "declarations are");
      } else {
        return fail(t, "expected an interface or type declaration, got " + describe(t));
      }
      if (!ok) return false;
    }
    return true;
  }

  // The declared name; also rejects generics, which the subset has no way to instantiate.
  std::optional<Place> declare_name(std::string_view what) {
    const Token& name = peek();
    if (name.kind != Tok::kIdent) {
      fail(name, "expected " + std::string(what) + " name, got " + describe(name));
      return std::nullopt;
    }
    if (is_primitive_name(name.text) || name.text == "Array" || name.text == "ReadonlyArray" ||
        name.text == "Record") {
      fail(name, dquote(name.text) + " is a built-in type and cannot be declared");
      return std::nullopt;
    }
    if (const auto it = index_.find(name.text); it != index_.end()) {
      fail(name, dquote(name.text) + " is already declared at " +
                     at_text(declarations_[it->second].at) +
                     "; declaration merging is not supported");
      return std::nullopt;
    }
    next();
    if (is(peek(), "<")) {
      unsupported(peek(), "generic type parameters");
      return std::nullopt;
    }
    current_ = name.text;
    return name.at;
  }

  bool add_declaration(Declaration d, const Doc& doc) {
    if (!apply_doc(d.schema, doc)) return false;
    index_.emplace(d.name, declarations_.size());
    declarations_.push_back(std::move(d));
    return true;
  }

  // The description, and the JSDoc tags that have a JSON Schema keyword of the same name (as
  // in typescript-json-schema), which say what a TypeScript type cannot: lengths, ranges,
  // patterns. Other tags (@example, @see, ...) are documentation only.
  bool apply_doc(json& schema, const Doc& doc) {
    if (!doc.text.empty()) schema["description"] = doc.text;
    static const std::set<std::string, std::less<>> kCounts = {
        "minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"};
    static const std::set<std::string, std::less<>> kNumbers = {
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"};
    for (const auto& tag : doc.tags) {
      const char* first = tag.value.data();
      const char* last = first + tag.value.size();
      if (kCounts.contains(tag.name)) {
        std::uint64_t n = 0;
        if (tag.value.empty() || std::from_chars(first, last, n).ptr != last)
          return fail(tag.at, "@" + tag.name + " needs a whole number, got " + dquote(tag.value));
        schema[tag.name] = n;
      } else if (kNumbers.contains(tag.name)) {
        double v = 0;
        const auto [ptr, ec] = std::from_chars(first, last, v);
        if (tag.value.empty() || ec != std::errc() || ptr != last ||
            !(std::abs(v) <= std::numeric_limits<double>::max()) ||
            (tag.name == "multipleOf" && v <= 0))
          return fail(tag.at, "@" + tag.name + " needs a finite number" +
                                  (tag.name == "multipleOf" ? " above 0" : "") + ", got " +
                                  dquote(tag.value));
        // Whole numbers stay integers so the schema reads as written.
        schema[tag.name] =
            v == std::trunc(v) && std::abs(v) < 9e15 ? json(static_cast<std::int64_t>(v)) : json(v);
      } else if (tag.name == "pattern" || tag.name == "format") {
        if (tag.value.empty()) return fail(tag.at, "@" + tag.name + " needs a value");
        schema[tag.name] = tag.value;
      }
    }
    return true;
  }

  bool parse_interface(const Doc& doc) {
    next();  // interface
    const std::string name = peek().text;
    const auto at = declare_name("an interface");
    if (!at) return false;
    Declaration d{name, *at, true, {}, {}};
    if (is_word(peek(), "extends")) {
      next();
      for (;;) {
        const Token& base = peek();
        if (base.kind != Tok::kIdent)
          return fail(base, "expected an interface name after extends, got " + describe(base));
        next();
        if (is(peek(), "<")) return unsupported(peek(), "generic base types");
        if (is(peek(), ".")) return unsupported(peek(), "qualified names (A.B)");
        d.bases.emplace_back(base.text, base.at);
        if (!is(peek(), ",")) break;
        next();
      }
    }
    const Token& open = peek();
    if (!expect("{", "to open the interface body")) return false;
    std::vector<Member> members;
    if (!parse_members(open, 1, members)) return false;
    d.schema = object_schema(members);
    return add_declaration(std::move(d), doc);
  }

  bool parse_alias(const Doc& doc) {
    next();  // type
    const std::string name = peek().text;
    const auto at = declare_name("a type");
    if (!at) return false;
    if (!expect("=", "after the type name")) return false;
    const auto type = parse_type(1);
    if (!type) return false;
    if (is(peek(), ";")) {
      next();
    } else if (peek().kind != Tok::kEnd && !peek().newline_before) {
      return fail(peek(), "expected ; after the type alias, got " + describe(peek()));
    }
    return add_declaration({name, *at, false, schema_of(*type), {}}, doc);
  }

  static bool ends_member_name(const Token& t) {
    return t.kind == Tok::kPunct &&
           (t.text == ":" || t.text == "?" || t.text == "(" || t.text == "<" || t.text == "," ||
            t.text == ";" || t.text == "}");
  }

  // Members up to and including the closing brace of the body opened by `open`.
  bool parse_members(const Token& open, int depth, std::vector<Member>& members) {
    std::map<std::string, Place> seen;
    for (;;) {
      const Token& first = peek();
      if (is(first, "}")) {
        next();
        return true;
      }
      if (first.kind == Tok::kEnd)
        return fail(first, "expected } to close the object type opened at " + at_text(open.at));
      Member m;
      m.doc = first.doc;
      // `readonly` is a modifier unless it is itself the member's name (`readonly: boolean`).
      if (is_word(first, "readonly") && !ends_member_name(peek(1))) next();
      const Token& name = peek();
      if (is(name, "[")) {
        return unsupported(name,
                           "index signatures and mapped types (write Record<string, T> "
                           "instead)");
      }
      if (is(name, "(") || is(name, "<") ||
          (is_word(name, "new") && (is(peek(1), "(") || is(peek(1), "<"))))
        return unsupported(name, "call and construct signatures");
      if (name.kind != Tok::kIdent && name.kind != Tok::kString && name.kind != Tok::kNumber)
        return fail(name, "expected a member name, got " + describe(name));
      m.name = name.text;
      m.at = name.at;
      next();
      if (is(peek(), "?")) {
        m.optional = true;
        next();
      }
      if (is(peek(), "(") || is(peek(), "<")) return unsupported(peek(), "method signatures");
      if (!expect(":", "after member " + dquote(m.name))) return false;
      const auto type = parse_type(depth + 1);
      if (!type) return false;
      m.schema = schema_of(*type);
      if (!apply_doc(m.schema, m.doc)) return false;
      if (const auto [it, inserted] = seen.emplace(m.name, m.at); !inserted)
        return fail(
            m.at, "duplicate member " + dquote(m.name) + " (first at " + at_text(it->second) + ")");
      members.push_back(std::move(m));
      if (is(peek(), ";") || is(peek(), ",")) {
        next();
      } else if (!is(peek(), "}") && !peek().newline_before) {
        return fail(peek(), "expected ; or , or } after member " + dquote(members.back().name) +
                                ", got " + describe(peek()));
      }
    }
  }

  // ---- types ---------------------------------------------------------------------------------

  std::optional<Alternatives> parse_type(int depth) {
    if (depth > kMaxDepth) {
      too_deep(peek());
      return std::nullopt;
    }
    Alternatives alternatives;
    if (is(peek(), "|")) next();  // a leading | lines up multi-line unions
    for (;;) {
      auto operand = parse_postfix(depth);
      if (!operand) return std::nullopt;
      for (auto& o : *operand) alternatives.push_back(std::move(o));
      if (is(peek(), "&")) {
        unsupported(peek(), "intersection types (&)");
        return std::nullopt;
      }
      if (is_word(peek(), "extends") && !peek().newline_before) {
        unsupported(peek(), "conditional types (A extends B ? C : D)");
        return std::nullopt;
      }
      if (!is(peek(), "|")) return alternatives;
      next();
    }
  }

  void mark_indirect(std::size_t first_reference) {
    for (std::size_t i = first_reference; i < references_.size(); ++i)
      references_[i].direct = false;
  }

  Alternatives array_of(const Alternatives& element) {
    return {{Operand::Kind::kSchema, {{"type", "array"}, {"items", schema_of(element)}}}};
  }

  std::optional<Alternatives> parse_postfix(int depth) {
    const std::size_t first_reference = references_.size();
    const Token& start = peek();
    const bool is_readonly = is_word(start, "readonly");
    if (is_readonly) next();
    auto type = parse_primary(depth);
    if (!type) return std::nullopt;
    // TypeScript itself reads `[` after a line break as the start of the next member.
    for (int level = depth + 1; is(peek(), "[") && !peek().newline_before; ++level) {
      if (!is(peek(1), "]")) {
        unsupported(peek(), "indexed access types (T[K])");
        return std::nullopt;
      }
      if (level > kMaxDepth) {
        too_deep(peek());
        return std::nullopt;
      }
      next();
      next();
      type = array_of(*type);
      mark_indirect(first_reference);
    }
    if (is_readonly) {
      const bool is_array = type->size() == 1 && type->front().kind == Operand::Kind::kSchema &&
                            type->front().value.value("type", json()) == "array";
      if (!is_array) {
        fail(start, "readonly is supported only on array types (readonly T[])");
        return std::nullopt;
      }
    }
    return type;
  }

  std::optional<Alternatives> literal(json value) {
    next();
    return Alternatives{{Operand::Kind::kLiteral, std::move(value)}};
  }

  std::optional<json> number_value(const Token& t, bool negative) {
    const char* first = t.text.data();
    const char* last = first + t.text.size();
    if (t.text.find_first_not_of("0123456789") == std::string::npos) {
      std::int64_t v = 0;
      if (std::from_chars(first, last, v).ptr == last) return json(negative ? -v : v);
    }
    double d = 0;
    const auto [ptr, ec] = std::from_chars(first, last, d);
    if (ec != std::errc() || ptr != last || !(d <= std::numeric_limits<double>::max())) {
      fail(t, "number literal " + dquote(t.text) +
                  " is not supported; write it as a finite decimal number");
      return std::nullopt;
    }
    return json(negative ? -d : d);
  }

  std::optional<Alternatives> parse_primary(int depth) {
    const Token& t = peek();
    switch (t.kind) {
      case Tok::kEnd:
        fail(t, "expected a type, got end of input");
        return std::nullopt;
      case Tok::kString:
        return literal(t.text);
      case Tok::kNumber: {
        auto v = number_value(t, false);
        if (!v) return std::nullopt;
        return literal(std::move(*v));
      }
      case Tok::kIdent:
        return parse_named(depth);
      case Tok::kPunct:
        break;
    }
    if (is(t, "-") && peek(1).kind == Tok::kNumber) {
      next();
      auto v = number_value(peek(), true);
      if (!v) return std::nullopt;
      return literal(std::move(*v));
    }
    if (is(t, "(")) return parse_parenthesised(depth);
    if (is(t, "{")) {
      const std::size_t first_reference = references_.size();
      next();
      std::vector<Member> members;
      if (!parse_members(t, depth, members)) return std::nullopt;
      mark_indirect(first_reference);
      return Alternatives{{Operand::Kind::kSchema, object_schema(members)}};
    }
    if (is(t, "[")) {
      unsupported(t, "tuple types ([A, B])");
      return std::nullopt;
    }
    if (is(t, "<")) {
      unsupported(t, "function types");
      return std::nullopt;
    }
    fail(t, "expected a type, got " + describe(t));
    return std::nullopt;
  }

  std::optional<Alternatives> parse_parenthesised(int depth) {
    const Token& open = peek();
    // `()`, `(...rest`, `(a: T`, `(a?`, `(a,` can only start a parameter list.
    const Token& after = peek(1);
    if (is(after, ")") || is(after, "...") ||
        (after.kind == Tok::kIdent && (is(peek(2), ":") || is(peek(2), "?") || is(peek(2), ",")))) {
      unsupported(open, "function types");
      return std::nullopt;
    }
    next();
    auto inner = parse_type(depth + 1);
    if (!inner) return std::nullopt;
    if (!is(peek(), ")")) {
      fail(peek(),
           "expected ) to close the ( at " + at_text(open.at) + ", got " + describe(peek()));
      return std::nullopt;
    }
    next();
    if (is(peek(), "=>")) {
      unsupported(open, "function types");
      return std::nullopt;
    }
    return inner;
  }

  // The last type argument of `generic`, up to and including the closing >.
  std::optional<Alternatives> last_type_argument(int depth, const std::string& generic) {
    auto inner = parse_type(depth + 1);
    if (!inner) return std::nullopt;
    if (is(peek(), ",")) {
      fail(peek(),
           generic + (generic == "Record" ? " takes two" : " takes one") + " type arguments");
      return std::nullopt;
    }
    if (!expect(">", "to close " + generic + "<")) return std::nullopt;
    return inner;
  }

  std::optional<Alternatives> parse_named(int depth) {
    const Token& t = peek();
    const std::string& name = t.text;
    using K = Operand::Kind;
    if (name == "string" || name == "number" || name == "boolean" || name == "null") {
      next();
      return Alternatives{{K::kPrimitive, name}};
    }
    if (name == "true" || name == "false") return literal(name == "true");
    if (name == "any" || name == "unknown") {
      next();
      return Alternatives{{K::kAny, json::object()}};
    }
    if (name == "undefined" || name == "void") {
      fail(t, name + " is not a JSON value; mark the member optional (name?: T) instead");
      return std::nullopt;
    }
    if (name == "never" || name == "object" || name == "symbol" || name == "bigint" ||
        name == "this") {
      fail(t, "the type " + dquote(name) + " is not supported; " + std::string(kSupported));
      return std::nullopt;
    }
    if (name == "keyof") return unsupported_type(t, "keyof type operators");
    if (name == "typeof") return unsupported_type(t, "typeof type queries");
    if (name == "infer") return unsupported_type(t, "infer declarations");
    if (name == "unique") return unsupported_type(t, "unique symbol types");
    if (name == "new" || name == "abstract") return unsupported_type(t, "constructor types");
    if (name == "asserts") return unsupported_type(t, "assertion signatures");

    const bool is_array = name == "Array" || name == "ReadonlyArray";
    if (is_array || name == "Record") {
      if (!is(peek(1), "<")) {
        fail(t, name + " needs type arguments: " + (is_array ? name + "<T>" : "Record<string, T>"));
        return std::nullopt;
      }
      const std::size_t first_reference = references_.size();
      next();
      next();
      if (is_array) {
        auto element = last_type_argument(depth, name);
        if (!element) return std::nullopt;
        mark_indirect(first_reference);
        return array_of(*element);
      }
      if (!is_word(peek(), "string") || !is(peek(1), ",")) {
        unsupported(peek(), "Record keys other than string");
        return std::nullopt;
      }
      next();
      next();
      auto value = last_type_argument(depth, name);
      if (!value) return std::nullopt;
      mark_indirect(first_reference);
      return Alternatives{
          {K::kSchema, {{"type", "object"}, {"additionalProperties", schema_of(*value)}}}};
    }

    if (is(peek(1), "<")) {
      return unsupported_type(t, "generic types other than Array<T> and Record<string, T>");
    }
    if (is(peek(1), ".")) return unsupported_type(t, "qualified names (A.B)");
    references_.push_back({name, current_, t.at, true});
    next();
    return Alternatives{{K::kSchema, {{"$ref", ref_to(name, root_)}}}};
  }

  std::optional<Alternatives> unsupported_type(const Token& t, std::string_view what) {
    unsupported(t, what);
    return std::nullopt;
  }

  // ---- whole-source checks -------------------------------------------------------------------

  bool check_unknown(const std::string& name, Place at, std::string_view role) {
    if (index_.contains(name)) return true;
    std::vector<std::string_view> names;
    for (const auto& d : declarations_) names.push_back(d.name);
    for (const auto builtin : {"string", "number", "boolean", "null"}) names.push_back(builtin);
    std::string message = "unknown " + std::string(role) + " " + dquote(name);
    if (auto hint = did_you_mean(name, names)) {
      message += " (did you mean " + dquote(*hint) + "?)";
    } else if (name == "String" || name == "Number" || name == "Boolean") {
      message += " (did you mean " + dquote(to_lower(name)) + "?)";
    } else if (name == "Date") {
      message += " (JSON has no dates; use string)";
    }
    message += "; declared: " + names_list(declarations_);
    return fail(at, std::move(message));
  }

  bool check_references() {
    for (const auto& r : references_)
      if (!check_unknown(r.name, r.at, "type name")) return false;
    for (const auto& d : declarations_)
      for (const auto& [base, at] : d.bases)
        if (!check_unknown(base, at, "base type")) return false;
    return true;
  }

  // Indices into references_ grouped by the declaration they appear in.
  std::map<std::string, std::vector<std::size_t>> references_by_declaration() const {
    std::map<std::string, std::vector<std::size_t>> out;
    for (std::size_t i = 0; i < references_.size(); ++i) out[references_[i].from].push_back(i);
    return out;
  }

  // `type A = B | null; type B = A` has no finite meaning; TypeScript rejects it too. The walk
  // keeps its own stack: a chain of aliases as long as the source must not overflow ours.
  bool check_alias_cycles() {
    const auto by_declaration = references_by_declaration();
    const std::vector<std::size_t> none;
    enum State { kUnvisited, kOnPath, kDone };
    std::map<std::string, State> state;
    struct Frame {
      std::string alias;
      const std::vector<std::size_t>* references;
      std::size_t next = 0;
    };
    const auto frame_for = [&](const std::string& alias) {
      state[alias] = kOnPath;
      const auto it = by_declaration.find(alias);
      return Frame{alias, it == by_declaration.end() ? &none : &it->second};
    };
    for (const auto& d : declarations_) {
      if (d.is_interface || state[d.name] != kUnvisited) continue;
      std::vector<Frame> path{frame_for(d.name)};
      while (!path.empty()) {
        Frame& top = path.back();
        if (top.next == top.references->size()) {
          state[top.alias] = kDone;
          path.pop_back();
          continue;
        }
        const Reference& r = references_[(*top.references)[top.next++]];
        if (!r.direct || declarations_[index_.at(r.name)].is_interface) continue;
        if (state[r.name] == kOnPath) {
          std::string cycle;
          auto it = std::find_if(path.begin(), path.end(),
                                 [&](const Frame& f) { return f.alias == r.name; });
          for (; it != path.end(); ++it) cycle += it->alias + " -> ";
          return fail(r.at, "type alias " + dquote(r.name) + " circularly references itself (" +
                                cycle + r.name + ")");
        }
        if (state[r.name] == kUnvisited) path.push_back(frame_for(r.name));
      }
    }
    return true;
  }

  // `interface B extends A` copies A's members into B; B's own members win on a clash. Bases
  // merge before the interfaces extending them, on an explicit stack as above.
  bool merge_bases() {
    enum State { kUnvisited, kOnPath, kDone };
    std::vector<State> state(declarations_.size(), kUnvisited);
    struct Frame {
      std::size_t declaration;
      std::size_t next_base = 0;
    };
    for (std::size_t start = 0; start < declarations_.size(); ++start) {
      if (state[start] != kUnvisited) continue;
      state[start] = kOnPath;
      std::vector<Frame> path{{start}};
      while (!path.empty()) {
        Frame& top = path.back();
        const Declaration& d = declarations_[top.declaration];
        if (top.next_base < d.bases.size()) {
          const auto& [base_name, at] = d.bases[top.next_base++];
          const std::size_t b = index_.at(base_name);
          if (state[b] == kOnPath) {
            return fail(
                at, "interface " + dquote(d.name) + " extends itself through " + dquote(base_name));
          }
          if (state[b] == kUnvisited) {
            state[b] = kOnPath;
            path.push_back({b});
          }
          continue;
        }
        if (!merge_into(declarations_[top.declaration])) return false;
        state[top.declaration] = kDone;
        path.pop_back();
      }
    }
    return true;
  }

  // Merges the (already merged) bases of `d` into it.
  bool merge_into(Declaration& d) {
    if (d.bases.empty()) return true;
    json properties = json::object();
    json required = json::array();
    for (const auto& [base_name, at] : d.bases) {
      const json& base = declarations_[index_.at(base_name)].schema;
      const auto closed = base.find("additionalProperties");
      if (!base.contains("properties") || closed == base.end() || *closed != false) {
        return fail(at, dquote(base_name) +
                            " is not an object type; an interface can extend only interfaces "
                            "and object type aliases");
      }
      for (const auto& [key, value] : base.at("properties").items()) properties[key] = value;
      for (const auto& key : base.at("required")) push_unique(required, key);
    }
    for (const auto& [key, value] : d.schema["properties"].items()) {
      properties[key] = value;
      required.erase(std::remove(required.begin(), required.end(), key), required.end());
    }
    for (const auto& key : d.schema["required"]) push_unique(required, key);
    d.schema["properties"] = std::move(properties);
    d.schema["required"] = std::move(required);
    return true;
  }

  // Named types the root needs in $defs: those it references, directly or through other
  // named types, including references that arrived with members inherited from a base.
  std::set<std::string> reachable_from(const std::string& root) const {
    const auto by_declaration = references_by_declaration();
    std::set<std::string> defs;
    std::set<std::string> walked;
    std::vector<std::string> todo{root};
    while (!todo.empty()) {
      const std::string name = todo.back();
      todo.pop_back();
      if (!walked.insert(name).second) continue;
      if (const auto it = by_declaration.find(name); it != by_declaration.end()) {
        for (const std::size_t i : it->second) {
          const Reference& r = references_[i];
          if (r.name != root) defs.insert(r.name);
          todo.push_back(r.name);
        }
      }
      for (const auto& [base, at] : declarations_[index_.at(name)].bases) todo.push_back(base);
    }
    return defs;
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  std::string root_;
  TypeScriptError& error_;
  std::string current_;  // the declaration being parsed, for Reference::from
  std::vector<Declaration> declarations_;
  std::map<std::string, std::size_t> index_;
  std::vector<Reference> references_;
};

}  // namespace

std::optional<json> typescript_to_schema(std::string_view source, std::string_view type_name,
                                         TypeScriptError& error) {
  error = {};
  if (const std::size_t bad = invalid_utf8_at(source); bad != std::string_view::npos) {
    const Place at = Lexer::place_of(source, bad);
    error = {at.line, at.column, "the source is not valid UTF-8"};
    return std::nullopt;
  }
  auto tokens = Lexer(source, error).run();
  if (!tokens) return std::nullopt;
  return Parser(std::move(*tokens), type_name, error).convert();
}

std::string to_string(const TypeScriptError& error) {
  if (error.line == 0) return error.message;
  return std::to_string(error.line) + ":" + std::to_string(error.column) + ": " + error.message;
}

}  // namespace tb
