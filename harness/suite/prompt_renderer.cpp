#include "suite/prompt_renderer.hpp"

#include <bit>
#include <cstdint>
#include <cstring>

namespace tb {

nlohmann::json render_messages(const Variant& variant, const TestCase& test_case) {
  if (variant.kind == VariantKind::as_is || !variant.system) return test_case.messages;
  auto messages = nlohmann::json::array();
  messages.push_back({{"role", "system"}, {"content", *variant.system}});
  for (const auto& m : test_case.messages) {
    const auto& role = m["role"];
    if (role == "system" || role == "developer") continue;
    messages.push_back(m);
  }
  return messages;
}

const nlohmann::json& rendered_messages(const Variant& variant, const TestCase& test_case,
                                        nlohmann::json& storage) {
  if (variant.kind == VariantKind::as_is || !variant.system) return test_case.messages;
  storage = render_messages(variant, test_case);
  return storage;
}

namespace {

// UTF-8 characters in a string: bytes that are not continuation bytes (10xxxxxx), counted
// eight at a time.
std::size_t utf8_characters(const std::string& s) {
  constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
  std::size_t continuation = 0, i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t x;
    std::memcpy(&x, s.data() + i, 8);
    continuation += static_cast<std::size_t>(std::popcount(x & ~(x << 1) & kHighs));
  }
  for (; i < s.size(); ++i) continuation += (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80;
  return s.size() - continuation;
}

}  // namespace

std::size_t prompt_characters(const nlohmann::json& messages) {
  std::size_t chars = 0;
  for (const auto& m : messages) {
    if (!m.contains("content")) continue;
    const auto& c = m["content"];
    if (c.is_string()) {
      chars += utf8_characters(c.get_ref<const std::string&>());  // characters, not bytes
    } else if (c.is_array()) {
      for (const auto& part : c)
        if (part.contains("text") && part["text"].is_string())
          chars += utf8_characters(part["text"].get_ref<const std::string&>());
    }
  }
  return chars;
}

}  // namespace tb
