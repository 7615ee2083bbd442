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
  std::string id;                // the line's "id", else "line-N"
  nlohmann::json messages;       // array of {"role","content",...} sent to the model
  std::string reference;         // reference answer; empty when the line has none
  bool has_reference = false;
  std::vector<std::string> tags;
  nlohmann::json checks;         // per-case checks (array) or null
};

}  // namespace tb
