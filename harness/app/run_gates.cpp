#include "app/run_gates.hpp"

#include <fstream>
#include <functional>
#include <iostream>
#include <stdexcept>

#include "analysis/run_reference.hpp"
#include "analysis/run_summary.hpp"
#include "store/store.hpp"

namespace tb {

GateEvaluation judge_run(Store& store, const Gates& gates, const RunSummary& summary,
                         const std::optional<std::string>& against, std::ostream& out, bool save) {
  RunResolver resolver(store);
  RunSide self;
  self.store = &store;
  self.run_id = summary.run.id;
  self.label = std::to_string(summary.run.id);
  GateEvaluation evaluation = evaluate_gates(gates, summary, self, resolver, against);
  // Stored gates decide which run is latest-passing, the reference of the next release.
  if (save) store.save_gates(summary.run.id, evaluation.gates);
  if (!evaluation.gates.empty()) {
    out << "gates:\n";
    for (const auto& g : evaluation.gates) out << "  " << g.detail << "\n";
    out << (evaluation.passed() ? "gates passed" : "gates FAILED") << " (run " << summary.run.id << ")\n";
  }
  return evaluation;
}

void write_output_file(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write) {
  if (path == "-") {
    write(std::cout);
    return;
  }
  if (std::error_code dir_ec; std::filesystem::is_directory(path, dir_ec))
    throw std::runtime_error("cannot write " + path.string() + ": it is a folder; name a file in it");
  if (!path.parent_path().empty()) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
  }
  const std::filesystem::path tmp = path.string() + ".tmp";
  {
    std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
    if (!file) throw std::runtime_error("cannot write " + path.string());
    write(file);
    file.flush();
    if (!file) {
      file.close();
      std::filesystem::remove(tmp);
      throw std::runtime_error("cannot write " + path.string() + " (disk full?)");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw std::runtime_error("cannot write " + path.string() + ": " + ec.message());
  }
}

}  // namespace tb
