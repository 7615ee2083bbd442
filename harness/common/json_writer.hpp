#pragma once
// Compact JSON text of a nlohmann::json, byte for byte what dump() gives, written faster: runs of
// plain characters are copied whole instead of passing one byte at a time through a UTF-8 state
// machine. Request bodies (~1 KB of messages per request) are written with it; identical output
// keeps response-cache keys, which hash the body, stable.
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace tb {

// Appends v as compact JSON. Invalid UTF-8 in a string throws what dump() throws.
void append_json(std::string& out, const nlohmann::json& v);
// Appends s as a JSON string literal (with the quotes), as dump() writes it.
void append_json_string(std::string& out, const std::string& s);
// Appends the inside of a JSON string literal: quote, backslash and control characters
// escaped as dump() escapes them; other bytes as they are, valid UTF-8 or not (for messages).
void append_json_escaped(std::string& out, std::string_view s);

}  // namespace tb
