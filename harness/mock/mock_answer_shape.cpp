#include "mock/mock_answer_shape.hpp"

namespace tb {
namespace {

using json = nlohmann::json;

// A function definition's name and whether it is strict, from a tools item or a legacy function.
const json* function_of(const json& item) {
  if (!item.is_object()) return nullptr;
  if (item.contains("function") && item["function"].is_object()) return &item["function"];
  if (item.contains("name")) return &item;  // legacy functions: [{name, parameters}]
  return nullptr;
}

}  // namespace

AnswerShape answer_shape(const json& request) {
  AnswerShape shape;
  if (request.contains("response_format") && request["response_format"].is_object()) {
    const auto& rf = request["response_format"];
    const std::string type = rf.value("type", "");
    if (type == "json_object") shape.json = true;
    if (type == "json_schema") {
      shape.json = true;
      const auto& js = rf.value("json_schema", json::object());
      shape.strict = js.is_object() && js.value("strict", false) == true;
    }
  }
  const char* list = request.contains("tools") ? "tools" : "functions";
  const char* choice_key = request.contains("tools") ? "tool_choice" : "function_call";
  if (!request.contains(list) || !request[list].is_array() || request[list].empty()) return shape;
  const json choice = request.value(choice_key, json());
  if (choice == "none") return shape;
  const json* chosen = function_of(request[list][0]);
  if (choice.is_object()) {
    const std::string wanted = choice.contains("function") ? choice["function"].value("name", "")
                                                           : choice.value("name", "");
    for (const auto& item : request[list])
      if (const json* f = function_of(item); f && f->value("name", "") == wanted) chosen = f;
  }
  if (!chosen) return shape;
  shape.tool_name = chosen->value("name", "function");
  shape.json = true;
  shape.strict = chosen->value("strict", false) == true;
  return shape;
}

json answer_message(const AnswerShape& shape, const std::string& text, const std::string& call_id) {
  if (shape.tool_name.empty()) return {{"role", "assistant"}, {"content", text}};
  return {{"role", "assistant"},
          {"content", nullptr},
          {"tool_calls",
           json::array({{{"id", call_id},
                         {"type", "function"},
                         {"function", {{"name", shape.tool_name}, {"arguments", text}}}}})}};
}

std::string answer_finish_reason(const AnswerShape& shape, const std::string& finish_reason) {
  if (shape.tool_name.empty() || finish_reason == "length") return finish_reason;
  return "tool_calls";
}

}  // namespace tb
