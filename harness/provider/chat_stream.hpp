#pragma once
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "net/sse_reader.hpp"
#include "provider/chat_response.hpp"

namespace tb {

// Builds a chat response from a streamed (SSE) chat completion: content deltas appended, tool
// call deltas (delta.tool_calls[i] by index, or the legacy delta.function_call) assembled,
// finish_reason and the usage chunk (stream_options.include_usage) kept, and the arrival time of
// each content delta recorded for time to first token and inter-token latency.
//
// Memory is bounded: while a stream is read it is held twice, as events (the body the HTTP
// client keeps, at most `max_bytes`: run.max_response_bytes) and as the answer assembled here.
// The answer may take an eighth of `max_bytes` (512 KiB by default, some 128,000 tokens: as much
// as a model writes in one answer, while a real stream's events are mostly overhead); past that
// the stream stops assembling, lets go of what it held and finishes as a bad_response.
class ChatStream {
 public:
  explicit ChatStream(std::size_t max_bytes = kDefaultMaxResponseBytes) : max_bytes_(max_bytes) {}

  // Feeds raw body bytes as they arrive; `now_ms` is the time they arrived.
  void feed(std::string_view bytes, double now_ms);
  // The response once the body is complete (or the connection ended).
  ChatResponse finish();

  // Arrival times (ms, same clock as feed) of the content deltas.
  const std::vector<double>& delta_times() const { return delta_times_; }
  bool saw_done() const { return done_; }

 private:
  void event(const SseEvent& e, double now_ms);
  // false when the stream is to stop being assembled (too large, or a broken index).
  bool tool_call_delta(const nlohmann::json& piece, double now_ms);

  std::size_t max_bytes_;
  bool too_large_ = false;
  std::size_t tool_bytes_ = 0;  // of tool call arguments assembled, counted with the content
  SseReader reader_;
  ChatResponse response_;
  std::vector<double> delta_times_;
  bool done_ = false;
  bool any_chunk_ = false;
  bool bad_chunk_ = false;
  std::string bad_chunk_text_;
};

}  // namespace tb
