#include "suite/dataset_reader.hpp"

#include <array>

#include "common/text.hpp"

namespace tb {
namespace {

constexpr std::array<std::string_view, 5> kRoles = {"system", "user", "assistant", "tool",
                                                     "developer"};
constexpr std::array<std::string_view, 9> kLineKeys = {
    "messages", "id", "tags", "checks", "tools", "functions", "parallel_tool_calls", "metadata",
    "vars"};
constexpr std::array<std::string_view, 7> kMessageKeys = {
    "role", "content", "name", "function_call", "tool_calls", "tool_call_id", "weight"};

const char* type_name(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::boolean: return "boolean";
    case nlohmann::json::value_t::string: return "string";
    case nlohmann::json::value_t::array: return "array";
    case nlohmann::json::value_t::object: return "object";
    case nlohmann::json::value_t::binary: return "binary";
    case nlohmann::json::value_t::discarded: return "nothing";
    default: return "number";
  }
}

// Content may be a string or an array of parts; text parts are what a reference answer holds.
bool content_text(const nlohmann::json& content, std::string& out) {
  if (content.is_string()) {
    out = content.get<std::string>();
    return true;
  }
  if (content.is_array()) {
    out.clear();
    for (const auto& part : content) {
      if (!part.is_object() || !part.contains("text") || !part["text"].is_string()) return false;
      out += part["text"].get<std::string>();
    }
    return true;
  }
  return false;
}

}  // namespace

DatasetReader::DatasetReader(std::filesystem::path path, std::string display_name)
    : path_(std::move(path)), display_name_(std::move(display_name)) {}

bool DatasetReader::open(Diagnostic& error) {
  in_.open(path_, std::ios::binary);
  if (!in_) {
    error = {display_name_, 0, "", "cannot open the dataset file (does it exist?)"};
    return false;
  }
  return true;
}

DatasetReader::Status DatasetReader::next(TestCase& out, Diagnostic& error) {
  std::string text;
  while (std::getline(in_, text)) {
    ++line_;
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

bool DatasetReader::parse_line(std::string_view text, int line, const std::string& display_name,
                               TestCase& out, Diagnostic& error) {
  auto fail = [&](std::string field, std::string message) {
    error = {display_name, line, std::move(field), std::move(message)};
    return false;
  };
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    // Re-parse with exceptions only on the error path, to get nlohmann's byte position.
    try {
      [[maybe_unused]] const auto unused = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
      return fail("", "not valid JSON (at byte " + std::to_string(e.byte) +
                          "); each line must be one JSON object");
    }
    return fail("", "not valid JSON");
  }
  if (!j.is_object())
    return fail("", std::string("expected a JSON object {\"messages\": [...]}; got ") + type_name(j));
  for (const auto& [key, value] : j.items()) {
    if (std::find(kLineKeys.begin(), kLineKeys.end(), key) != kLineKeys.end()) continue;
    std::string message = "unknown key; expected one of " + join_choices(kLineKeys);
    if (auto hint = did_you_mean(key, kLineKeys)) message += " (did you mean \"" + *hint + "\"?)";
    return fail(key, message);
  }
  if (!j.contains("messages")) return fail("messages", "missing; every line needs a messages list");
  auto& messages = j["messages"];
  if (!messages.is_array())
    return fail("messages", std::string("expected an array; got ") + type_name(messages));
  if (messages.empty()) return fail("messages", "empty; expected at least one message");

  for (std::size_t i = 0; i < messages.size(); ++i) {
    const auto& m = messages[i];
    const std::string field = "messages[" + std::to_string(i) + "]";
    if (!m.is_object()) return fail(field, std::string("expected an object; got ") + type_name(m));
    for (const auto& [key, value] : m.items()) {
      if (std::find(kMessageKeys.begin(), kMessageKeys.end(), key) != kMessageKeys.end()) continue;
      std::string message = "unknown key; expected one of " + join_choices(kMessageKeys);
      if (auto hint = did_you_mean(key, kMessageKeys)) message += " (did you mean \"" + *hint + "\"?)";
      return fail(field + "." + key, message);
    }
    if (!m.contains("role")) return fail(field + ".role", "missing");
    if (!m["role"].is_string())
      return fail(field + ".role", std::string("expected a string; got ") + type_name(m["role"]));
    const std::string role = m["role"].get<std::string>();
    if (std::find(kRoles.begin(), kRoles.end(), role) == kRoles.end())
      return fail(field + ".role",
                  "expected one of system, user, assistant, tool; got " + dquote(role));
    const bool may_omit_content =
        role == "assistant" && (m.contains("tool_calls") || m.contains("function_call"));
    if (!m.contains("content") || m["content"].is_null()) {
      if (!may_omit_content) return fail(field + ".content", "missing");
      continue;
    }
    std::string ignored;
    if (!content_text(m["content"], ignored))
      return fail(field + ".content", std::string("expected a string or an array of text parts; got ") +
                                          type_name(m["content"]));
  }

  out = TestCase{};
  out.line = line;
  if (j.contains("id")) {
    const auto& id = j["id"];
    if (id.is_string()) out.id = id.get<std::string>();
    else if (id.is_number_integer()) out.id = std::to_string(id.get<long long>());
    else return fail("id", std::string("expected a string or integer; got ") + type_name(id));
  } else {
    out.id = "line-" + std::to_string(line);
  }
  if (j.contains("tags")) {
    const auto& tags = j["tags"];
    if (!tags.is_array()) return fail("tags", std::string("expected an array of strings; got ") + type_name(tags));
    for (std::size_t i = 0; i < tags.size(); ++i) {
      if (!tags[i].is_string())
        return fail("tags[" + std::to_string(i) + "]", std::string("expected a string; got ") + type_name(tags[i]));
      out.tags.push_back(tags[i].get<std::string>());
    }
  }
  if (j.contains("checks")) {
    if (!j["checks"].is_array())
      return fail("checks", std::string("expected an array of checks; got ") + type_name(j["checks"]));
    out.checks = std::move(j["checks"]);
  }
  // The reference answer is the last message when it is the assistant's: it is what a
  // fine-tuning file trains on, so the same file serves to train and to evaluate.
  if (messages.back()["role"] == "assistant" && messages.back().contains("content") &&
      !messages.back()["content"].is_null()) {
    content_text(messages.back()["content"], out.reference);
    out.has_reference = true;
    messages.erase(messages.size() - 1);
    if (messages.empty())
      return fail("messages", "only an assistant message; expected at least one input message before it");
  }
  out.messages = std::move(messages);
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
