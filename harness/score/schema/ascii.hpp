#pragma once
// ASCII character classes, as the grammars of regexes, URIs and JSON Pointers define them
// (locale-free, unlike <cctype>). Internal to the JSON Schema engine (score/schema/).

namespace tb::schema_detail {

inline bool ascii_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
inline bool ascii_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace tb::schema_detail
