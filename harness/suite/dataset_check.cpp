#include "suite/dataset_check.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>

#include "analysis/statistics.hpp"
#include "common/files.hpp"
#include "common/json_depth.hpp"
#include "common/text.hpp"
#include "token/chat_messages.hpp"

namespace tb {
namespace {

// The cookbook's allowed keys, plus tool_call_id: the API's fine-tuning schema has it on tool
// messages (the answer to an assistant's tool call), so a valid tool-calling file uses it.
constexpr std::array<std::string_view, 7> kMessageKeys = {
    "role", "content", "name", "function_call", "tool_calls", "tool_call_id", "weight"};
constexpr std::array<std::string_view, 5> kRoles = {"system", "user", "assistant", "tool",
                                                     "function"};

const char* type_name(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::boolean: return "a boolean";
    case nlohmann::json::value_t::string: return "a string";
    case nlohmann::json::value_t::array: return "an array";
    case nlohmann::json::value_t::object: return "an object";
    default: return "a number";
  }
}

// The text the model reads from a content value: a string, or the text of its parts.
std::string content_text(const nlohmann::json& content) {
  if (content.is_string()) return content.get<std::string>();
  std::string text;
  if (content.is_array())
    for (const auto& part : content)
      if (part.is_object() && part.contains("text") && part["text"].is_string())
        text += part["text"].get_ref<const std::string&>();
  return text;
}

TokenStats stats_of(const std::vector<double>& values) {
  TokenStats s;
  if (values.empty()) return s;
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  s.min = static_cast<long long>(*lo);
  s.max = static_cast<long long>(*hi);
  s.mean = mean(values);
  s.median = percentile(values, 50);
  s.p95 = percentile(values, 95);
  return s;
}

nlohmann::json stats_json(const TokenStats& s) {
  return {{"min", s.min}, {"mean", s.mean}, {"median", s.median}, {"p95", s.p95}, {"max", s.max}};
}

}  // namespace

std::string_view to_string(ProblemSeverity severity) {
  return severity == ProblemSeverity::error ? "error" : "warning";
}

// OpenAI cookbook, "Data preparation and analysis for chat model fine-tuning": TARGET_EPOCHS 3,
// MIN_TARGET_EXAMPLES 100, MAX_TARGET_EXAMPLES 25000, MIN/MAX_DEFAULT_EPOCHS 1/25.
int default_epochs(long long examples) {
  if (examples <= 0) return 0;
  constexpr long long kTarget = 3, kMinExamples = 100, kMaxExamples = 25000;
  if (examples * kTarget < kMinExamples)
    return static_cast<int>(std::min<long long>(25, kMinExamples / examples));
  if (examples * kTarget > kMaxExamples)
    return static_cast<int>(std::max<long long>(1, kMaxExamples / examples));
  return static_cast<int>(kTarget);
}

std::size_t count_chat_tokens(const ChatTokenCounter& counter, const nlohmann::json& messages) {
  // The same count as a run's local prompt tokens, plus the calls an assistant makes: in
  // training they are text the model learns to write.
  std::size_t extra = 0;
  for (const auto& m : messages)
    for (const char* key : {"tool_calls", "function_call"})
      if (m.is_object() && m.contains(key) && !m[key].is_null())
        extra += counter.encoding().count(m[key].dump(), SpecialTokens::as_text);
  return count_chat_messages(counter, messages) + extra;
}

DatasetChecker::DatasetChecker(DatasetCheckSettings settings, const ChatTokenCounter& counter)
    : counter_(&counter) {
  report_.settings = std::move(settings);
}

void DatasetChecker::add(ProblemSeverity severity, const char* kind, int line, std::string field,
                         std::string message) {
  auto& counts = severity == ProblemSeverity::error ? report_.error_counts : report_.warning_counts;
  ++counts[kind];
  ++(severity == ProblemSeverity::error ? report_.errors : report_.warnings);
  if (listed_[kind]++ < report_.settings.max_listed_per_kind)
    report_.problems.push_back({severity, kind, line, std::move(field), std::move(message)});
}

void DatasetChecker::check_message(const nlohmann::json& m, std::size_t index, int line) {
  const std::string field = "messages[" + std::to_string(index) + "]";
  const auto error = [&](const char* kind, const std::string& sub, std::string message) {
    add(ProblemSeverity::error, kind, line, sub.empty() ? field : field + "." + sub, std::move(message));
  };
  if (!m.is_object()) {
    error("data_type", "", std::string("expected a message object; got ") + type_name(m));
    return;
  }
  for (const auto& [key, value] : m.items()) {
    if (std::find(kMessageKeys.begin(), kMessageKeys.end(), key) != kMessageKeys.end()) continue;
    std::string message = "unrecognized key; expected one of " + join_choices(kMessageKeys);
    if (auto hint = did_you_mean(key, kMessageKeys)) message += " (did you mean \"" + *hint + "\"?)";
    error("message_unrecognized_key", key, message);
  }

  std::string role;
  if (!m.contains("role")) {
    error("message_missing_key", "role", "missing key \"role\"");
  } else if (!m["role"].is_string()) {
    error("unrecognized_role", "role", std::string("expected a string; got ") + type_name(m["role"]));
  } else {
    role = m["role"].get<std::string>();
    if (std::find(kRoles.begin(), kRoles.end(), role) == kRoles.end()) {
      std::string message = "unrecognized role " + dquote(role) + "; expected one of " + join_choices(kRoles);
      if (auto hint = did_you_mean(role, kRoles)) message += " (did you mean \"" + *hint + "\"?)";
      error("unrecognized_role", "role", message);
    }
  }

  // An assistant message that calls a tool or function may have no content.
  const auto present = [&](const char* key) { return m.contains(key) && !m[key].is_null(); };
  const bool may_omit_content = role == "assistant" && (present("tool_calls") || present("function_call"));
  if (!m.contains("content")) {
    if (!may_omit_content) error("message_missing_key", "content", "missing key \"content\"");
  } else {
    const auto& content = m["content"];
    if (content.is_null()) {
      if (!may_omit_content) error("missing_content", "content", "null; expected the message's text");
    } else if (content.is_string()) {
      if (content.get_ref<const std::string&>().empty() && !may_omit_content)
        error("missing_content", "content", "empty; expected the message's text");
    } else if (content.is_array()) {
      if (content.empty() && !may_omit_content) error("missing_content", "content", "empty array of content parts");
      for (std::size_t i = 0; i < content.size(); ++i) {
        const auto& part = content[i];
        if (!part.is_object() || !part.contains("type") || !part["type"].is_string())
          error("missing_content", "content[" + std::to_string(i) + "]",
                std::string("expected a content part {\"type\": ..., ...}; got ") + type_name(part));
        else if (part["type"] == "text" && (!part.contains("text") || !part["text"].is_string()))
          error("missing_content", "content[" + std::to_string(i) + "].text", "a text part needs a \"text\" string");
      }
    } else {
      error("missing_content", "content", std::string("expected a string; got ") + type_name(content));
    }
  }

  if (m.contains("name") && !m["name"].is_string())
    error("invalid_value", "name", std::string("expected a string; got ") + type_name(m["name"]));
  if (present("tool_calls") && !m["tool_calls"].is_array())
    error("invalid_value", "tool_calls", std::string("expected an array; got ") + type_name(m["tool_calls"]));
  if (present("function_call") && !m["function_call"].is_object())
    error("invalid_value", "function_call", std::string("expected an object; got ") + type_name(m["function_call"]));
  if (m.contains("weight")) {
    const auto& w = m["weight"];
    if (!w.is_number_integer() || (w.get<long long>() != 0 && w.get<long long>() != 1))
      error("invalid_weight", "weight", "expected 0 or 1; got " + w.dump());
    else if (!role.empty() && role != "assistant")
      add(ProblemSeverity::warning, "weight_not_on_assistant", line, field + ".weight",
          "the API defines weight on assistant messages only; this one is " + dquote(role));
  }
}

void DatasetChecker::add_line(std::string_view text, int line) {
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  if (trim(text).empty()) {
    ++report_.blank_lines;
    add(ProblemSeverity::warning, "blank_line", line, "",
        "blank line; the API expects one JSON object on every line (remove it)");
    return;
  }
  ++report_.examples;
  bool too_deep = false;
  const nlohmann::json j = parse_json_bounded(text, &too_deep);
  if (too_deep) {
    add(ProblemSeverity::error, "invalid_json", line, "",
        "arrays and objects " + json_too_deep_reason() + "; each line must be one JSON object");
    return;
  }
  if (j.is_discarded()) {
    std::string where;
    try {
      [[maybe_unused]] const auto unused = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
      where = " (at byte " + std::to_string(e.byte) + ")";
    }
    add(ProblemSeverity::error, "invalid_json", line, "", "not valid JSON" + where + "; each line must be one JSON object");
    return;
  }
  if (!j.is_object()) {
    add(ProblemSeverity::error, "data_type", line, "",
        std::string("expected a JSON object {\"messages\": [...]}; got ") + type_name(j));
    return;
  }
  if (!j.contains("messages")) {
    add(ProblemSeverity::error, "missing_messages_list", line, "messages", "missing; every example needs a messages list");
    return;
  }
  const auto& messages = j["messages"];
  if (!messages.is_array() || messages.empty()) {
    add(ProblemSeverity::error, "missing_messages_list", line, "messages",
        messages.is_array() ? std::string("empty; expected the example's messages")
                            : std::string("expected an array of messages; got ") + type_name(messages));
    return;
  }

  bool has_system = false, has_user = false, has_assistant = false;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const auto& m = messages[i];
    check_message(m, i, line);
    if (!m.is_object() || !m.contains("role")) continue;
    has_system |= m["role"] == "system";
    has_user |= m["role"] == "user";
    has_assistant |= m["role"] == "assistant";
  }
  if (!has_assistant)
    add(ProblemSeverity::error, "example_missing_assistant_message", line, "messages",
        "no assistant message; an example trains on its assistant messages");
  if (!has_system)
    add(ProblemSeverity::warning, "missing_system_message", line, "messages", "no system message");
  if (!has_user)
    add(ProblemSeverity::warning, "missing_user_message", line, "messages", "no user message");

  // Tokens as the API counts a chat: every message, with the per-message overhead.
  const auto tokens = static_cast<long long>(count_chat_tokens(*counter_, messages));
  long long assistant = 0;
  for (const auto& m : messages)
    if (m.is_object() && m.contains("role") && m["role"] == "assistant" && m.contains("content"))
      assistant += static_cast<long long>(
          counter_->encoding().count(content_text(m["content"]), SpecialTokens::as_text));
  tokens_.push_back(static_cast<double>(tokens));
  assistant_tokens_.push_back(static_cast<double>(assistant));
  const long long limit = report_.settings.token_limit;
  report_.tokens_per_epoch += limit > 0 ? std::min(limit, tokens) : tokens;
  if (limit > 0 && tokens > limit) {
    ++report_.over_limit_count;
    if (report_.over_limit.size() < report_.settings.max_listed_per_kind)
      report_.over_limit.push_back({line, tokens});
    add(ProblemSeverity::warning, "over_token_limit", line, "",
        with_thousands(tokens) + " tokens, over " + report_.settings.model + "'s limit of " +
            with_thousands(limit) + " per example: the API trains on the first " + with_thousands(limit));
  }
}

DatasetCheckReport DatasetChecker::finish() {
  const long long n = report_.examples;
  if (n < 10) {
    add(ProblemSeverity::error, "too_few_examples", 0, "",
        std::to_string(n) + " example" + (n == 1 ? "" : "s") +
            "; the fine-tuning API requires at least 10");
  } else if (n < 50) {
    add(ProblemSeverity::warning, "few_examples", 0, "",
        std::to_string(n) + " examples; OpenAI recommends at least 50 well-crafted examples");
  }
  // File-wide problems first, then by line (stable: a line's problems keep their order).
  std::stable_sort(report_.problems.begin(), report_.problems.end(),
                   [](const DatasetProblem& a, const DatasetProblem& b) { return a.line < b.line; });
  report_.counted_examples = static_cast<long long>(tokens_.size());
  report_.tokens = stats_of(tokens_);
  report_.assistant_tokens = stats_of(assistant_tokens_);
  report_.default_epochs = !report_.settings.epochs.has_value();
  report_.epochs = report_.settings.epochs ? *report_.settings.epochs : default_epochs(n);
  report_.billed_tokens = report_.epochs * report_.tokens_per_epoch;
  if (report_.settings.training_price)
    report_.estimated_cost_usd = static_cast<double>(report_.billed_tokens) * *report_.settings.training_price / 1e6;
  return std::move(report_);
}

std::optional<DatasetCheckReport> check_dataset_file(const std::filesystem::path& path,
                                                     DatasetCheckSettings settings,
                                                     const ChatTokenCounter& counter,
                                                     std::string& error) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    error = settings.display_name + ": is a directory, not a JSONL file";
    return std::nullopt;
  }
  std::ifstream in;
  std::string why;
  if (!open_regular_file(path, in, &why)) {
    error = "cannot read " + settings.display_name + ": " + why;
    return std::nullopt;
  }
  const std::string display_name = settings.display_name;
  DatasetChecker checker(std::move(settings), counter);
  std::string text;
  int line = 0;
  for (LineRead read; (read = read_line(in, text)) != LineRead::end;) {
    if (read == LineRead::too_long) {
      error = display_name + ":" + std::to_string(line + 1) + ": the line is longer than " +
              byte_size_text(kMaxLineBytes) + ", more than tunebench reads of one example";
      return std::nullopt;
    }
    checker.add_line(text, ++line);
  }
  if (in.bad()) {
    error = "read error after line " + std::to_string(line);
    return std::nullopt;
  }
  return checker.finish();
}

nlohmann::json to_json(const DatasetCheckReport& r) {
  nlohmann::json problems = nlohmann::json::array();
  for (const auto& p : r.problems) {
    nlohmann::json item = {{"severity", to_string(p.severity)}, {"kind", p.kind}, {"line", p.line},
                           {"message", p.message}};
    if (!p.field.empty()) item["field"] = p.field;
    problems.push_back(std::move(item));
  }
  nlohmann::json over = nlohmann::json::array();
  for (const auto& o : r.over_limit) over.push_back({{"line", o.line}, {"tokens", o.tokens}});
  nlohmann::json j = {
      {"file", r.settings.display_name},
      {"model", r.settings.model},
      {"ok", r.ok()},
      {"examples", r.examples},
      {"errors", r.errors},
      {"warnings", r.warnings},
      {"error_counts", r.error_counts},
      {"warning_counts", r.warning_counts},
      {"problems", std::move(problems)},
      {"problems_listed_per_kind", r.settings.max_listed_per_kind},
      {"counted_examples", r.counted_examples},
      {"tokens_per_example", stats_json(r.tokens)},
      {"assistant_tokens_per_example", stats_json(r.assistant_tokens)},
      {"token_limit", r.settings.token_limit},
      {"over_limit_count", r.over_limit_count},
      {"over_limit", std::move(over)},
      {"epochs", r.epochs},
      {"epochs_default", r.default_epochs},
      {"tokens_per_epoch", r.tokens_per_epoch},
      {"billed_tokens", r.billed_tokens},
  };
  j["training_price_per_1m"] = r.settings.training_price ? nlohmann::json(*r.settings.training_price) : nlohmann::json();
  j["estimated_cost_usd"] = r.estimated_cost_usd ? nlohmann::json(*r.estimated_cost_usd) : nlohmann::json();
  return j;
}

}  // namespace tb
