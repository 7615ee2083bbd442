#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace tb {

class Store;
struct RunSummary;

// Writes run-<id>.html and/or run-<id>.csv into `dir`; returns the paths written.
// Throws std::runtime_error naming the file when it cannot be written.
std::vector<std::filesystem::path> write_report_files(Store& store, const RunSummary& summary,
                                                      const std::filesystem::path& dir,
                                                      bool html, bool csv);

}  // namespace tb
