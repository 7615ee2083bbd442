#include "app/report_files.hpp"

#include <sstream>
#include <stdexcept>

#include "analysis/run_summary.hpp"
#include "common/files.hpp"
#include "report/csv_report.hpp"
#include "report/html_report.hpp"
#include "store/store.hpp"

namespace tb {

std::vector<std::filesystem::path> write_report_files(Store& store, const RunSummary& summary,
                                                      const std::filesystem::path& dir, bool html,
                                                      bool csv) {
  std::vector<std::filesystem::path> written;
  const std::string stem = "run-" + std::to_string(summary.run.id);
  std::string error;
  if (html) {
    const auto path = dir / (stem + ".html");
    if (!write_file_atomic(path, render_html_report(store, summary), &error)) throw std::runtime_error(error);
    written.push_back(path);
  }
  if (csv) {
    std::ostringstream out;
    write_csv_report(store, summary.run.id, out);
    const auto path = dir / (stem + ".csv");
    if (!write_file_atomic(path, out.str(), &error)) throw std::runtime_error(error);
    written.push_back(path);
  }
  return written;
}

}  // namespace tb
