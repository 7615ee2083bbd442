#include "provider/chat_response.hpp"

#include <cstdint>
#include <limits>

#include <nlohmann/json.hpp>

#include "common/json_depth.hpp"
#include "common/json_tape.hpp"
#include "common/secrets.hpp"
#include "common/text.hpp"

namespace tb {
namespace {

using json = nlohmann::json;

std::string error_text(const json& body, std::string_view raw) {
  if (body.is_object() && body.contains("error")) {
    const auto& e = body["error"];
    if (e.is_object() && e.contains("message") && e["message"].is_string())
      return e["message"].get<std::string>();
    if (e.is_string()) return e.get<std::string>();
  }
  // Redacted before it is cut: a key straddling the cut would otherwise leave its prefix.
  const std::string redacted = Secrets::redact(raw);
  return std::string(trim(std::string_view(redacted).substr(0, 300)));
}

std::string error_code(const json& body) {
  if (!body.is_object() || !body.contains("error") || !body["error"].is_object()) return {};
  const auto& e = body["error"];
  for (const char* key : {"code", "type"})
    if (e.contains(key) && e[key].is_string()) return e[key].get<std::string>();
  return {};
}

// A server's count as a long long. Converting a double or an unsigned outside its range is
// undefined (or wraps to a negative count), so such counts saturate (found by
// fuzz/chat_response_fuzz: "prompt_tokens": 1e21). Whether a count is believable is decided
// where usage is costed, not here.
constexpr long long kMaxCount = std::numeric_limits<long long>::max();

long long count_of(std::uint64_t v) {
  return v > static_cast<std::uint64_t>(kMaxCount) ? kMaxCount : static_cast<long long>(v);
}

long long count_of(double v) {
  // 2^63 is exactly representable; every double below it converts without overflow.
  if (!(v < 9223372036854775808.0)) return v > 0 ? kMaxCount : 0;  // +inf, huge, NaN
  if (v < -9223372036854775808.0) return std::numeric_limits<long long>::min();
  return static_cast<long long>(v);
}

long long get_count(const json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_number()) return 0;
  const json& v = j[key];
  if (v.is_number_unsigned()) return count_of(v.get<std::uint64_t>());
  if (v.is_number_integer()) return v.get<std::int64_t>();
  return count_of(v.get<double>());
}

long long tape_count(const JsonTape& t, std::optional<std::size_t> v) {
  if (!v || !t.is_number(*v)) return 0;
  switch (t[*v].kind) {
    case JsonTape::Kind::integer:
      return t.integer(*v);
    case JsonTape::Kind::unsigned_integer:
      return count_of(t.unsigned_integer(*v));
    default:
      return count_of(t.floating(*v));
  }
}

std::optional<std::string> tape_string(const JsonTape& t, std::optional<std::size_t> v) {
  if (!v || !t.is(*v, JsonTape::Kind::string)) return std::nullopt;
  return std::string(t.string(*v));
}

Usage tape_usage(const JsonTape& t, std::size_t u) {
  Usage usage;
  if (!t.is(u, JsonTape::Kind::object)) return usage;
  usage.present = true;
  usage.prompt_tokens = tape_count(t, t.member(u, "prompt_tokens"));
  usage.completion_tokens = tape_count(t, t.member(u, "completion_tokens"));
  if (const auto details = t.member(u, "prompt_tokens_details")) {
    usage.cached_tokens = tape_count(t, t.member(*details, "cached_tokens"));
  }
  return usage;
}

// A successful answer, read from a tape: a chat.completion is parsed for every result, and a
// tree of nodes for its ~1 KB would cost more than everything else done with it.
ChatResponse parse_success(std::string_view raw) {
  ChatResponse out;
  auto bad = [&](std::string why) {
    out.error = ErrorClass::bad_response;
    out.error_message = Secrets::redact(std::move(why));
    return out;
  };
  if (raw.starts_with("\x1f\x8b"))  // gzip's magic: a proxy compressed what was not asked for
    return bad(
        "the body is gzip-compressed (Content-Encoding: gzip), which the request did not ask "
        "for; it is not JSON");
  std::string parse_error;
  const auto tape = JsonTape::parse(raw, &parse_error);
  if (!tape) {
    const bool deep = parse_error.ends_with(json_too_deep_reason());
    return bad(std::string("the body is not JSON") +
               (deep ? " (" + json_too_deep_reason() + ")" : std::string()) + ": " +
               dquote(ellipsize(Secrets::redact(raw), 120)));
  }
  const JsonTape& t = *tape;
  if (!t.is(0, JsonTape::Kind::object)) return bad("expected a chat.completion object");
  const auto choices = t.member(0, "choices");
  if (!choices || !t.is(*choices, JsonTape::Kind::array) || t[*choices].size == 0)
    return bad("no choices in the response");
  const std::size_t choice = *t.item(*choices, 0);
  const auto message = t.member(choice, "message");
  if (!message || !t.is(*message, JsonTape::Kind::object)) return bad("choices[0].message missing");
  const auto content = t.member(*message, "content");
  if (auto text = tape_string(t, content))
    out.content = std::move(*text);
  else if (auto refusal = tape_string(t, t.member(*message, "refusal")))
    out.content = std::move(*refusal);
  else if (!(content || t.member(*message, "tool_calls")))
    return bad("choices[0].message.content missing");
  if (auto finish = tape_string(t, t.member(choice, "finish_reason")))
    out.finish_reason = std::move(*finish);
  if (auto model = tape_string(t, t.member(0, "model"))) out.model = std::move(*model);
  if (const auto usage = t.member(0, "usage")) out.usage = tape_usage(t, *usage);
  return out;
}

}  // namespace

Usage parse_usage(const json& u) {
  Usage usage;
  if (!u.is_object()) return usage;
  usage.present = true;
  usage.prompt_tokens = get_count(u, "prompt_tokens");
  usage.completion_tokens = get_count(u, "completion_tokens");
  if (u.contains("prompt_tokens_details") && u["prompt_tokens_details"].is_object())
    usage.cached_tokens = get_count(u["prompt_tokens_details"], "cached_tokens");
  return usage;
}

ChatResponse read_chat_response(const HttpResponse& response) {
  ChatResponse out;
  switch (response.error) {
    case NetError::none:
      break;
    case NetError::timeout:
      out.error = ErrorClass::timeout;
      break;
    case NetError::too_large:
      out.error = ErrorClass::bad_response;
      break;
    default:
      out.error = ErrorClass::network;
      break;
  }
  if (out.error != ErrorClass::none) {
    out.error_message = Secrets::redact(response.error_message);
    return out;
  }
  return parse_chat_response(response.status, response.body);
}

ChatResponse parse_chat_response(int http_status, std::string_view raw) {
  if (http_status >= 200 && http_status < 300) return parse_success(raw);
  ChatResponse out;
  const json body = parse_json_bounded(raw);
  const std::string message = error_text(body, raw);
  const std::string code = error_code(body);
  const std::string lowered = to_lower(message);
  if (http_status == 401 || http_status == 403)
    out.error = ErrorClass::auth;
  else if (http_status == 429 && code == "insufficient_quota")
    out.error = ErrorClass::auth;
  else if (http_status == 429)
    out.error = ErrorClass::rate_limit;
  else if (http_status == 408)
    out.error = ErrorClass::timeout;
  else if (http_status >= 500)
    out.error = ErrorClass::server;
  else if (code == "context_length_exceeded" ||
           lowered.find("context length") != std::string::npos ||
           lowered.find("context_length") != std::string::npos)
    out.error = ErrorClass::context_length;
  else
    out.error = ErrorClass::bad_request;
  out.error_message =
      "HTTP " + std::to_string(http_status) + ": " + ellipsize(Secrets::redact(message), 300);
  return out;
}

}  // namespace tb
