#include "provider/chat_response.hpp"

#include <cmath>
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

// A count of usage as read, and what is wrong with it (empty when nothing). `what` names it.
struct Count {
  long long value = 0;
  std::string problem;
  bool wrong = false;  // there, a number, but negative or too large
};

Count judged(long long value, const std::string& what, const std::string& written) {
  if (value < 0) return {value, what + " is " + written + ": negative", true};
  if (value > kMaxBelievableTokens)
    return {value, what + " is " + written + ": more than 10,000,000 tokens in one request", true};
  return {value, ""};
}

Count number_count(double d, const std::string& what, const std::string& written) {
  if (d != std::floor(d)) return {count_of(d), what + " is " + written + ", not a whole number"};
  return judged(count_of(d), what, written);
}

Count json_count(const json& parent, const char* key, const std::string& what, bool optional) {
  if (!parent.is_object() || !parent.contains(key))
    return {0, optional ? "" : what + " is missing"};
  const json& v = parent[key];
  if (!v.is_number()) return {0, what + " is " + std::string(v.type_name()) + ", not a number"};
  const std::string written = v.dump();
  if (v.is_number_unsigned()) return judged(count_of(v.get<std::uint64_t>()), what, written);
  if (v.is_number_integer()) return judged(v.get<std::int64_t>(), what, written);
  return number_count(v.get<double>(), what, written);
}

const char* tape_type_name(const JsonTape& t, std::size_t v) {
  switch (t[v].kind) {
    case JsonTape::Kind::null:
      return "null";
    case JsonTape::Kind::boolean:
      return "boolean";
    case JsonTape::Kind::string:
      return "string";
    case JsonTape::Kind::array:
      return "array";
    case JsonTape::Kind::object:
      return "object";
    default:
      return "number";
  }
}

Count tape_count(const JsonTape& t, std::optional<std::size_t> v, const std::string& what,
                 bool optional) {
  if (!v) return {0, optional ? "" : what + " is missing"};
  if (!t.is_number(*v)) return {0, what + " is " + tape_type_name(t, *v) + ", not a number"};
  switch (t[*v].kind) {
    case JsonTape::Kind::integer:
      return judged(t.integer(*v), what, std::to_string(t.integer(*v)));
    case JsonTape::Kind::unsigned_integer:
      return judged(count_of(t.unsigned_integer(*v)), what, std::to_string(t.unsigned_integer(*v)));
    default:
      return number_count(t.floating(*v), what, json(t.floating(*v)).dump());
  }
}

// The three counts into a Usage, the first problem kept.
Usage usage_of(Count prompt, Count completion, Count cached) {
  Usage usage;
  usage.present = true;
  usage.prompt_tokens = prompt.value;
  usage.completion_tokens = completion.value;
  usage.cached_tokens = cached.value;
  for (Count* c : {&prompt, &completion, &cached}) {
    if (!usage.problem.empty() || c->problem.empty()) continue;
    usage.problem = std::move(c->problem);
    usage.wrong = c->wrong;
  }
  return usage;
}

std::optional<std::string> tape_string(const JsonTape& t, std::optional<std::size_t> v) {
  if (!v || !t.is(*v, JsonTape::Kind::string)) return std::nullopt;
  return std::string(t.string(*v));
}

Usage tape_usage(const JsonTape& t, std::size_t u) {
  if (!t.is(u, JsonTape::Kind::object)) {
    Usage usage;
    usage.present = true;
    usage.problem = std::string("usage is ") + tape_type_name(t, u) + ", not an object";
    return usage;
  }
  Count cached;
  if (const auto details = t.member(u, "prompt_tokens_details");
      details && t.is(*details, JsonTape::Kind::object))
    cached = tape_count(t, t.member(*details, "cached_tokens"),
                        "usage.prompt_tokens_details.cached_tokens", true);
  return usage_of(tape_count(t, t.member(u, "prompt_tokens"), "usage.prompt_tokens", false),
                  tape_count(t, t.member(u, "completion_tokens"), "usage.completion_tokens", false),
                  std::move(cached));
}

// One call of message.tool_calls ({id, type, function: {name, arguments}}) or the legacy
// message.function_call ({name, arguments}). Arguments are a JSON string by the API's contract;
// a server that sends them as an object has them written out as JSON. Whether they parse is
// the scorer's question (a malformed call is a not_json answer, not a bad response).
std::optional<std::string> tape_tool_call(const JsonTape& t, std::size_t call, bool legacy,
                                          ToolCall& out) {
  if (!t.is(call, JsonTape::Kind::object)) return std::string("is ") + tape_type_name(t, call) + ", not an object";
  if (!legacy) {
    if (auto id = tape_string(t, t.member(call, "id"))) out.id = std::move(*id);
  }
  const auto function = legacy ? std::optional<std::size_t>(call) : t.member(call, "function");
  if (!function || !t.is(*function, JsonTape::Kind::object)) return std::string("has no function object");
  if (auto name = tape_string(t, t.member(*function, "name"))) out.name = std::move(*name);
  if (const auto arguments = t.member(*function, "arguments")) {
    if (auto text = tape_string(t, arguments))
      out.arguments = std::move(*text);
    else if (!t.is(*arguments, JsonTape::Kind::null))
      out.arguments = t.to_json(*arguments).dump();
  }
  return std::nullopt;
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
  else if (!(content || t.member(*message, "tool_calls") || t.member(*message, "function_call")))
    return bad("choices[0].message.content missing");
  if (const auto calls = t.member(*message, "tool_calls");
      calls && !t.is(*calls, JsonTape::Kind::null)) {
    if (!t.is(*calls, JsonTape::Kind::array))
      return bad(std::string("choices[0].message.tool_calls is ") + tape_type_name(t, *calls) +
                 ", not an array");
    for (std::size_t i = 0; i < t[*calls].size; ++i) {
      ToolCall call;
      if (auto problem = tape_tool_call(t, *t.item(*calls, i), false, call))
        return bad("choices[0].message.tool_calls[" + std::to_string(i) + "] " + *problem);
      out.tool_calls.push_back(std::move(call));
    }
  } else if (const auto legacy = t.member(*message, "function_call");
             legacy && !t.is(*legacy, JsonTape::Kind::null)) {
    ToolCall call;
    if (auto problem = tape_tool_call(t, *legacy, true, call))
      return bad("choices[0].message.function_call " + *problem);
    out.tool_calls.push_back(std::move(call));
  }
  if (auto finish = tape_string(t, t.member(choice, "finish_reason")))
    out.finish_reason = std::move(*finish);
  if (auto model = tape_string(t, t.member(0, "model"))) out.model = std::move(*model);
  // "usage": null is what streams send before their last chunk: no usage, as when absent.
  if (const auto usage = t.member(0, "usage"); usage && !t.is(*usage, JsonTape::Kind::null))
    out.usage = tape_usage(t, *usage);
  return out;
}

}  // namespace

const std::string& answer_text(const ChatResponse& response) {
  return response.tool_calls.empty() ? response.content : response.tool_calls.front().arguments;
}

std::string tool_calls_json(const std::vector<ToolCall>& calls) {
  json out = json::array();
  for (const auto& c : calls)
    out.push_back({{"id", c.id}, {"name", c.name}, {"arguments", c.arguments}});
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

Usage parse_usage(const json& u) {
  if (!u.is_object()) {
    Usage usage;
    usage.present = true;
    usage.problem = "usage is " + std::string(u.type_name()) + ", not an object";
    return usage;
  }
  Count cached;
  if (u.contains("prompt_tokens_details") && u["prompt_tokens_details"].is_object())
    cached = json_count(u["prompt_tokens_details"], "cached_tokens",
                        "usage.prompt_tokens_details.cached_tokens", true);
  return usage_of(json_count(u, "prompt_tokens", "usage.prompt_tokens", false),
                  json_count(u, "completion_tokens", "usage.completion_tokens", false),
                  std::move(cached));
}

ChatResponse read_chat_response(const HttpResponse& response) {
  ChatResponse out;
  out.error = error_class_of(response.error);
  if (out.error != ErrorClass::none) {
    out.error_message = Secrets::redact(response.error_message);
    return out;
  }
  out = parse_chat_response(response.status, response.body);
  // A redirect is not followed (the key would go wherever it points): where it points is what
  // the user needs to fix base_url.
  if (response.status >= 300 && response.status < 400) {
    const auto location = response.header("location");
    out.error_message =
        "HTTP " + std::to_string(response.status) + ": " +
        (location.empty() ? "a redirect without a Location"
                          : "redirected to " + ellipsize(Secrets::redact(location), 300)) +
        " (redirects are not followed: set the endpoint's base_url to where the server points)";
  }
  return out;
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
