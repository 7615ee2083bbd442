#pragma once
#include <functional>
#include <string>
#include <string_view>

namespace tb {

struct SseEvent {
  std::string event;  // "message" unless an event: field says otherwise
  std::string data;   // data: lines joined with '\n'
  std::string id;
};

// Incremental Server-Sent Events parser (WHATWG rules): bytes arrive in arbitrary pieces, lines
// end with LF, CRLF or CR (a CR at the end of one piece and an LF at the start of the next are one
// line end), lines starting with ':' are comments (keep-alives), a blank line dispatches the
// event, a single space after the colon is dropped.
class SseReader {
 public:
  using Handler = std::function<void(const SseEvent&)>;

  void feed(std::string_view bytes, const Handler& on_event);
  // End of stream: an event whose blank line never came is dispatched anyway when it has data,
  // because servers that drop the connection after the last event are common.
  void finish(const Handler& on_event);
  // Bytes held for a line or an event not yet complete.
  std::size_t buffered() const { return partial_.size() + current_.data.size(); }

 private:
  void line(std::string_view text, const Handler& on_event);
  void dispatch(const Handler& on_event);

  std::string partial_;
  bool skip_lf_ = false;
  SseEvent current_;
  bool has_data_ = false;
};

}  // namespace tb
