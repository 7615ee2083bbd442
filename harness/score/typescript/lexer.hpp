#pragma once
// The TypeScript converter's lexer: source text to tokens, with the JSDoc comment before each
// token attached to it. Internal to the converter (score/typescript_schema.cpp and
// score/typescript/).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "score/typescript_schema.hpp"

namespace tb::typescript_detail {

// What the converter supports, for errors about what it does not (lexer and parser alike).
constexpr std::string_view kSupported =
    "supported: primitives, literal unions, arrays, nested interfaces and type aliases, "
    "Record<string, T>";

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

// The tokens of `source`, the last one kEnd; nullopt with `error` set on a lexical error.
std::optional<std::vector<Token>> tokenize(std::string_view source, TypeScriptError& error);

// Offset of the first byte that is not part of well-formed UTF-8, or npos. Checked up front
// because nlohmann::json refuses to dump strings that are not UTF-8.
std::size_t invalid_utf8_at(std::string_view s);

// Line and column of a byte offset, for errors found before lexing.
Place place_of(std::string_view source, std::size_t offset);

}  // namespace tb::typescript_detail
