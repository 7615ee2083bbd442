#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "report/html_case_grid.hpp"

namespace tb {

class Store;
struct RunSummary;

// Writes run-<id>.html, run-<id>.csv and/or run-<id>.json into `dir`; returns the paths
// written. The HTML's case grid holds at most `max_grid_cases` cases (--max-cases). Throws
// std::runtime_error naming the file when it cannot be written.
std::vector<std::filesystem::path> write_report_files(Store& store, const RunSummary& summary,
                                                      const std::filesystem::path& dir, bool html,
                                                      bool csv, bool json,
                                                      long long max_grid_cases = kDefaultGridCases);

}  // namespace tb
