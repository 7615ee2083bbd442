#include "suite/prompt_renderer.hpp"

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

std::size_t prompt_characters(const nlohmann::json& messages) {
  std::size_t chars = 0;
  for (const auto& m : messages) {
    if (!m.contains("content")) continue;
    const auto& c = m["content"];
    if (c.is_string()) {
      // Characters, not bytes: count UTF-8 lead bytes.
      for (const unsigned char b : c.get_ref<const std::string&>())
        if ((b & 0xC0) != 0x80) ++chars;
    } else if (c.is_array()) {
      for (const auto& part : c)
        if (part.contains("text") && part["text"].is_string())
          for (const unsigned char b : part["text"].get_ref<const std::string&>())
            if ((b & 0xC0) != 0x80) ++chars;
    }
  }
  return chars;
}

}  // namespace tb
