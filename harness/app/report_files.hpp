#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace tb {

class Store;
struct RunSummary;

// Writes run-<id>.html, run-<id>.csv and/or run-<id>.json into `dir`; returns the paths
// written. Throws std::runtime_error naming the file when it cannot be written.
std::vector<std::filesystem::path> write_report_files(Store& store, const RunSummary& summary,
                                                      const std::filesystem::path& dir, bool html,
                                                      bool csv, bool json);

}  // namespace tb
