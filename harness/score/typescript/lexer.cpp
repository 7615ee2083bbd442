// The TypeScript converter's lexer.
#include "score/typescript/lexer.hpp"

#include <utility>

#include "common/text.hpp"

namespace tb::typescript_detail {
namespace {

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

}  // namespace

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

std::optional<std::vector<Token>> tokenize(std::string_view source, TypeScriptError& error) {
  return Lexer(source, error).run();
}

Place place_of(std::string_view source, std::size_t offset) {
  return Lexer::place_of(source, offset);
}

}  // namespace tb::typescript_detail
