#include <filesystem>
#include <iostream>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "store/store.hpp"
#include "store/store_doctor.hpp"

namespace tb {
namespace {

struct DoctorArgs {
  std::string db = "tunebench.db";
};

int doctor(const DoctorArgs& args) {
  if (!std::filesystem::exists(args.db)) {
    std::cerr << "error: no database at " << args.db << " (pass --db)\n";
    return kExitUsage;
  }
  const StoreExamination e = examine_store(args.db);
  std::cout << args.db << ": ";
  if (e.runs >= 0) std::cout << e.runs << " runs, " << e.results << " results, ";
  std::cout << "schema version " << e.schema_version << " (this tunebench writes "
            << Store::kSchemaVersion << ")\n";
  if (e.sound()) {
    std::cout << "integrity: ok (PRAGMA integrity_check)\n";
  } else {
    std::cout << "integrity: DAMAGED (PRAGMA integrity_check):\n";
    for (const auto& line : e.integrity) std::cout << "  " << line << "\n";
    std::cout
        << "  tunebench refuses to read or write this file; restore it from a copy, or recover\n"
           "  what is readable with `sqlite3 "
        << args.db << " .recover | sqlite3 recovered.db`\n";
  }
  if (e.problems.empty()) std::cout << "consistency: ok\n";
  for (const auto& p : e.problems) std::cout << "problem: " << p << "\n";
  for (const auto& n : e.notes) std::cout << "note: " << n << "\n";
  return e.healthy() ? kExitOk : kExitChecksFailed;
}

}  // namespace

void add_doctor_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<DoctorArgs>();
  auto* cmd = app.add_subcommand(
      "doctor", "Check a database: SQLite's integrity_check and the store's own consistency");
  cmd->add_option("--db", args->db, "SQLite database")->capture_default_str();
  cmd->footer(
      "Checks every page (PRAGMA integrity_check), references between tables, runs marked running\n"
      "that no process drives, results without bodies or beyond their run's jobs, and results "
      "kept\n"
      "in unsaved-results files. Changes nothing.\n"
      "Exit 0: healthy; 1: damage or problems found (each printed); 2: no such database.");
  cmd->callback([args, &exit_code] { exit_code = doctor(*args); });
}

}  // namespace tb
