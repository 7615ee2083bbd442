#include "app/report_files.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "analysis/run_summary.hpp"
#include "common/files.hpp"
#include "report/csv_report.hpp"
#include "report/html_report.hpp"
#include "report/json_report.hpp"
#include "store/store.hpp"

namespace tb {

std::vector<std::filesystem::path> write_report_files(Store& store, const RunSummary& summary,
                                                      const std::filesystem::path& dir, bool html,
                                                      bool csv, bool json,
                                                      long long max_grid_cases) {
  std::vector<std::filesystem::path> written;
  const std::string stem = "run-" + std::to_string(summary.run.id);
  std::string error;
  if (html) {
    const auto path = dir / (stem + ".html");
    if (!write_file_atomic(path, render_html_report(store, summary, max_grid_cases), &error))
      throw std::runtime_error(error);
    written.push_back(path);
  }
  // Streamed: a run of a million results must not need its CSV or JSON in memory.
  auto stream_to = [&](const std::string& extension, const auto& write) {
    const auto path = dir / (stem + extension);
    const auto tmp = std::filesystem::path(path.string() + ".tmp");
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    // Nothing is left behind when the file cannot be written (a full disk): neither a partial
    // report under its name nor the temporary file.
    const auto fail = [&](const std::string& why) {
      std::filesystem::remove(tmp, ec);
      throw std::runtime_error("cannot write " + path.string() + ": " + why);
    };
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      if (!out) fail(std::strerror(errno));
      write(out);
      out.close();
      if (!out)
        fail(errno == ENOSPC ? "no space left on device"
             : errno != 0    ? std::strerror(errno)
                             : "write failed");
    }
    std::filesystem::rename(tmp, path, ec);
    if (ec) fail(ec.message());
    written.push_back(path);
  };
  if (csv) stream_to(".csv", [&](std::ostream& out) { write_csv_report(store, summary.run.id, out); });
  if (json) stream_to(".json", [&](std::ostream& out) { write_json_report(store, summary, out); });
  return written;
}

}  // namespace tb
