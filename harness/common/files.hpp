#pragma once
#include <filesystem>
#include <optional>
#include <string>

namespace tb {

// The whole file, or nullopt when it cannot be read (the caller names the file in its error).
std::optional<std::string> read_file(const std::filesystem::path& path);

// Writes atomically (temp file + rename) so a killed process never leaves half a report.
bool write_file_atomic(const std::filesystem::path& path, std::string_view content,
                       std::string* error = nullptr);

// Paths inside a suite are relative to the suite file, as users expect when they move suites.
std::filesystem::path resolve_relative(const std::filesystem::path& anchor_file,
                                       const std::filesystem::path& p);

}  // namespace tb
