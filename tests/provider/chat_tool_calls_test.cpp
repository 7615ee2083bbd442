// Function calling in the provider: what a request sends (tools, tool_choice,
// parallel_tool_calls, functions, response_format) and how an answer's tool calls are read,
// whole and streamed, malformed ones included.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "provider/chat_request.hpp"
#include "provider/chat_response.hpp"
#include "provider/chat_stream.hpp"

using namespace tb;
using json = nlohmann::json;

TEST_CASE("a request sends response_format, tools, tool_choice, parallel_tool_calls and functions",
          "[provider][tools]") {
  ChatParams p;
  p.model = "m";
  p.response_format = {{"type", "json_schema"},
                       {"json_schema", {{"name", "Term"}, {"strict", true}}}};
  p.tools = json::array({{{"type", "function"}, {"function", {{"name", "Term"}}}}});
  p.tool_choice = {{"type", "function"}, {"function", {{"name", "Term"}}}};
  p.parallel_tool_calls = false;
  p.functions = json::array({{{"name", "legacy"}}});
  const json body =
      json::parse(build_chat_body(p, json::array({{{"role", "user"}, {"content", "q"}}})));
  CHECK(body["response_format"]["json_schema"]["strict"] == true);
  CHECK(body["tools"][0]["function"]["name"] == "Term");
  CHECK(body["tool_choice"]["function"]["name"] == "Term");
  CHECK(body["parallel_tool_calls"] == false);
  CHECK(body["functions"][0]["name"] == "legacy");
  CHECK(body["messages"][0]["content"] == "q");

  ChatParams plain;
  plain.model = "m";
  const json none = json::parse(build_chat_body(plain, json::array()));
  for (const char* key :
       {"response_format", "tools", "tool_choice", "parallel_tool_calls", "functions"})
    CHECK_FALSE(none.contains(key));
}

TEST_CASE("an answer's tool calls are read and its first call's arguments are the answer",
          "[provider][tools]") {
  const auto r =
      parse_chat_response(200, R"({"choices":[{"message":{"role":"assistant","content":null,
    "tool_calls":[{"id":"call_1","type":"function","function":{"name":"Term","arguments":"{\"term\":\"Raft\"}"}},
                  {"id":"call_2","type":"function","function":{"name":"Other","arguments":"{}"}}]},
    "finish_reason":"tool_calls"}],"usage":{"prompt_tokens":5,"completion_tokens":7}})");
  REQUIRE(r.error == ErrorClass::none);
  REQUIRE(r.tool_calls.size() == 2);
  CHECK(r.tool_calls[0].id == "call_1");
  CHECK(r.tool_calls[0].name == "Term");
  CHECK(r.tool_calls[1].name == "Other");
  CHECK(answer_text(r) == "{\"term\":\"Raft\"}");
  CHECK(r.finish_reason == "tool_calls");
  const json stored = json::parse(tool_calls_json(r.tool_calls));
  CHECK(stored[0]["arguments"] == "{\"term\":\"Raft\"}");
  CHECK(stored[1]["id"] == "call_2");

  // The legacy function_call, and arguments a server sent as an object.
  const auto legacy = parse_chat_response(200, R"({"choices":[{"message":{"content":null,
    "function_call":{"name":"Term","arguments":{"term":"B-tree"}}},"finish_reason":"function_call"}]})");
  REQUIRE(legacy.error == ErrorClass::none);
  CHECK(answer_text(legacy) == "{\"term\":\"B-tree\"}");

  // Without calls the content is the answer.
  const auto content = parse_chat_response(200, R"({"choices":[{"message":{"content":"hi"}}]})");
  CHECK(answer_text(content) == "hi");
  CHECK(content.tool_calls.empty());
}

TEST_CASE(
    "malformed tool calls: bad arguments are the answer as written, a bad shape a bad response",
    "[provider][tools]") {
  // Arguments that are not JSON are what the model wrote: scored (not_json), not dropped.
  const auto cut = parse_chat_response(200, R"({"choices":[{"message":{"content":null,
    "tool_calls":[{"id":"c","type":"function","function":{"name":"Term","arguments":"{\"term\": \"Ra"}}]},
    "finish_reason":"length"}]})");
  REQUIRE(cut.error == ErrorClass::none);
  CHECK(answer_text(cut) == "{\"term\": \"Ra");

  const auto not_array = parse_chat_response(
      200, R"({"choices":[{"message":{"content":null,"tool_calls":{"id":"c"}}}]})");
  CHECK(not_array.error == ErrorClass::bad_response);
  CHECK(not_array.error_message == "choices[0].message.tool_calls is object, not an array");

  const auto no_function = parse_chat_response(
      200, R"({"choices":[{"message":{"content":null,"tool_calls":[{"id":"c"}]}}]})");
  CHECK(no_function.error == ErrorClass::bad_response);
  CHECK(no_function.error_message == "choices[0].message.tool_calls[0] has no function object");

  const auto item =
      parse_chat_response(200, R"({"choices":[{"message":{"content":null,"tool_calls":[3]}}]})");
  CHECK(item.error_message == "choices[0].message.tool_calls[0] is number, not an object");
}

namespace {

std::string tool_chunk(const json& call, const json& finish = nullptr) {
  return "data: " +
         json{{"object", "chat.completion.chunk"},
              {"choices", json::array({{{"index", 0},
                                        {"delta", {{"tool_calls", json::array({call})}}},
                                        {"finish_reason", finish}}})}}
             .dump() +
         "\n\n";
}

}  // namespace

TEST_CASE("streamed tool calls are assembled from their deltas by index",
          "[provider][tools][stream]") {
  ChatStream s;
  s.feed(tool_chunk({{"index", 0},
                     {"id", "call_a"},
                     {"type", "function"},
                     {"function", {{"name", "Term"}, {"arguments", ""}}}}),
         1);
  s.feed(tool_chunk({{"index", 0}, {"function", {{"arguments", "{\"term\":"}}}}), 2);
  s.feed(
      tool_chunk(
          {{"index", 1}, {"id", "call_b"}, {"function", {{"name", "Other"}, {"arguments", "{}"}}}}),
      3);
  // Split in the middle of an event: the SSE reader joins the pieces.
  const std::string last =
      tool_chunk({{"index", 0}, {"function", {{"arguments", "\"Raft\"}"}}}}, "tool_calls");
  s.feed(last.substr(0, 20), 4);
  s.feed(last.substr(20), 5);
  s.feed("data: [DONE]\n\n", 6);
  const auto r = s.finish();
  REQUIRE(r.error == ErrorClass::none);
  REQUIRE(r.tool_calls.size() == 2);
  CHECK(r.tool_calls[0].id == "call_a");
  CHECK(r.tool_calls[0].name == "Term");
  CHECK(r.tool_calls[0].arguments == "{\"term\":\"Raft\"}");
  CHECK(r.tool_calls[1].name == "Other");
  CHECK(answer_text(r) == "{\"term\":\"Raft\"}");
  CHECK(r.finish_reason == "tool_calls");
  CHECK(s.delta_times() == std::vector<double>{2, 3, 5});  // argument pieces time the answer

  // The legacy delta.function_call streams one call.
  ChatStream legacy;
  legacy.feed(
      "data: "
      "{\"choices\":[{\"delta\":{\"function_call\":{\"name\":\"Term\",\"arguments\":\"{\\\"a\\\"\"}"
      "}}]}\n\n",
      1);
  legacy.feed(
      "data: "
      "{\"choices\":[{\"delta\":{\"function_call\":{\"arguments\":\":1}\"}},\"finish_reason\":"
      "\"function_call\"}]}\n\n",
      2);
  const auto l = legacy.finish();
  REQUIRE(l.error == ErrorClass::none);
  CHECK(answer_text(l) == "{\"a\":1}");
}

TEST_CASE("a streamed tool call that skips an index, or grows past the cap, is a bad response",
          "[provider][tools][stream]") {
  ChatStream s;
  s.feed(tool_chunk({{"index", 5}, {"id", "x"}, {"function", {{"name", "T"}, {"arguments", "{}"}}}},
                    "tool_calls"),
         1);
  const auto r = s.finish();
  CHECK(r.error == ErrorClass::bad_response);
  CHECK(r.error_message == "a streamed tool call delta skips to index 5 after 0 calls");

  ChatStream small(8 * 1024);  // arguments may take 1 KiB
  small.feed(tool_chunk({{"index", 0},
                         {"id", "x"},
                         {"function", {{"name", "T"}, {"arguments", std::string(900, 'a')}}}}),
             1);
  small.feed(tool_chunk({{"index", 0}, {"function", {{"arguments", std::string(900, 'b')}}}},
                        "tool_calls"),
             2);
  const auto big = small.finish();
  CHECK(big.error == ErrorClass::bad_response);
  CHECK(big.tool_calls.empty());
}
