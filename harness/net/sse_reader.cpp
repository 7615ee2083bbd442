#include "net/sse_reader.hpp"

namespace tb {

void SseReader::feed(std::string_view bytes, const Handler& on_event) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (skip_lf_) {
      skip_lf_ = false;
      if (c == '\n') {
        start = i + 1;
        continue;
      }
    }
    if (c != '\n' && c != '\r') continue;
    partial_.append(bytes.substr(start, i - start));
    line(partial_, on_event);
    partial_.clear();
    skip_lf_ = c == '\r';
    start = i + 1;
  }
  partial_.append(bytes.substr(start));
}

void SseReader::finish(const Handler& on_event) {
  if (!partial_.empty()) {
    line(partial_, on_event);
    partial_.clear();
  }
  if (has_data_) dispatch(on_event);
}

void SseReader::line(std::string_view text, const Handler& on_event) {
  if (text.empty()) {
    if (has_data_) dispatch(on_event);
    current_ = SseEvent{};
    return;
  }
  if (text.front() == ':') return;
  const auto colon = text.find(':');
  const std::string_view field = text.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "data") {
    if (has_data_) current_.data += '\n';
    current_.data.append(value);
    has_data_ = true;
  } else if (field == "event") {
    current_.event = std::string(value);
  } else if (field == "id") {
    current_.id = std::string(value);
  }
  // "retry" and unknown fields are ignored, as the standard says.
}

void SseReader::dispatch(const Handler& on_event) {
  if (current_.event.empty()) current_.event = "message";
  on_event(current_);
  current_ = SseEvent{};
  has_data_ = false;
}

}  // namespace tb
