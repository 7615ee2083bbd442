#include <catch2/catch.hpp>

#include <limits>

#include <nlohmann/json.hpp>

#include "common/secrets.hpp"
#include "provider/chat_request.hpp"
#include "provider/chat_response.hpp"

using namespace tb;

TEST_CASE("a chat.completion gives content, finish reason and usage", "[provider]") {
  const auto r =
      parse_chat_response(200, R"({"id":"x","object":"chat.completion","model":"gpt-4o-mini",
    "choices":[{"index":0,"message":{"role":"assistant","content":"{\"a\":1}"},"finish_reason":"stop"}],
    "usage":{"prompt_tokens":120,"completion_tokens":9,"total_tokens":129,"prompt_tokens_details":{"cached_tokens":64}}})");
  CHECK(r.error == ErrorClass::none);
  CHECK(r.content == "{\"a\":1}");
  CHECK(r.finish_reason == "stop");
  CHECK(r.model == "gpt-4o-mini");
  CHECK(r.usage.present);
  CHECK(r.usage.prompt_tokens == 120);
  CHECK(r.usage.completion_tokens == 9);
  CHECK(r.usage.cached_tokens == 64);
}

TEST_CASE("HTTP errors map to classes", "[provider]") {
  CHECK(parse_chat_response(401, R"({"error":{"message":"Incorrect API key"}})").error ==
        ErrorClass::auth);
  CHECK(parse_chat_response(403, "forbidden").error == ErrorClass::auth);
  CHECK(
      parse_chat_response(429, R"({"error":{"message":"slow down","code":"rate_limit_exceeded"}})")
          .error == ErrorClass::rate_limit);
  CHECK(parse_chat_response(429, R"({"error":{"message":"quota","type":"insufficient_quota"}})")
            .error == ErrorClass::auth);
  CHECK(parse_chat_response(500, "").error == ErrorClass::server);
  CHECK(parse_chat_response(503, "<html>").error == ErrorClass::server);
  CHECK(parse_chat_response(408, "").error == ErrorClass::timeout);
  CHECK(
      parse_chat_response(
          400,
          R"({"error":{"message":"This model's maximum context length is 128000 tokens","code":"context_length_exceeded"}})")
          .error == ErrorClass::context_length);
  CHECK(parse_chat_response(404, R"({"error":{"message":"The model does not exist"}})").error ==
        ErrorClass::bad_request);
  const auto e = parse_chat_response(429, R"({"error":{"message":"Rate limit reached"}})");
  CHECK(e.error_message == "HTTP 429: Rate limit reached");
}

TEST_CASE("malformed 2xx bodies are bad_response, never a crash", "[provider]") {
  CHECK(parse_chat_response(200, "").error == ErrorClass::bad_response);
  CHECK(parse_chat_response(200, "{\"choices\":[{\"message\":{\"content\":\"x\"").error ==
        ErrorClass::bad_response);
  CHECK(parse_chat_response(200, "[]").error == ErrorClass::bad_response);
  CHECK(parse_chat_response(200, R"({"choices":[]})").error == ErrorClass::bad_response);
  CHECK(parse_chat_response(200, R"({"choices":[{"index":0}]})").error == ErrorClass::bad_response);
  CHECK(parse_chat_response(200, R"({"choices":[{"message":{"role":"assistant"}}]})").error ==
        ErrorClass::bad_response);
}

TEST_CASE("API keys are scrubbed from error messages", "[provider][security]") {
  Secrets::add("sk-test-0123456789abcdef");
  const auto r = parse_chat_response(
      401, R"({"error":{"message":"Incorrect API key provided: sk-test-0123456789abcdef."}})");
  CHECK(r.error_message.find("sk-test-0123456789abcdef") == std::string::npos);
  CHECK(r.error_message.find("[REDACTED]") != std::string::npos);
}

TEST_CASE("no prefix of a key survives where an error message is cut", "[provider][security]") {
  // Found by fuzz/chat_response_fuzz: messages were cut to 300 (or 120) characters before the
  // key was redacted, so a key straddling the cut left its first characters in the message.
  const std::string key = "sk-test-straddle-0123456789abcdefghijklmnop";
  Secrets::add(key);
  const std::string prefix = key.substr(0, 5);  // the messages hold only x, y and the key
  for (const std::size_t at : {100u, 110u, 280u, 290u, 295u}) {
    INFO("key at " << at);
    const std::string text = std::string(at, 'x') + key + std::string(40, 'y');
    const auto json_error = parse_chat_response(401, R"({"error":{"message":")" + text + R"("}})");
    CHECK(json_error.error_message.find(prefix) == std::string::npos);
    const auto raw_error = parse_chat_response(502, text);
    CHECK(raw_error.error_message.find(prefix) == std::string::npos);
    const auto not_json = parse_chat_response(200, text);
    CHECK(not_json.error == ErrorClass::bad_response);
    CHECK(not_json.error_message.find(prefix) == std::string::npos);
  }
  // Redaction happens before the cut, so a key early in a long message shows as [REDACTED].
  const auto early = parse_chat_response(502, std::string(10, 'x') + key + std::string(400, 'y'));
  CHECK(early.error_message.find("[REDACTED]") != std::string::npos);
}

TEST_CASE("usage counts out of range saturate instead of overflowing", "[provider]") {
  // Found by fuzz/chat_response_fuzz: a double or unsigned count beyond long long was converted
  // with undefined behaviour (on x86, 1e21 tokens became -9223372036854775808).
  constexpr long long kMax = std::numeric_limits<long long>::max();
  const std::string usage = R"({"prompt_tokens":1e21,"completion_tokens":18446744073709551615,)"
                            R"("prompt_tokens_details":{"cached_tokens":-1e300}})";
  const auto completion = parse_chat_response(
      200, R"({"choices":[{"message":{"content":"x"}}],"usage":)" + usage + "}");
  REQUIRE(completion.error == ErrorClass::none);
  const Usage streamed = parse_usage(nlohmann::json::parse(usage));
  for (const Usage& u : {completion.usage, streamed}) {
    CHECK(u.prompt_tokens == kMax);
    CHECK(u.completion_tokens == kMax);
    CHECK(u.cached_tokens == std::numeric_limits<long long>::min());
    // Read, but not believed.
    CHECK_FALSE(u.believable());
    CHECK(u.wrong);
    CHECK(u.problem == "usage.prompt_tokens is 1e+21: more than 10,000,000 tokens in one request");
  }
  // In range, every kind reads as before.
  const Usage plain = parse_usage(nlohmann::json::parse(
      R"({"prompt_tokens":12,"completion_tokens":3.0,"prompt_tokens_details":{"cached_tokens":-2}})"));
  CHECK(plain.prompt_tokens == 12);
  CHECK(plain.completion_tokens == 3);
  CHECK(plain.cached_tokens == -2);
  CHECK(plain.problem == "usage.prompt_tokens_details.cached_tokens is -2: negative");
}

TEST_CASE("usage that is missing, not a count, negative or absurd is not believed, and says why",
          "[provider][usage]") {
  auto completion_usage = [](const std::string& usage) {
    const auto r = parse_chat_response(200, R"({"choices":[{"message":{"content":"x"}}])" +
                                                (usage.empty() ? "" : ",\"usage\":" + usage) + "}");
    REQUIRE(r.error == ErrorClass::none);  // the answer is kept either way
    if (!usage.empty() && usage != "null") {
      // The stream's reader says the same of the same usage object.
      const Usage streamed = parse_usage(nlohmann::json::parse(usage));
      CHECK(streamed.problem == r.usage.problem);
      CHECK(streamed.wrong == r.usage.wrong);
    }
    return r.usage;
  };
  const Usage good = completion_usage(
      R"({"prompt_tokens":12,"completion_tokens":5,"prompt_tokens_details":{"cached_tokens":4}})");
  CHECK(good.believable());
  CHECK(good.problem.empty());
  // Absent (or null, as streams send it before their last chunk): nothing to believe.
  for (const char* absent : {"", "null"}) {
    const Usage u = completion_usage(absent);
    CHECK_FALSE(u.present);
    CHECK_FALSE(u.believable());
  }
  struct Bad {
    const char* usage;
    const char* problem;
    bool wrong;
  };
  for (
      const auto& bad : {
          Bad{R"({"completion_tokens":5})", "usage.prompt_tokens is missing", false},
          Bad{R"({"prompt_tokens":"12","completion_tokens":5})",
              "usage.prompt_tokens is string, not a number", false},
          Bad{R"({"prompt_tokens":12,"completion_tokens":null})",
              "usage.completion_tokens is null, not a number", false},
          Bad{R"({"prompt_tokens":12.5,"completion_tokens":5})",
              "usage.prompt_tokens is 12.5, not a whole number", false},
          Bad{R"({"prompt_tokens":12,"completion_tokens":5,"prompt_tokens_details":{"cached_tokens":"x"}})",
              "usage.prompt_tokens_details.cached_tokens is string, not a number", false},
          Bad{R"("lots")", "usage is string, not an object", false},
          Bad{R"({"prompt_tokens":-12,"completion_tokens":-100000000})",
              "usage.prompt_tokens is -12: negative", true},
          Bad{R"({"prompt_tokens":12,"completion_tokens":10000001})",
              "usage.completion_tokens is 10000001: more than 10,000,000 tokens in one request",
              true},
      }) {
    INFO(bad.usage);
    const Usage u = completion_usage(bad.usage);
    CHECK(u.present);
    CHECK_FALSE(u.believable());
    CHECK(u.problem == bad.problem);
    CHECK(u.wrong == bad.wrong);
  }
  // At the bound, still believed.
  CHECK(completion_usage(R"({"prompt_tokens":10000000,"completion_tokens":0})").believable());
}

TEST_CASE("the request body carries the parameters that were set and nothing else", "[provider]") {
  ChatParams p;
  p.model = "gpt-4o-mini";
  const auto messages = nlohmann::json::parse(R"([{"role":"user","content":"hi"}])");
  auto body = nlohmann::json::parse(build_chat_body(p, messages));
  CHECK(body == nlohmann::json::parse(
                    R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]})"));
  p.temperature = 0;
  p.max_tokens = 50;
  p.seed = 7;
  p.response_format = {{"type", "json_object"}};
  p.extra_body = {{"top_p", 0.5}};
  p.stream = true;
  body = nlohmann::json::parse(build_chat_body(p, messages));
  CHECK(body["temperature"] == 0);
  CHECK(body["max_tokens"] == 50);
  CHECK(body["seed"] == 7);
  CHECK(body["response_format"]["type"] == "json_object");
  CHECK(body["top_p"] == 0.5);
  CHECK(body["stream_options"]["include_usage"] == true);
}

TEST_CASE("what came back for a request is classified: transport failures and answers",
          "[provider]") {
  HttpResponse big;
  big.error = NetError::too_large;
  CHECK(read_chat_response(big).error == ErrorClass::bad_response);
  HttpResponse slow;
  slow.error = NetError::timeout;
  CHECK(read_chat_response(slow).error == ErrorClass::timeout);
  HttpResponse reset;
  reset.error = NetError::reset;
  CHECK(read_chat_response(reset).error == ErrorClass::network);
  HttpResponse ok;
  ok.status = 200;
  ok.body = R"({"choices":[{"message":{"content":"hi"},"finish_reason":"stop"}]})";
  CHECK(read_chat_response(ok).content == "hi");
}

TEST_CASE("a gzip body nobody asked for is named as such", "[provider][utf8]") {
  const std::string gzip("\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\xab\xae\x05\x00", 14);
  const auto r = parse_chat_response(200, gzip);
  CHECK(r.error == ErrorClass::bad_response);
  CHECK(r.error_message ==
        "the body is gzip-compressed (Content-Encoding: gzip), which the request did not ask for; "
        "it is not JSON");
}

TEST_CASE("a body nested too deep is a bad_response that says so", "[provider][depth]") {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const auto whole = parse_chat_response(200, deep);
  CHECK(whole.error == ErrorClass::bad_response);
  CHECK(whole.error_message.starts_with(
      "the body is not JSON (nested deeper than 512 levels): \"[[[["));
  const auto inner =
      parse_chat_response(200, R"({"choices":[{"message":{"content":"x"}}],"extra":)" + deep + "}");
  CHECK(inner.error == ErrorClass::bad_response);
  // An error body that deep still gets its class from the status.
  const auto error = parse_chat_response(500, R"({"error":)" + deep + "}");
  CHECK(error.error == ErrorClass::server);
  CHECK(error.error_message.starts_with("HTTP 500: {\"error\":[[[["));
}
