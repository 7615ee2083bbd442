#include <charconv>
#include <filesystem>
#include <iostream>

#include "analysis/run_summary.hpp"
#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/number_flags.hpp"
#include "app/report_files.hpp"
#include "report/csv_report.hpp"
#include "report/json_report.hpp"
#include "report/terminal_summary.hpp"
#include "store/store.hpp"

namespace tb {
namespace {

struct ReportArgs {
  std::string run = "latest";
  std::string db = "tunebench.db";
  std::string out = "reports/out";
  std::string format = "all";
  long long max_cases = kDefaultGridCases;
};

int report(const ReportArgs& args) {
  if (!std::filesystem::exists(args.db)) {
    std::cerr << "error: no database at " << args.db << " (run `tunebench run SUITE` first, or pass --db)\n";
    return kExitUsage;
  }
  Store store(args.db, false);
  long long id = 0;
  if (args.run == "latest") {
    const auto latest = store.latest_run_id();
    if (!latest) {
      std::cerr << "error: " << args.db << " holds no runs yet\n";
      return kExitUsage;
    }
    id = *latest;
  } else {
    const auto [p, ec] = std::from_chars(args.run.data(), args.run.data() + args.run.size(), id);
    if (ec != std::errc() || p != args.run.data() + args.run.size()) {
      std::cerr << "error: RUN: expected a run id or \"latest\"; got \"" << args.run << "\"\n";
      return kExitUsage;
    }
  }
  if (!store.run(id)) {
    std::cerr << "error: no run " << id << " in " << args.db << " (see `tunebench runs`)\n";
    return kExitUsage;
  }
  const RunSummary summary = summarize_run(store, id);
  if (args.format == "text") {
    write_terminal_summary(summary, std::cout);
    return kExitOk;
  }
  if (args.out == "-") {
    if (args.format == "csv") {
      write_csv_report(store, id, std::cout);
    } else if (args.format == "json") {
      write_json_report(store, summary, std::cout);
    } else {
      std::cerr << "error: --out - (standard output) needs --format csv, json or text\n";
      return kExitUsage;
    }
    return kExitOk;
  }
  const bool html = args.format == "html" || args.format == "all";
  const bool csv = args.format == "csv" || args.format == "all";
  const bool json = args.format == "json" || args.format == "all";
  for (const auto& path : write_report_files(store, summary, args.out, html, csv, json, args.max_cases))
    std::cout << "report: " << path.string() << "\n";
  return kExitOk;
}

}  // namespace

void add_report_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ReportArgs>();
  auto* cmd = app.add_subcommand("report", "Write the reports of a stored run again (from the database)");
  cmd->add_option("run", args->run, "Run id, or latest")->capture_default_str();
  cmd->add_option("--db", args->db, "SQLite database")->capture_default_str();
  cmd->add_option("--out", args->out, "Folder for the report files; - writes CSV or JSON to standard output")
      ->capture_default_str();
  cmd->add_option("--format", args->format,
                  "html, csv, json (summary and every result; schema: docs/report.schema.json), all (the "
                  "three) or text (summary on standard output)")
      ->check(CLI::IsMember({"html", "csv", "json", "all", "text"}))
      ->capture_default_str();
  cmd->add_option("--max-cases", args->max_cases,
                  "At most this many cases in the HTML report's case grid (those where the variants "
                  "disagree and those failing first; the CSV and JSON hold every case)")
      ->check(finite_number(0, 1e12))
      ->capture_default_str();
  cmd->footer("Examples:\n  tunebench report latest --format csv --out -\n  tunebench report 3 --format json --out - | jq '.variants[].conformance'");
  cmd->callback([args, &exit_code] { exit_code = report(*args); });
}

}  // namespace tb
