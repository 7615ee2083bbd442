// Checks an OpenAI chat fine-tuning file before it is paid for: the format checks of OpenAI's
// cookbook ("Data preparation and analysis for chat model fine-tuning"), per-example token
// counts against the model's limit, the default epochs and the billed training tokens and cost.
//
// Unlike DatasetReader (which reads eval datasets and stops at a line's first problem), every
// problem of every line is found, so one run lists everything there is to fix.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "token/chat_token_counter.hpp"

namespace tb {

enum class ProblemSeverity { error, warning };
std::string_view to_string(ProblemSeverity severity);

struct DatasetProblem {
  ProblemSeverity severity = ProblemSeverity::error;
  std::string kind;     // the cookbook's names where it has one: "missing_content", ...
  int line = 0;         // 1-based; 0 for the whole file
  std::string field;    // "messages[2].role"; empty for the whole line or file
  std::string message;  // what is wrong, and what was expected
};

struct TokenStats {
  long long min = 0;
  long long max = 0;
  double mean = 0;
  double median = 0;
  double p95 = 0;
};

struct OverLimitExample {
  int line = 0;
  long long tokens = 0;
};

struct DatasetCheckSettings {
  std::string display_name;              // the file as the user named it
  std::string model;                     // the model to fine-tune, e.g. gpt-4o-mini
  long long token_limit = 0;             // tokens per example the API trains on
  std::optional<double> training_price;  // USD per 1M training tokens
  std::optional<int> epochs;             // overrides the API's default
  std::size_t max_listed_per_kind = 50;  // problems kept per kind (all are counted)
};

struct DatasetCheckReport {
  DatasetCheckSettings settings;
  long long examples = 0;     // non-blank lines
  long long blank_lines = 0;  // skipped; reported as a warning
  // The first settings.max_listed_per_kind problems of each kind, in line order.
  std::vector<DatasetProblem> problems;
  // Every problem, counted per kind.
  std::map<std::string, long long> error_counts;
  std::map<std::string, long long> warning_counts;
  long long errors = 0;
  long long warnings = 0;

  long long counted_examples = 0;  // examples whose tokens could be counted
  TokenStats tokens;               // per example, all messages as the API bills training
  TokenStats assistant_tokens;     // per example, the assistant messages' content
  std::vector<OverLimitExample> over_limit;  // listed (capped); over_limit_count counts all
  long long over_limit_count = 0;

  int epochs = 0;
  bool default_epochs = true;     // false when --epochs set it
  long long tokens_per_epoch = 0; // sum over examples of min(limit, tokens)
  long long billed_tokens = 0;    // epochs x tokens_per_epoch
  std::optional<double> estimated_cost_usd;

  bool ok() const { return errors == 0; }
};

// OpenAI's default epochs for n training examples: 3, raised so that n x epochs reaches 100
// (at most 25), lowered so that it stays under 25,000 (at least 1). 0 for no examples.
int default_epochs(long long examples);

// Tokens of a training example's messages: count_chat_messages (the per-message formula a run
// uses for usage.prompt_tokens: role, content or the text of its parts, name) plus, for
// tool_calls and function_call, the tokens of their compact JSON (an approximation: the API's
// exact rendering of calls is not published).
std::size_t count_chat_tokens(const ChatTokenCounter& counter, const nlohmann::json& messages);

// Checks a fine-tuning file line by line; memory grows only with the number of examples
// (one token count each) and the listed problems.
class DatasetChecker {
 public:
  DatasetChecker(DatasetCheckSettings settings, const ChatTokenCounter& counter);

  // Every line of the file in order, blank ones included (without the line end).
  void add_line(std::string_view text, int line);
  // The whole-file checks (example count), token statistics, epochs and cost.
  DatasetCheckReport finish();

 private:
  void add(ProblemSeverity severity, const char* kind, int line, std::string field,
           std::string message);
  void check_message(const nlohmann::json& m, std::size_t index, int line);

  DatasetCheckReport report_;
  const ChatTokenCounter* counter_;
  std::vector<double> tokens_;
  std::vector<double> assistant_tokens_;
  std::map<std::string, std::size_t> listed_;  // problems kept per kind
};

// Reads `path` and checks every line. std::nullopt with `error` set when it cannot be read.
std::optional<DatasetCheckReport> check_dataset_file(const std::filesystem::path& path,
                                                     DatasetCheckSettings settings,
                                                     const ChatTokenCounter& counter,
                                                     std::string& error);

// The report as JSON (what `tunebench dataset check --json` prints).
nlohmann::json to_json(const DatasetCheckReport& report);

}  // namespace tb
