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

// The `gate:` section of a suite as stored with a run (`runs.suite_json`), its variant names
// checked against the run's variants. An empty Gates when the suite had none.
std::optional<Gates> load_gates(std::string_view suite_json, const std::vector<std::string>& variant_ids,
                                Diagnostics& errors);

}  // namespace tb
