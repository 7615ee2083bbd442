#pragma once
// How deep JSON that nobody vetted may nest before it is refused.
//
// nlohmann::json parses and destroys without recursion, but dump(), copies, comparisons and
// most walks recurse once per level: an answer nested 100,000 levels deep overflowed the stack.
// Every text that comes from a server, a model or a user's file is therefore measured before it
// becomes a tree (JsonTape::parse stops at this depth; parse_json_bounded below for nlohmann),
// and a deeper value is refused with a reason instead of crashing whoever walks it next.
#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace tb {

// Real answers nest a few levels; serde_json stops at 128, simdjson at 1024.
inline constexpr std::size_t kMaxJsonDepth = 512;

// The deepest nesting of arrays and objects in `text` read as JSON (brackets inside strings are
// skipped); counting stops at limit + 1. Any bytes: it measures, it does not validate.
std::size_t json_nesting_depth(std::string_view text, std::size_t limit = kMaxJsonDepth);

// "nested deeper than 512 levels": the reason given wherever such a value is refused.
std::string json_too_deep_reason();

// nlohmann::json::parse(text, nullptr, false), except that a value nested deeper than
// kMaxJsonDepth is refused too: the result is discarded and *too_deep (if given) says why.
nlohmann::json parse_json_bounded(std::string_view text, bool* too_deep = nullptr);

}  // namespace tb
