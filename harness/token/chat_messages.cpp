#include "token/chat_messages.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tb {

std::size_t count_chat_messages(const ChatTokenCounter& counter, const nlohmann::json& messages,
                                std::size_t first, std::size_t last) {
  // Text parts are joined so the views below stay valid for the call.
  std::vector<std::string> joined;
  joined.reserve(messages.size());
  std::vector<ChatTokenMessage> views;
  views.reserve(messages.size());
  for (std::size_t i = first; i < std::min(last, messages.size()); ++i) {
    const auto& m = messages[i];
    ChatTokenMessage view;
    if (m.contains("role") && m["role"].is_string()) view.role = m["role"].get_ref<const std::string&>();
    if (m.contains("name") && m["name"].is_string()) view.name = m["name"].get_ref<const std::string&>();
    if (m.contains("content")) {
      const auto& c = m["content"];
      if (c.is_string()) {
        view.content = c.get_ref<const std::string&>();
      } else if (c.is_array()) {
        std::string text;
        for (const auto& part : c)
          if (part.is_object() && part.contains("text") && part["text"].is_string())
            text += part["text"].get_ref<const std::string&>();
        joined.push_back(std::move(text));
        view.content = joined.back();
      }
    }
    views.push_back(view);
  }
  return counter.count(views);
}

}  // namespace tb
