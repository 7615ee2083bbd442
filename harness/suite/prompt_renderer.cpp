#include "suite/prompt_renderer.hpp"

#include "common/utf8.hpp"
#include "suite/passage_template.hpp"

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

nlohmann::json render_messages(const Variant& variant, const TestCase& test_case,
                               const std::string& passage_block) {
  auto messages = render_messages(variant, test_case);
  if (variant.retrieve)
    insert_passage_block(variant.retrieve->passage_template, passage_block, messages);
  return messages;
}

const nlohmann::json& rendered_messages(const Variant& variant, const TestCase& test_case,
                                        nlohmann::json& storage) {
  if (variant.kind == VariantKind::as_is || !variant.system) return test_case.messages;
  storage = render_messages(variant, test_case);
  return storage;
}

std::string question_text(const nlohmann::json& messages) {
  for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
    if (!it->is_object() || it->value("role", "") != "user" || !it->contains("content")) continue;
    const auto& c = (*it)["content"];
    if (c.is_string()) return c.get<std::string>();
    std::string out;
    if (c.is_array())
      for (const auto& part : c)
        if (part.is_object() && part.contains("text") && part["text"].is_string())
          out += (out.empty() ? "" : "\n") + part["text"].get<std::string>();  // words apart
    return out;
  }
  return {};
}

std::size_t prompt_characters(const nlohmann::json& messages) {
  std::size_t chars = 0;
  for (const auto& m : messages) {
    if (!m.contains("content")) continue;
    const auto& c = m["content"];
    if (c.is_string()) {
      chars += utf8_length(c.get_ref<const std::string&>());  // characters, not bytes
    } else if (c.is_array()) {
      for (const auto& part : c)
        if (part.contains("text") && part["text"].is_string())
          chars += utf8_length(part["text"].get_ref<const std::string&>());
    }
  }
  return chars;
}

}  // namespace tb
