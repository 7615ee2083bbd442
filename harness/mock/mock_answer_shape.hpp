#pragma once
// How a chat request asks its answer to be shaped (response_format, tools, tool_choice), and the
// answer's message in that shape: what lets the mock stand in for structured outputs and
// function calling.
#include <string>

#include <nlohmann/json.hpp>

namespace tb {

struct AnswerShape {
  // A strict schema holds the answer (json_schema with strict: true, or a strict function): only
  // cut-offs break it.
  bool strict = false;
  // The request names a JSON format (json_object, a json_schema, a function's parameters): the
  // format is spelled out whatever the prompt says.
  bool json = false;
  std::string tool_name;  // non-empty: the answer is a call of this function
};

// tool_choice "none" or no tools: no call. A named tool_choice calls that function; "auto" and
// "required" call the first one offered. Legacy `functions` with function_call likewise.
AnswerShape answer_shape(const nlohmann::json& request);

// The assistant message and finish reason for `text` in `shape`: content, or a tool call whose
// arguments are the text ("tool_calls" unless the text was cut: "length").
nlohmann::json answer_message(const AnswerShape& shape, const std::string& text,
                              const std::string& call_id);
std::string answer_finish_reason(const AnswerShape& shape, const std::string& finish_reason);

}  // namespace tb
