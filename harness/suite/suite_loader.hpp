#pragma once
#include <filesystem>
#include <optional>

#include "common/diagnostic.hpp"
#include "suite/suite.hpp"

namespace tb {

// Loads and validates a suite (YAML or JSON). Every problem is reported with file:line and the
// field; unknown keys are errors with a did-you-mean. Prompt files, schemas and checks are
// loaded and compiled here, so a run never starts on a suite that cannot finish.
std::optional<Suite> load_suite(const std::filesystem::path& file, Diagnostics& errors);

// The same from text (tests, stdin); `file` anchors relative paths and names the source.
std::optional<Suite> load_suite_text(const std::filesystem::path& file, std::string_view text,
                                     Diagnostics& errors);

}  // namespace tb
