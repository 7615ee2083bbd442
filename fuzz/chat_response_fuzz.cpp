// Fuzzes the chat-response parsers (provider/chat_response, provider/chat_stream). The first
// byte picks an HTTP status, the rest is the body, parsed as a completion (parse_chat_response)
// and as an SSE stream (ChatStream), the stream whole and split at every 7th byte, which must
// give the same response. A registered API key must never appear in an error message (servers
// echo keys; see common/secrets).
// Contract: a response or a classified error; never a crash, an exception or a leaked key.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/secrets.hpp"
#include "provider/chat_response.hpp"
#include "provider/chat_stream.hpp"

namespace {

// Also in chat_response.dict, so the fuzzer learns to echo it.
constexpr std::string_view kKey = "sk-fuzz0123456789";

constexpr int kStatuses[] = {200, 200, 200, 200, 201, 400, 401, 403,
                             404, 408, 413, 429, 500, 502, 503, 504};

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "chat_response_fuzz: %s: %s\n", what, detail.c_str());
  std::abort();
}

void check_no_key(const tb::ChatResponse& r) {
  if (r.error_message.find(kKey) != std::string::npos)
    fail("key in error_message", r.error_message);
}

bool same(const tb::ChatResponse& a, const tb::ChatResponse& b) {
  return a.error == b.error && a.error_message == b.error_message && a.content == b.content &&
         a.finish_reason == b.finish_reason && a.model == b.model &&
         a.usage.present == b.usage.present && a.usage.prompt_tokens == b.usage.prompt_tokens &&
         a.usage.completion_tokens == b.usage.completion_tokens &&
         a.usage.cached_tokens == b.usage.cached_tokens && a.usage.problem == b.usage.problem &&
         a.usage.wrong == b.usage.wrong;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  tb::Secrets::add(std::string(kKey));
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const int status = kStatuses[data[0] % std::size(kStatuses)];
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);

  const tb::ChatResponse completion = tb::parse_chat_response(status, body);
  check_no_key(completion);
  if ((status < 200 || status >= 300) && completion.error == tb::ErrorClass::none)
    fail("an HTTP error status parsed as success", std::to_string(status));

  tb::ChatStream whole;
  whole.feed(body, 1);
  const tb::ChatResponse streamed = whole.finish();
  check_no_key(streamed);

  tb::ChatStream split;
  for (std::size_t i = 0; i < body.size(); i += 7) split.feed(body.substr(i, 7), 1);
  const tb::ChatResponse pieces = split.finish();
  if (!same(streamed, pieces)) fail("the split stream differs", pieces.error_message);
  if (whole.delta_times().size() != split.delta_times().size()) fail("delta count differs", "");
  return 0;
}
