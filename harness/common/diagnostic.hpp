#pragma once
#include <string>
#include <vector>

namespace tb {

// One problem with the user's input, located so that it can be fixed without guessing:
// "datasets/x.jsonl:17: messages[2].role: expected one of ...; got \"bot\"".
struct Diagnostic {
  std::string file;     // as the user named it (relative paths stay relative)
  int line = 0;         // 1-based; 0 when the problem is not tied to a line
  std::string field;    // e.g. "variants[1].model"; empty when the whole file is meant
  std::string message;  // what was expected and what was found

  std::string to_string() const;
};

// Collects diagnostics so that a loader reports every problem of a file in one go.
class Diagnostics {
 public:
  void add(Diagnostic d) { items_.push_back(std::move(d)); }
  bool empty() const { return items_.empty(); }
  std::size_t size() const { return items_.size(); }
  const std::vector<Diagnostic>& items() const { return items_; }
  std::string to_string() const;  // one diagnostic per line

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace tb
