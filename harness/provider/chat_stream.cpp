#include "provider/chat_stream.hpp"

#include <nlohmann/json.hpp>

#include "common/json_depth.hpp"
#include "common/secrets.hpp"
#include "common/text.hpp"

namespace tb {

void ChatStream::feed(std::string_view bytes, double now_ms) {
  if (too_large_) return;
  reader_.feed(bytes, [&](const SseEvent& e) { event(e, now_ms); });
  if (too_large_ || response_.content.size() + tool_bytes_ + reader_.buffered() > max_bytes_ / 8) {
    too_large_ = true;
    reader_ = SseReader{};
    response_.content = std::string();
    response_.tool_calls = std::vector<ToolCall>();
    delta_times_ = std::vector<double>();
  }
}

void ChatStream::event(const SseEvent& e, double now_ms) {
  if (done_ || too_large_) return;
  if (trim(e.data) == "[DONE]") {
    done_ = true;
    return;
  }
  bool too_deep = false;
  const auto chunk = parse_json_bounded(e.data, &too_deep);
  if (chunk.is_discarded() || !chunk.is_object()) {
    // Servers echo keys; redacted before the cut so that no prefix of one survives either.
    if (!bad_chunk_)
      bad_chunk_text_ = (too_deep ? " (" + json_too_deep_reason() + "): " : std::string(": ")) +
                        dquote(ellipsize(Secrets::redact(e.data), 120));
    bad_chunk_ = true;
    return;
  }
  any_chunk_ = true;
  if (chunk.contains("error")) {
    const auto& err = chunk["error"];
    response_.error = ErrorClass::server;
    response_.error_message =
        Secrets::redact("error in the stream: " +
                        (err.is_object() && err.contains("message") && err["message"].is_string()
                             ? err["message"].get<std::string>()
                             : ellipsize(Secrets::redact(err.dump()), 300)));
    return;
  }
  if (chunk.contains("model") && chunk["model"].is_string())
    response_.model = chunk["model"].get<std::string>();
  if (chunk.contains("usage") && chunk["usage"].is_object())
    response_.usage = parse_usage(chunk["usage"]);
  if (!chunk.contains("choices") || !chunk["choices"].is_array() || chunk["choices"].empty())
    return;
  const auto& choice = chunk["choices"][0];
  if (choice.contains("delta") && choice["delta"].is_object()) {
    const auto& delta = choice["delta"];
    if (delta.contains("content") && delta["content"].is_string()) {
      const auto& piece = delta["content"].get_ref<const std::string&>();
      if (!piece.empty()) {
        const std::size_t size = response_.content.size() + piece.size();
        if (size > max_bytes_ / 8) {  // feed() lets go of everything once this event is done
          too_large_ = true;
          return;
        }
        // Past 64 KiB the answer may be heading for the limit: room for all of it at once
        // instead of a copy (old and new held together) at every doubling.
        if (size > (std::size_t{64} << 10) && response_.content.capacity() < max_bytes_ / 8)
          response_.content.reserve(max_bytes_ / 8);
        response_.content += piece;
        delta_times_.push_back(now_ms);
      }
    }
  }
  if (choice.contains("delta") && choice["delta"].is_object()) {
    const auto& delta = choice["delta"];
    if (delta.contains("tool_calls") && delta["tool_calls"].is_array()) {
      for (const auto& piece : delta["tool_calls"])
        if (!tool_call_delta(piece, now_ms)) return;
    } else if (delta.contains("function_call") && delta["function_call"].is_object()) {
      nlohmann::json piece = {{"index", 0}, {"function", delta["function_call"]}};
      if (!tool_call_delta(piece, now_ms)) return;
    }
  }
  if (choice.contains("finish_reason") && choice["finish_reason"].is_string())
    response_.finish_reason = choice["finish_reason"].get<std::string>();
}

// A piece of a streamed tool call: the first piece of a call (by its index) carries its id and
// name, later ones pieces of its arguments, appended in order. A piece without an index (some
// servers stream a single call so) belongs to the last call.
bool ChatStream::tool_call_delta(const nlohmann::json& piece, double now_ms) {
  if (!piece.is_object()) return true;
  std::size_t index = response_.tool_calls.empty() ? 0 : response_.tool_calls.size() - 1;
  if (piece.contains("index") && piece["index"].is_number_unsigned())
    index = piece["index"].get<std::size_t>();
  // Indexes are small and dense; a huge one is a broken server's, not a reason to allocate.
  if (index > response_.tool_calls.size() || index >= 128) {
    if (response_.error == ErrorClass::none) {
      response_.error = ErrorClass::bad_response;
      response_.error_message = "a streamed tool call delta skips to index " +
                                std::to_string(index) + " after " +
                                std::to_string(response_.tool_calls.size()) + " calls";
    }
    return false;
  }
  if (index == response_.tool_calls.size()) response_.tool_calls.emplace_back();
  ToolCall& call = response_.tool_calls[index];
  if (piece.contains("id") && piece["id"].is_string()) call.id = piece["id"].get<std::string>();
  if (!piece.contains("function") || !piece["function"].is_object()) return true;
  const auto& function = piece["function"];
  if (function.contains("name") && function["name"].is_string())
    call.name += function["name"].get<std::string>();
  if (function.contains("arguments") && function["arguments"].is_string()) {
    const auto& text = function["arguments"].get_ref<const std::string&>();
    if (text.empty()) return true;
    tool_bytes_ += text.size();
    if (response_.content.size() + tool_bytes_ > max_bytes_ / 8) {
      too_large_ = true;
      return false;
    }
    call.arguments += text;
    delta_times_.push_back(now_ms);
  }
  return true;
}

ChatResponse ChatStream::finish() {
  if (too_large_) {
    response_ = ChatResponse{};
    response_.error = ErrorClass::bad_response;
    const std::string size = max_bytes_ % (1 << 20) == 0 ? std::to_string(max_bytes_ >> 20) + " MiB"
                                                         : std::to_string(max_bytes_) + " bytes";
    response_.error_message = "the streamed answer is larger than an eighth of " + size +
                              " (run.max_response_bytes); it was not assembled";
    return response_;
  }
  reader_.finish(
      [&](const SseEvent& e) { event(e, delta_times_.empty() ? 0 : delta_times_.back()); });
  if (response_.error != ErrorClass::none) return response_;
  if (bad_chunk_) {
    response_.error = ErrorClass::bad_response;
    response_.error_message = "a streamed chunk is not JSON" + bad_chunk_text_;
  } else if (!any_chunk_) {
    response_.error = ErrorClass::bad_response;
    response_.error_message = "the stream held no chat.completion.chunk";
  } else if (!done_ && response_.finish_reason.empty()) {
    // A missing [DONE] alone is tolerated; a stream that stops before any finish_reason is cut.
    response_.error = ErrorClass::bad_response;
    response_.error_message = "the stream ended before the answer was finished";
  }
  return response_;
}

}  // namespace tb
