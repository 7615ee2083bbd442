#include <iomanip>
#include <filesystem>
#include <iostream>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "common/text.hpp"
#include "report/report_text.hpp"
#include "store/store.hpp"

namespace tb {
namespace {

struct RunsArgs {
  std::string db = "tunebench.db";
  int limit = 20;
};

int list_runs(const RunsArgs& args) {
  if (!std::filesystem::exists(args.db)) {
    std::cerr << "error: no database at " << args.db << " (run `tunebench run SUITE` first, or pass --db)\n";
    return kExitUsage;
  }
  Store store(args.db, false);
  const auto runs = store.runs(args.limit);
  if (runs.empty()) {
    std::cout << "no runs in " << args.db << "\n";
    return kExitOk;
  }
  std::cout << std::left << std::setw(6) << "id" << std::setw(22) << "started" << std::setw(21) << "status"
            << std::setw(14) << "results" << std::setw(7) << "gates" << std::setw(11) << "simulated" << "suite\n";
  for (const auto& r : runs) {
    const std::string results = std::to_string(store.count_results(r.id)) + "/" + std::to_string(r.total_jobs);
    std::cout << std::left << std::setw(6) << r.id << std::setw(22) << r.started_at << std::setw(21)
              << (r.stale ? r.status + " (stale)" : r.status)
              << std::setw(14) << results << std::setw(7) << (r.gate_status.empty() ? "-" : r.gate_status)
              << std::setw(11) << (r.simulated ? "yes" : "no") << r.suite_name
              << " (" << r.suite_file << ")";
    if (const auto scope = run_scope(r); !scope.empty()) std::cout << ", " << scope;
    std::cout << "\n";
  }
  return kExitOk;
}

}  // namespace

void add_runs_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<RunsArgs>();
  auto* cmd = app.add_subcommand("runs", "List the runs stored in the database, newest first");
  cmd->add_option("--db", args->db, "SQLite database")->capture_default_str();
  cmd->add_option("--limit,-n", args->limit, "How many runs to list")->capture_default_str()->check(CLI::Range(1, 1000000));
  cmd->callback([args, &exit_code] { exit_code = list_runs(*args); });
}

}  // namespace tb
