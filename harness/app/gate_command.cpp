// `tunebench gate RUN`: the suite's gates (and --against) judged on a stored run, for CI.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "analysis/run_reference.hpp"
#include "analysis/run_summary.hpp"
#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/run_gates.hpp"
#include "report/junit_report.hpp"
#include "store/store.hpp"
#include "suite/suite_loader.hpp"

namespace tb {
namespace {

struct GateArgs {
  std::string run = "latest";
  std::string db = "tunebench.db";
  std::string against;
  std::string junit;
  bool save = false;
};

int gate(const GateArgs& args) {
  if (!std::filesystem::exists(args.db)) {
    std::cerr << "error: no database at " << args.db << " (run `tunebench run SUITE` first, or pass --db)\n";
    return kExitUsage;
  }
  Store store(args.db, false);
  RunResolver resolver(store);
  std::optional<RunSide> side;
  try {
    side = resolver.resolve(args.run);
  } catch (const StoreError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitUsage;
  }
  if (!side || side->store != &store) {
    std::cerr << "error: gate judges a run of --db; got \"" << args.run << "\"\n";
    return kExitUsage;
  }
  const RunSummary summary = summarize_run(store, side->run_id);
  std::vector<std::string> ids;
  for (const auto& v : summary.variants) ids.push_back(v.variant.id);
  Diagnostics errors;
  const auto gates = load_gates(summary.run.suite_json, ids, errors);
  if (!gates) {
    for (const auto& d : errors.items()) std::cerr << "error: " << d.to_string() << "\n";
    return kExitUsage;
  }
  if (gates->empty() && args.against.empty()) {
    std::cerr << "error: run " << side->run_id << "'s suite has no gate: section; add one, or give --against RUN "
                 "to check it for regressions\n";
    return kExitUsage;
  }
  if (summary.run.status != "done")
    std::cerr << "warning: run " << side->run_id << " is " << summary.run.status << ": its gates judge the results it has\n";
  GateEvaluation evaluation;
  try {
    evaluation = judge_run(store, *gates, summary,
                           args.against.empty() ? std::nullopt : std::optional<std::string>(args.against), std::cout,
                           args.save);
    if (args.save) std::cout << "stored as run " << side->run_id << "'s gate outcome\n";
  } catch (const StoreError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitUsage;
  }
  if (!args.junit.empty()) {
    write_output_file(args.junit, [&](std::ostream& out) { write_run_junit(store, summary, evaluation.gates, out); });
    std::cout << "junit: " << args.junit << "\n";
  }
  return evaluation.passed() ? kExitOk : kExitChecksFailed;
}

}  // namespace

void add_gate_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<GateArgs>();
  auto* cmd = app.add_subcommand("gate", "Judge a stored run by its suite's gates (exit 1 when one fails)");
  cmd->add_option("run", args->run, "The run: an id or latest")->capture_default_str();
  cmd->add_option("--db", args->db, "SQLite database")->capture_default_str();
  cmd->add_option("--against", args->against,
                  "Check for regressions against this run (id, latest-passing, FILE.db:RUN); replaces the "
                  "suite's no_regression reference");
  cmd->add_option("--junit", args->junit, "Also write JUnit XML (a test per case and per gate)");
  cmd->add_flag("--save", args->save,
                "Store this outcome as the run's gate status (it decides which run is latest-passing); "
                "by default gate only prints and exits");
  cmd->footer("Example: tunebench gate latest --against latest-passing --junit gates.xml");
  cmd->callback([args, &exit_code] { exit_code = gate(*args); });
}

}  // namespace tb
