// Fuzzes the suite loader (suite/suite_loader): YAML and JSON text, which both go through
// yaml-cpp, then every field's validation, check compilation, schema and TypeScript loading.
// Contract: any text gives a Suite or diagnostics with file:line; never a crash, a hang or an
// exception out of load_suite_text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "suite/suite_loader.hpp"

namespace {

// Relative paths in the seeds (../datasets/..., prompts/...) resolve against the repository's
// real suites folder, so the loader goes on to read prompt files and convert term.ts.
const std::filesystem::path kAnchor =
    std::filesystem::path(TUNEBENCH_SOURCE_DIR) / "suites" / "fuzz.yaml";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  tb::Diagnostics errors;
  const auto suite = tb::load_suite_text(kAnchor, text, errors);
  // Exactly one of the two outcomes: a suite, or at least one located reason why not.
  if (suite.has_value() != errors.empty()) std::abort();
  for (const auto& d : errors.items())
    if (d.file.empty() || d.message.empty()) std::abort();
  return 0;
}
