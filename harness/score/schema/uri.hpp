#pragma once
// URIs (RFC 3986 reference resolution) and JSON Pointers, as "$id", "$ref" and
// "$dynamicRef" use them. Internal to the JSON Schema engine (score/schema/).
#include <string>
#include <string_view>
#include <utility>

namespace tb::schema_detail {

// The components of a URI reference; views into the string parsed.
struct UriParts {
  std::string_view scheme, authority, path, query, fragment;
  bool has_scheme = false, has_authority = false, has_query = false, has_fragment = false;
};

UriParts parse_uri(std::string_view s);

// `ref` resolved against `base` (RFC 3986 section 5.2).
std::string resolve_uri(std::string_view base, std::string_view ref);

// Splits "abs#frag" into ("abs", "frag"); an empty fragment is the same as none.
std::pair<std::string, std::string> split_fragment(const std::string& uri);

std::string percent_decode(std::string_view s);
// A file path as a file: URI path: everything but unreserved characters, '/' and ':' encoded.
std::string percent_encode_path(std::string_view s);

// One reference token of a JSON Pointer with ~1 and ~0 unescaped.
std::string pointer_unescape(std::string_view token);

}  // namespace tb::schema_detail
