#pragma once
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "common/diagnostic.hpp"
#include "suite/test_case.hpp"

namespace tb {

// Streams an OpenAI chat JSONL dataset one case at a time, so memory does not grow with the
// number of cases. Blank lines are skipped; every malformed line is a diagnostic with its line.
class DatasetReader {
 public:
  enum class Status { ok, end, error };

  DatasetReader(std::filesystem::path path, std::string display_name);

  bool open(Diagnostic& error);
  // Reads the next case. On error, the diagnostic names the file, line and field.
  Status next(TestCase& out, Diagnostic& error);

  // Validates a single line's JSON text (exposed for tests and `dataset check`).
  static bool parse_line(std::string_view text, int line, const std::string& display_name,
                         TestCase& out, Diagnostic& error);

 private:
  std::filesystem::path path_;
  std::string display_name_;
  std::ifstream in_;
  int line_ = 0;
  std::size_t index_ = 0;
};

// Reads the whole dataset once to validate it before any request is sent, without keeping it.
// Returns the number of cases, or -1 with every problem (up to a limit) in `errors`.
long long validate_dataset(const std::filesystem::path& path, const std::string& display_name,
                           Diagnostics& errors, std::size_t max_errors = 20);

}  // namespace tb
