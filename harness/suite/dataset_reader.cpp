#include "suite/dataset_reader.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>

#include "common/case_identity.hpp"
#include "common/files.hpp"
#include "common/hash.hpp"
#include "common/json_depth.hpp"
#include "common/json_tape.hpp"
#include "common/text.hpp"

namespace tb {
namespace {

constexpr std::array<std::string_view, 5> kRoles = {"system", "user", "assistant", "tool",
                                                    "developer"};
constexpr std::array<std::string_view, 10> kLineKeys = {
    "messages", "id",   "tags", "checks", "tools", "functions", "parallel_tool_calls",
    "metadata", "vars", "gold"};
constexpr std::array<std::string_view, 7> kMessageKeys = {
    "role", "content", "name", "function_call", "tool_calls", "tool_call_id", "weight"};

const char* type_name(const JsonTape& t, std::size_t v) {
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

// Content may be a string or an array of parts; text parts are what a reference answer holds.
bool content_text(const JsonTape& t, std::size_t content, std::string& out) {
  if (t.is(content, JsonTape::Kind::string)) {
    out = t.string(content);
    return true;
  }
  if (t.is(content, JsonTape::Kind::array)) {
    out.clear();
    const std::size_t end = t.next(content);
    for (std::size_t part = content + 1; part < end; part = t.next(part)) {
      const auto text = t.member(part, "text");
      if (!text || !t.is(*text, JsonTape::Kind::string)) return false;
      out += t.string(*text);
    }
    return true;
  }
  return false;
}

// The first key of the object at v that is not in `allowed`, if any.
template <std::size_t N>
std::optional<std::string_view> unknown_key(const JsonTape& t, std::size_t v,
                                            const std::array<std::string_view, N>& allowed) {
  const std::size_t end = t.next(v);
  for (std::size_t k = v + 1; k < end; k = t.next(k + 1)) {
    const std::string_view key = t.string(k);
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) return key;
  }
  return std::nullopt;
}

// The arguments of an assistant message's first tool call (or legacy function_call), as text.
std::optional<std::string> reference_call_arguments(const JsonTape& t, std::size_t message) {
  std::optional<std::size_t> function;
  if (const auto calls = t.member(message, "tool_calls");
      calls && t.is(*calls, JsonTape::Kind::array) && t[*calls].size > 0) {
    if (const auto first = t.item(*calls, 0)) function = t.member(*first, "function");
  } else if (const auto legacy = t.member(message, "function_call")) {
    function = legacy;
  }
  if (!function || !t.is(*function, JsonTape::Kind::object)) return std::nullopt;
  const auto arguments = t.member(*function, "arguments");
  if (!arguments || t.is(*arguments, JsonTape::Kind::null)) return std::nullopt;
  if (t.is(*arguments, JsonTape::Kind::string)) return std::string(t.string(*arguments));
  return t.to_json(*arguments).dump();
}

}  // namespace

DatasetReader::DatasetReader(std::filesystem::path path, std::string display_name)
    : path_(std::move(path)), display_name_(std::move(display_name)) {}

bool DatasetReader::open(Diagnostic& error) {
  std::string why;
  if (!open_regular_file(path_, in_, &why)) {
    error = {display_name_, 0, "", "cannot read the dataset file: " + why};
    return false;
  }
  return true;
}

DatasetReader::Status DatasetReader::next(TestCase& out, Diagnostic& error) {
  std::string text;
  for (LineRead read; (read = read_line(in_, text)) != LineRead::end;) {
    ++line_;
    if (read == LineRead::too_long) {
      error = {display_name_, line_, "",
               "the line is longer than " + byte_size_text(kMaxLineBytes) +
                   ", more than tunebench reads of one case"};
      return Status::error;
    }
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (trim(text).empty()) continue;
    if (!parse_line(text, line_, display_name_, out, error)) return Status::error;
    out.index = index_++;
    return Status::ok;
  }
  if (in_.bad()) {
    error = {display_name_, line_, "", "read error"};
    return Status::error;
  }
  return Status::end;
}

// Parsed into a JsonTape (every line is read twice per run, by the preflight and by the plan);
// only the messages and checks a case keeps become json trees.
bool DatasetReader::parse_line(std::string_view text, int line, const std::string& display_name,
                               TestCase& out, Diagnostic& error) {
  auto fail = [&](std::string field, std::string message) {
    error = {display_name, line, std::move(field), std::move(message)};
    return false;
  };
  std::string parse_error;
  const auto tape = JsonTape::parse(text, &parse_error);
  if (!tape) {
    // A line is one line: its column is what says where.
    if (parse_error.starts_with("line 1, ")) parse_error.erase(0, 8);
    if (parse_error.ends_with(json_too_deep_reason()))
      return fail("", "arrays and objects " + json_too_deep_reason() + " (" +
                          parse_error.substr(0, parse_error.find(':')) + ")");
    return fail("", "not valid JSON (" + parse_error + "); each line must be one JSON object");
  }
  const JsonTape& t = *tape;
  if (!t.is(0, JsonTape::Kind::object))
    return fail(
        "", std::string("expected a JSON object {\"messages\": [...]}; got ") + type_name(t, 0));
  if (const auto key = unknown_key(t, 0, kLineKeys)) {
    std::string message = "unknown key; expected one of " + join_choices(kLineKeys);
    if (auto hint = did_you_mean(*key, kLineKeys)) message += " (did you mean \"" + *hint + "\"?)";
    return fail(std::string(*key), message);
  }
  const auto messages = t.member(0, "messages");
  if (!messages) return fail("messages", "missing; every line needs a messages list");
  if (!t.is(*messages, JsonTape::Kind::array))
    return fail("messages", std::string("expected an array; got ") + type_name(t, *messages));
  const std::size_t count = t[*messages].size;
  if (count == 0) return fail("messages", "empty; expected at least one message");

  std::size_t last = 0;
  std::size_t i = 0;
  std::string ignored;
  for (std::size_t m = *messages + 1; m < t.next(*messages); m = t.next(m), ++i) {
    last = m;
    const std::string field = "messages[" + std::to_string(i) + "]";
    if (!t.is(m, JsonTape::Kind::object))
      return fail(field, std::string("expected an object; got ") + type_name(t, m));
    if (const auto key = unknown_key(t, m, kMessageKeys)) {
      std::string message = "unknown key; expected one of " + join_choices(kMessageKeys);
      if (auto hint = did_you_mean(*key, kMessageKeys))
        message += " (did you mean \"" + *hint + "\"?)";
      return fail(field + "." + std::string(*key), message);
    }
    const auto role = t.member(m, "role");
    if (!role) return fail(field + ".role", "missing");
    if (!t.is(*role, JsonTape::Kind::string))
      return fail(field + ".role", std::string("expected a string; got ") + type_name(t, *role));
    const std::string_view role_name = t.string(*role);
    if (std::find(kRoles.begin(), kRoles.end(), role_name) == kRoles.end())
      return fail(field + ".role",
                  "expected one of system, user, assistant, tool; got " + dquote(role_name));
    const bool may_omit_content =
        role_name == "assistant" && (t.member(m, "tool_calls") || t.member(m, "function_call"));
    const auto content = t.member(m, "content");
    if (!content || t.is(*content, JsonTape::Kind::null)) {
      if (!may_omit_content) return fail(field + ".content", "missing");
      continue;
    }
    if (!content_text(t, *content, ignored))
      return fail(field + ".content",
                  std::string("expected a string or an array of text parts; got ") +
                      type_name(t, *content));
  }

  out = TestCase{};
  out.line = line;
  out.content_hash = sha256_hex(trim(text));
  if (const auto id = t.member(0, "id")) {
    out.explicit_id = true;
    if (t.is(*id, JsonTape::Kind::string) && !t.string(*id).empty())
      out.id = t.string(*id);
    else if (t.is(*id, JsonTape::Kind::integer))
      out.id = std::to_string(t.integer(*id));
    else if (t.is(*id, JsonTape::Kind::unsigned_integer))
      out.id = std::to_string(t.unsigned_integer(*id));
    else
      return fail("id", std::string("expected a non-empty string or an integer; got ") +
                            (t.is(*id, JsonTape::Kind::string) ? "an empty string" : type_name(t, *id)));
  }
  if (const auto tags = t.member(0, "tags")) {
    if (!t.is(*tags, JsonTape::Kind::array))
      return fail("tags", std::string("expected an array of strings; got ") + type_name(t, *tags));
    std::size_t k = 0;
    for (std::size_t tag = *tags + 1; tag < t.next(*tags); tag = t.next(tag), ++k) {
      if (!t.is(tag, JsonTape::Kind::string))
        return fail("tags[" + std::to_string(k) + "]",
                    std::string("expected a string; got ") + type_name(t, tag));
      out.tags.emplace_back(t.string(tag));
    }
  }
  if (const auto gold = t.member(0, "gold")) {
    // The passages that answer the case (corpus document ids, or chunk ids "doc#n"), for
    // recall@k and the other retrieval measures of rag variants.
    if (!t.is(*gold, JsonTape::Kind::array))
      return fail("gold", std::string("expected an array of corpus document ids; got ") + type_name(t, *gold));
    std::size_t k = 0;
    for (std::size_t g = *gold + 1; g < t.next(*gold); g = t.next(g), ++k) {
      if (!t.is(g, JsonTape::Kind::string) || t.string(g).empty())
        return fail("gold[" + std::to_string(k) + "]",
                    std::string("expected a document id (a non-empty string); got ") +
                        (t.is(g, JsonTape::Kind::string) ? "an empty string" : type_name(t, g)));
      out.gold.emplace_back(t.string(g));
    }
  }
  if (const auto checks = t.member(0, "checks")) {
    if (!t.is(*checks, JsonTape::Kind::array))
      return fail("checks",
                  std::string("expected an array of checks; got ") + type_name(t, *checks));
    out.checks = t.to_json(*checks);
  }
  // Function calling: what the line offers the model is sent with its request.
  for (const char* key : {"tools", "functions", "parallel_tool_calls"}) {
    const auto v = t.member(0, key);
    if (!v) continue;
    const bool flag = std::string_view(key) == "parallel_tool_calls";
    if (flag ? !t.is(*v, JsonTape::Kind::boolean) : !t.is(*v, JsonTape::Kind::array))
      return fail(key, std::string(flag ? "expected true or false" : "expected an array of definitions") +
                           "; got " + type_name(t, *v));
    if (out.tool_fields.is_null()) out.tool_fields = nlohmann::json::object();
    out.tool_fields[key] = t.to_json(*v);
  }
  // The reference answer is the last message when it is the assistant's: it is what a
  // fine-tuning file trains on, so the same file serves to train and to evaluate. An answer that
  // calls a function is its (first) call's arguments, as a result's output is.
  std::size_t inputs = count;
  const auto last_role = t.member(last, "role");
  const auto last_content = t.member(last, "content");
  const auto last_call = reference_call_arguments(t, last);
  if (t.string(*last_role) == "assistant" &&
      ((last_content && !t.is(*last_content, JsonTape::Kind::null)) || last_call)) {
    if (last_call)
      out.reference = *last_call;
    else
      content_text(t, *last_content, out.reference);
    out.has_reference = true;
    // Checks and the mock would refuse it for every answer: said once, before anything is sent.
    if (json_nesting_depth(out.reference) > kMaxJsonDepth &&
        JsonTape::parse(out.reference, nullptr, SIZE_MAX))
      return fail("messages[" + std::to_string(count - 1) + "].content",
                  "the reference answer is JSON " + json_too_deep_reason() +
                      ", deeper than tunebench reads JSON");
    if (--inputs == 0)
      return fail("messages",
                  "only an assistant message; expected at least one input message before it");
  }
  out.messages = nlohmann::json::array();
  std::size_t m = *messages + 1;
  for (std::size_t k = 0; k < inputs; ++k, m = t.next(m)) out.messages.push_back(t.to_json(m));
  if (!out.explicit_id) out.id = case_id_of_messages(out.messages.dump());
  return true;
}

long long validate_dataset(const std::filesystem::path& path, const std::string& display_name,
                           Diagnostics& errors, std::size_t max_errors) {
  DatasetReader reader(path, display_name);
  Diagnostic error;
  if (!reader.open(error)) {
    errors.add(error);
    return -1;
  }
  long long count = 0;
  std::size_t found = 0;
  TestCase scratch;
  while (true) {
    const auto status = reader.next(scratch, error);
    if (status == DatasetReader::Status::end) break;
    if (status == DatasetReader::Status::error) {
      errors.add(error);
      if (++found >= max_errors) break;
      continue;
    }
    ++count;
  }
  if (found > 0) return -1;
  if (count == 0) {
    errors.add({display_name, 0, "", "the dataset has no cases"});
    return -1;
  }
  return count;
}

}  // namespace tb
