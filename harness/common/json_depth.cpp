#include "common/json_depth.hpp"

#include <nlohmann/json.hpp>

namespace tb {

std::size_t json_nesting_depth(std::string_view text, std::size_t limit) {
  std::size_t depth = 0, deepest = 0;
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n; ++i) {
    switch (text[i]) {
      case '"':
        // Skip the string: to its closing quote, over escapes (an unclosed one runs to the end).
        for (++i; i < n && text[i] != '"'; ++i)
          if (text[i] == '\\') ++i;
        break;
      case '[':
      case '{':
        if (++depth > deepest && (deepest = depth) > limit) return deepest;
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default:
        break;
    }
  }
  return deepest;
}

std::string json_too_deep_reason() {
  return "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
}

nlohmann::json parse_json_bounded(std::string_view text, bool* too_deep) {
  const bool deep = json_nesting_depth(text) > kMaxJsonDepth;
  if (too_deep != nullptr) *too_deep = deep;
  if (deep) return nlohmann::json(nlohmann::json::value_t::discarded);
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

}  // namespace tb
