#pragma once
// The "format" keyword's checkers (date-time, email, hostname, ipv4/6, uri, uuid, ...), each a
// hand-written parser of its RFC's grammar: no regex, no allocation. They run only when formats
// are asserted. The "regex" format is the compiler's (it needs the regex dialect, regex.hpp).
// Internal to the JSON Schema engine (score/schema/).
#include <string_view>

namespace tb::schema_detail {

// The id of a known format name, 0 for a format this validator does not know (an annotation
// only, even when formats are asserted).
int format_id(std::string_view name);

// Whether s is valid for the format with that id; true for id 0.
bool check_format(int id, std::string_view s);

// The grammars formats.cpp and format_uri.cpp share.
inline bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
inline bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
inline bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool check_ipv6(std::string_view s);                                     // formats.cpp
bool check_uri_like(std::string_view s, bool require_scheme, bool iri);  // format_uri.cpp
bool check_uri_template(std::string_view s);  // format_uri.cpp (RFC 6570)

}  // namespace tb::schema_detail
