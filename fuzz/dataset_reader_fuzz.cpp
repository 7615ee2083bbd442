// Fuzzes the dataset line reader (suite/dataset_reader): a JSONL text split into lines as
// DatasetReader::next splits them, each line parsed into a test case or a diagnostic.
// Contract: a case whose messages are what is sent and whose reference is the last assistant
// message, or a diagnostic naming the line; never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/text.hpp"
#include "suite/dataset_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const std::string name = "fuzz.jsonl";
  int line = 0;
  while (!rest.empty()) {
    const std::size_t end = rest.find('\n');
    std::string_view text = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    ++line;
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (tb::trim(text).empty()) continue;
    tb::TestCase out;
    tb::Diagnostic error;
    if (tb::DatasetReader::parse_line(text, line, name, out, error)) {
      if (!error.message.empty() || out.line != line || out.id.empty()) std::abort();
      if (!out.messages.is_array() || out.messages.empty()) std::abort();
      if (!out.checks.is_null() && !out.checks.is_array()) std::abort();
      for (const auto& m : out.messages)
        if (!m.is_object() || !m.contains("role")) std::abort();
    } else if (error.message.empty() || error.line != line || error.file != name) {
      std::abort();
    }
  }
  return 0;
}
