// Splits a chat JSONL dataset into train and eval files, deterministically from a seed, and
// checks the eval side for cases that leaked from the train side.
//
// Lines are copied byte for byte (each ends with a newline; blank lines are dropped). With a
// group key (--by KEY), all lines that share the key's value land on the same side, so related
// cases (the same source document, the same customer, ...) never straddle the split. A line's
// value for KEY is its top-level "KEY" field, else the VALUE of a "KEY:VALUE" or "KEY=VALUE"
// entry in its "tags"; a line with neither is a group of its own.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tb {

struct SplitOptions {
  double holdout = 0.2;            // share of lines for the eval file, in (0, 1)
  std::uint64_t seed = 0;
  std::string by;                  // group key; empty splits line by line
  std::filesystem::path out_dir;   // empty: the input file's folder
  std::string display_name;        // the input as the user named it (for messages)
  std::size_t max_listed_leaks = 5;
};

// Where a case is: its line in the input and in the file it was written to.
struct SplitLocation {
  int source_line = 0;
  int out_line = 0;
};

struct LeakPair {
  SplitLocation eval;
  SplitLocation train;  // the first train line with the same input
};

struct LeakReport {
  long long exact = 0;  // eval cases whose input messages equal a train case's
  long long near = 0;   // not exact, but equal after normalising whitespace and case
  std::vector<LeakPair> exact_listed;
  std::vector<LeakPair> near_listed;
  long long unparsed = 0;  // lines that are not a JSON object with messages: not compared
};

struct SplitResult {
  std::filesystem::path train_file;
  std::filesystem::path eval_file;
  long long lines = 0;  // non-blank input lines
  long long train_lines = 0;
  long long eval_lines = 0;
  long long blank_lines = 0;
  long long groups = 0;            // with a group key: distinct groups (ungrouped lines count one each)
  long long train_groups = 0;
  long long eval_groups = 0;
  long long ungrouped_lines = 0;   // lines without a value for the group key
  LeakReport leaks;
};

// The two keys the leak check compares: the input messages (everything but a final assistant
// answer) as canonical JSON, and the same text with whitespace runs collapsed and ASCII letters
// lowercased. std::nullopt when the line is not a JSON object with a messages array.
struct CaseKeys {
  std::string exact;
  std::string near;
};
std::optional<CaseKeys> case_keys(std::string_view line);

// The group value of a line for `key` (see the file comment); std::nullopt when it has none.
std::optional<std::string> group_value(std::string_view line, const std::string& key);

// Writes INPUT-stem.train.jsonl and INPUT-stem.eval.jsonl (atomically) and runs the leak check.
// std::nullopt with `error` set for input problems (unreadable file, too few lines or groups).
std::optional<SplitResult> split_dataset(const std::filesystem::path& input,
                                         const SplitOptions& options, std::string& error);

}  // namespace tb
