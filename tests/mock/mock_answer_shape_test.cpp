// The mock under structured outputs and function calling: a strict schema keeps the format (only
// cut-offs break it, at the profile's format_break_structured), a function is answered with a
// call whose arguments are the answer, whole and streamed, and transport faults still apply.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "mock/mock_answer_shape.hpp"
#include "mock/mock_model.hpp"
#include "provider/chat_stream.hpp"

using namespace tb;
using json = nlohmann::json;

namespace {

const json kSchema = {{"type", "object"}, {"properties", {{"term", {{"type", "string"}}}}}};

json request(const std::string& user, const json& extra) {
  json body = {
      {"model", "gpt-4o-mini"},
      {"messages",
       {{{"role", "system"}, {"content", "Define it."}}, {{"role", "user"}, {"content", user}}}}};
  body.update(extra);
  return body;
}

const json kStrict = {{"response_format",
                       {{"type", "json_schema"},
                        {"json_schema", {{"name", "T"}, {"strict", true}, {"schema", kSchema}}}}}};
const json kTool = {
    {"tools",
     json::array({{{"type", "function"},
                   {"function", {{"name", "Term"}, {"strict", true}, {"parameters", kSchema}}}}})},
    {"tool_choice", {{"type", "function"}, {"function", {{"name", "Term"}}}}}};

MockModel model(MockConfig config, int n) {
  MockModel m(std::move(config), estimate_token_counter());
  for (int i = 0; i < n; ++i)
    m.add_case("t" + std::to_string(i), json{{"term", "t" + std::to_string(i)},
                                             {"definition", "a definition of the term"},
                                             {"category", "web"}}
                                            .dump());
  return m;
}

}  // namespace

TEST_CASE("answer_shape reads response_format, tools and tool_choice", "[mock][tools]") {
  CHECK(answer_shape(request("x", kStrict)).strict);
  CHECK(answer_shape(request("x", kStrict)).tool_name.empty());
  const auto tool = answer_shape(request("x", kTool));
  CHECK(tool.tool_name == "Term");
  CHECK(tool.strict);
  CHECK(answer_shape(request("x", {{"response_format", {{"type", "json_object"}}}})).json);
  CHECK_FALSE(answer_shape(request("x", {{"response_format", {{"type", "json_object"}}}})).strict);
  json none = request("x", kTool);
  none["tool_choice"] = "none";
  CHECK(answer_shape(none).tool_name.empty());
  // A named choice picks its function among several; the legacy functions list works too.
  json two = request("x", kTool);
  two["tools"].push_back({{"type", "function"}, {"function", {{"name", "Other"}}}});
  two["tool_choice"] = {{"type", "function"}, {"function", {{"name", "Other"}}}};
  CHECK(answer_shape(two).tool_name == "Other");
  CHECK_FALSE(answer_shape(two).strict);
  CHECK(answer_shape(request("x", {{"functions", json::array({{{"name", "f"}}})}})).tool_name ==
        "f");
}

TEST_CASE("a strict schema keeps the mock's format; only cut-offs break it, at their own rate",
          "[mock][tools]") {
  MockConfig config = default_mock_config();
  config.base.format_break_unprompted = 1.0;  // the short prompt alone would always break it
  config.base.format_break = 1.0;
  config.base.format_break_structured = 0.2;
  config.base.field_error = 0;
  const MockModel m = model(config, 400);
  int exact = 0, cut = 0;
  for (int i = 0; i < 400; ++i) {
    const json reply =
        json::parse(m.chat_completion(request("t" + std::to_string(i), kStrict).dump(), 0).body);
    const auto& choice = reply["choices"][0];
    const std::string content = choice["message"]["content"];
    if (choice["finish_reason"] == "length") {
      ++cut;
      CHECK(json::parse(content, nullptr, false).is_discarded());  // cut mid-object
    } else {
      CHECK(json::parse(content)["term"] == "t" + std::to_string(i));
      ++exact;
    }
  }
  CHECK(cut == Approx(80).margin(30));
  CHECK(exact + cut == 400);
}

TEST_CASE("a function is answered with a call whose arguments are the answer, whole and streamed",
          "[mock][tools]") {
  MockConfig config = default_mock_config();
  config.base.format_break_structured = 0;
  config.base.field_error = 0;
  const MockModel m = model(config, 3);
  const json reply = json::parse(m.chat_completion(request("t1", kTool).dump(), 0).body);
  const auto& message = reply["choices"][0]["message"];
  CHECK(message["content"].is_null());
  CHECK(message["tool_calls"][0]["function"]["name"] == "Term");
  CHECK(json::parse(message["tool_calls"][0]["function"]["arguments"].get<std::string>())["term"] ==
        "t1");
  CHECK(reply["choices"][0]["finish_reason"] == "tool_calls");

  json streamed = request("t2", kTool);
  streamed["stream"] = true;
  const auto events = m.chat_completion(streamed.dump(), 0).events;
  REQUIRE(events.size() > 3);
  ChatStream s;
  for (const auto& e : events) s.feed(e, 0);
  const auto r = s.finish();
  REQUIRE(r.error == ErrorClass::none);
  REQUIRE(r.tool_calls.size() == 1);
  CHECK(r.tool_calls[0].name == "Term");
  CHECK(json::parse(r.tool_calls[0].arguments)["term"] == "t2");
  CHECK(r.finish_reason == "tool_calls");
}

TEST_CASE("transport faults still break structured and tool answers", "[mock][tools]") {
  MockConfig config = default_mock_config();
  config.faults.truncated = 1.0;
  const MockModel m = model(config, 1);
  CHECK(m.chat_completion(request("t0", kTool).dump(), 0).fault == MockFault::truncate);
  config.faults.truncated = 0;
  config.faults.malformed = 1.0;
  const MockModel bad = model(config, 1);
  CHECK(json::parse(bad.chat_completion(request("t0", kStrict).dump(), 0).body, nullptr, false)
            .is_discarded());
}

TEST_CASE("worked examples in the prompt spell the format out for the mock's base model",
          "[mock][few-shot]") {
  MockConfig config = default_mock_config();
  config.base.format_break = 0;
  config.base.format_break_unprompted = 1.0;
  config.base.field_error = 0;
  const MockModel m = model(config, 2);
  json plain = request("t0", json::object());
  const std::string bare =
      json::parse(m.chat_completion(plain.dump(), 0).body)["choices"][0]["message"]["content"];
  const json broken = json::parse(bare, nullptr, false);
  CHECK(
      (broken.is_discarded() ||
       broken != json::parse(
                     R"({"term":"t0","definition":"a definition of the term","category":"web"})")));
  json shot = plain;
  auto& messages = shot["messages"];
  messages.insert(messages.begin() + 1, json::object({{"role", "user"}, {"content", "other"}}));
  messages.insert(
      messages.begin() + 2,
      json::object({{"role", "assistant"},
                    {"content", R"({"term":"other","definition":"d","category":"web"})"}}));
  const std::string answered =
      json::parse(m.chat_completion(shot.dump(), 0).body)["choices"][0]["message"]["content"];
  CHECK(json::parse(answered)["term"] == "t0");
}
