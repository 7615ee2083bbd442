#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tb {

// One test input from a dataset line: the chat messages to send and the reference answer (the
// last assistant message, removed from what is sent).
struct TestCase {
  std::size_t index = 0;         // 0-based position among the dataset's cases
  int line = 0;                  // 1-based line in the dataset file
  // The case's identity across runs and datasets: the line's "id", else "h" and 16 hex digits of
  // the SHA-256 of its input messages (never its line number: inserting a case must not shift
  // the pairing of the others in compare, gates and shards).
  std::string id;
  bool explicit_id = false;      // the id came from the line
  std::string content_hash;      // SHA-256 of the line's text: any change of the case shows
  nlohmann::json messages;       // array of {"role","content",...} sent to the model
  std::string reference;         // reference answer; empty when the line has none
  bool has_reference = false;
  std::vector<std::string> tags;
  // The corpus passages that answer it ("gold": document ids, or chunk ids "doc#n"); empty
  // when the line names none.
  std::vector<std::string> gold;
  nlohmann::json checks;         // per-case checks (array) or null
  // The line's function-calling fields, sent with its request: an object holding those of
  // "tools", "functions" and "parallel_tool_calls" the line has; null when none.
  nlohmann::json tool_fields;
};

}  // namespace tb
