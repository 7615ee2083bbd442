#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "provider/chat_request.hpp"

namespace {

// The body as it was built before messages were written in place: one json object, dumped.
std::string reference_body(const tb::ChatParams& p, const nlohmann::json& messages) {
  nlohmann::json body = {{"model", p.model}, {"messages", messages}};
  if (p.temperature) body["temperature"] = *p.temperature;
  if (p.max_tokens) body["max_tokens"] = *p.max_tokens;
  if (p.seed) body["seed"] = *p.seed;
  if (!p.response_format.is_null()) body["response_format"] = p.response_format;
  if (p.stream) {
    body["stream"] = true;
    body["stream_options"] = {{"include_usage", true}};
  }
  if (p.extra_body.is_object()) body.update(p.extra_body);
  return body.dump();
}

}  // namespace

TEST_CASE("chat bodies are byte for byte the dump of the whole request", "[chat_request]") {
  const auto messages = nlohmann::json::parse(
      R"([{"role":"system","content":"Answer in JSON.\n"},{"role":"user","content":"Définis \"TLS\""}])");
  tb::ChatParams p;
  p.model = "gpt-4o-mini";
  CHECK(tb::build_chat_body(p, messages) == reference_body(p, messages));
  p.temperature = 0.7;
  p.max_tokens = 200;
  p.seed = 42;
  p.response_format = {{"type", "json_object"}};
  p.stream = true;
  CHECK(tb::build_chat_body(p, messages) == reference_body(p, messages));
  // extra_body keys sort before and after "messages", and may replace the messages themselves.
  p.extra_body = {{"logprobs", true}, {"n", 1}, {"top_p", 0.9}};
  CHECK(tb::build_chat_body(p, messages) == reference_body(p, messages));
  p.extra_body["messages"] = nlohmann::json::array();
  const std::string replaced = tb::build_chat_body(p, messages);
  CHECK(replaced == reference_body(p, messages));
  CHECK(nlohmann::json::parse(replaced)["messages"].empty());
}
