#pragma once
// Gates and JUnit for the commands that judge runs (run, gate, compare): evaluate, print one
// line per gate, store the outcome with the run, write the JUnit file.
#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <string>

#include "analysis/gates.hpp"

namespace tb {

class Store;
struct RunSummary;

// Evaluates `gates` on the stored run summarised by `summary`, prints "gates:" and one line per
// gate to `out`, and stores the outcome (runs.gate_status, gate_results). Throws StoreError.
GateEvaluation judge_run(Store& store, const Gates& gates, const RunSummary& summary,
                         const std::optional<std::string>& against, std::ostream& out, bool save = true);

// Writes `path` through a temporary file; "-" writes to standard output. Throws
// std::runtime_error naming the file when it cannot be written.
void write_output_file(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write);

}  // namespace tb
