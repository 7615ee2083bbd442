#include <catch2/catch.hpp>

#include "common/secrets.hpp"
#include "provider/chat_stream.hpp"

using namespace tb;

namespace {

std::string chunk(const std::string& content, const std::string& finish = "") {
  std::string c =
      R"({"object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"content":")" +
      content + R"("},"finish_reason":)" + (finish.empty() ? "null" : "\"" + finish + "\"") + "}]}";
  return "data: " + c + "\n\n";
}

const std::string kUsage =
    "data: "
    "{\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,"
    "\"completion_tokens\":3,\"total_tokens\":15}}\n\n";

}  // namespace

TEST_CASE("a streamed answer is assembled with usage and delta times", "[stream]") {
  ChatStream s;
  s.feed(chunk("{\\\"a\\\""), 10);
  s.feed(chunk(":1"), 20);
  s.feed(chunk("}", "stop"), 30);
  s.feed(kUsage, 31);
  s.feed("data: [DONE]\n\n", 32);
  const auto r = s.finish();
  CHECK(r.error == ErrorClass::none);
  CHECK(r.content == "{\"a\":1}");
  CHECK(r.finish_reason == "stop");
  CHECK(r.usage.prompt_tokens == 12);
  CHECK(r.usage.completion_tokens == 3);
  CHECK(s.delta_times() == std::vector<double>{10, 20, 30});
  CHECK(s.saw_done());
}

TEST_CASE("a missing [DONE] is tolerated once the answer finished", "[stream]") {
  ChatStream s;
  s.feed(chunk("hi", "stop"), 1);
  CHECK(s.finish().error == ErrorClass::none);
}

TEST_CASE("a stream cut before the end is bad_response", "[stream]") {
  ChatStream s;
  s.feed(chunk("hi"), 1);
  const auto r = s.finish();
  CHECK(r.error == ErrorClass::bad_response);
  CHECK(r.error_message.find("ended before") != std::string::npos);
}

TEST_CASE("malformed chunks and error events are classified", "[stream]") {
  ChatStream bad;
  bad.feed("data: {not json\n\n", 1);
  CHECK(bad.finish().error == ErrorClass::bad_response);
  ChatStream empty;
  empty.feed(": keep-alive\n\n", 1);
  CHECK(empty.finish().error == ErrorClass::bad_response);
  ChatStream error;
  error.feed("data: {\"error\":{\"message\":\"overloaded\"}}\n\n", 1);
  const auto r = error.finish();
  CHECK(r.error == ErrorClass::server);
  CHECK(r.error_message.find("overloaded") != std::string::npos);
}

TEST_CASE("a key echoed in a chunk that is not JSON is redacted from the error", "[stream][security]") {
  // Found by fuzz/chat_response_fuzz: the "not JSON" message quoted the chunk unredacted.
  const std::string key = "sk-test-stream-0123456789abcdef";
  Secrets::add(key);
  for (const std::size_t at : {0u, 72u, 85u}) {
    INFO("key at " << at);
    ChatStream s;
    s.feed("data: " + std::string(at, 'x') + "Incorrect API key provided: " + key + "\n\n", 1);
    const auto r = s.finish();
    CHECK(r.error == ErrorClass::bad_response);
    CHECK(r.error_message.find(key.substr(0, 5)) == std::string::npos);
    if (at == 0) CHECK(r.error_message.find("[REDACTED]") != std::string::npos);
  }
}

TEST_CASE(
    "a stream whose events and assembled answer pass the cap is a bad_response, holding nothing",
    "[stream][memory]") {
  ChatStream s(8000);
  const std::string piece = chunk(std::string(300, 'x'));
  for (int i = 0; i < 3; ++i) s.feed(piece, i);  // 900 bytes assembled: under an eighth of 8,000
  CHECK(s.delta_times().size() == 3);
  s.feed(piece, 3);  // 1,200: over
  CHECK(s.delta_times().empty());
  for (int i = 0; i < 100; ++i) s.feed(piece, 4 + i);  // an endless stream costs nothing more
  const auto r = s.finish();
  CHECK(r.error == ErrorClass::bad_response);
  CHECK(r.error_message ==
        "the streamed answer is larger than an eighth of 8000 bytes (run.max_response_bytes); it "
        "was not assembled");
  CHECK(r.content.empty());

  // A long answer in small deltas, as real streams are, fits: its events are mostly overhead.
  ChatStream ok(8000);
  for (int i = 0; i < 30; ++i) ok.feed(chunk("ab"), i);
  ok.feed(chunk("", "stop"), 20);
  CHECK(ok.finish().error == ErrorClass::none);
}

TEST_CASE("an event that never ends is bounded too", "[stream][memory]") {
  ChatStream s(8000);
  s.feed("data: {\"choices\":[{\"delta\":{\"content\":\"", 0);
  for (int i = 0; i < 100; ++i) s.feed(std::string(100, 'y'), 1);
  CHECK(s.finish().error == ErrorClass::bad_response);
}

TEST_CASE("a chunk nested too deep is a bad chunk that says so, not a crash", "[stream][depth]") {
  // fuzz/corpus/chat_response/deep-error-in-stream-200 (found by the fuzzer) in short.
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  for (const std::string& chunk_text :
       {R"({"error":)" + deep + "}", R"({"choices":[{"delta":{"content":)" + deep + "}}]}"}) {
    ChatStream s;
    s.feed("data: " + chunk_text + "\n\n", 1);
    const auto r = s.finish();
    CHECK(r.error == ErrorClass::bad_response);
    CHECK(r.error_message.starts_with(
        "a streamed chunk is not JSON (nested deeper than 512 levels): \"{"));
  }
  // An error value within the limit is quoted, cut short.
  ChatStream shallow;
  shallow.feed("data: {\"error\":" + std::string(300, '[') + std::string(300, ']') + "}\n\n", 1);
  const auto r = shallow.finish();
  CHECK(r.error == ErrorClass::server);
  CHECK(r.error_message.starts_with("error in the stream: [[[["));
  CHECK(r.error_message.size() < 400);
}
