// `tunebench compare A B`: what changed between two runs on the same cases.
#include <filesystem>
#include <iostream>

#include "analysis/run_compare.hpp"
#include "analysis/run_reference.hpp"
#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/run_gates.hpp"
#include "report/compare_report.hpp"
#include "report/junit_report.hpp"
#include "store/store.hpp"

namespace tb {
namespace {

struct CompareArgs {
  std::string a, b;
  std::string db = "tunebench.db";
  std::vector<std::string> pairs;
  std::string format = "text";
  std::string out = "-";
  std::string junit;
  std::size_t max_cases = 50;
  bool fail_on_regression = false;
};

int compare(const CompareArgs& args) {
  if (!std::filesystem::exists(args.db)) {
    std::cerr << "error: no database at " << args.db << " (run `tunebench run SUITE` first, or pass --db)\n";
    return kExitUsage;
  }
  Store home(args.db, false);
  RunResolver resolver(home);
  std::optional<RunSide> b, a;
  try {
    b = resolver.resolve(args.b);
    if (!b) {
      std::cerr << "error: B: no run of this database passed its gates yet\n";
      return kExitUsage;
    }
    const auto b_run = b->store->run(b->run_id);
    a = resolver.resolve(args.a, b_run->suite_name, b->run_id);
    if (!a) {
      std::cerr << "error: A: no run of suite \"" << b_run->suite_name << "\" older than run " << b->run_id
                << " passed its gates\n";
      return kExitUsage;
    }
  } catch (const StoreError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitUsage;
  }
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& p : args.pairs) {
    const auto eq = p.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == p.size()) {
      std::cerr << "error: --pair: expected A_VARIANT=B_VARIANT (e.g. prompted=fine-tuned); got \"" << p << "\"\n";
      return kExitUsage;
    }
    pairs.emplace_back(p.substr(0, eq), p.substr(eq + 1));
  }
  if (pairs.empty()) pairs = shared_variants(*a->store, a->run_id, *b->store, b->run_id);
  if (pairs.empty()) {
    std::cerr << "error: runs " << a->label << " and " << b->label
              << " share no variant id; name the pairs with --pair A_VARIANT=B_VARIANT\n";
    return kExitUsage;
  }
  RunComparison comparison;
  try {
    comparison = compare_runs(*a, *b, pairs);
  } catch (const StoreError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitUsage;
  }
  // Nothing paired is not "no regression": a CI job comparing the wrong runs must not pass.
  for (const auto& v : comparison.variants) {
    if (v.paired_cases > 0) continue;
    std::cerr << "error: no case of run " << a->label << " (" << v.a_variant << ", " << v.only_in_a
              << " cases) pairs with a case of run " << b->label << " (" << v.b_variant << ", " << v.only_in_b
              << " cases); cases pair by id, so these are not runs of the same cases\n";
    return kExitUsage;
  }
  const auto a_run = a->store->run(a->run_id);
  const auto b_run = b->store->run(b->run_id);
  if (a_run && b_run && a_run->suite_name != b_run->suite_name)
    std::cerr << "warning: run " << a->label << " is of suite \"" << a_run->suite_name << "\" and run " << b->label
              << " of \"" << b_run->suite_name << "\"; only the cases they share are compared\n";
  if (a->store == b->store && a->run_id == b->run_id && args.pairs.empty())
    std::cerr << "warning: run " << a->label << " is compared with itself; name variants with --pair to compare "
              << "two variants of one run\n";
  CompareReportOptions options;
  options.max_cases = args.max_cases;
  options.format = args.format == "json" ? CompareFormat::json
                   : args.format == "md" ? CompareFormat::md
                   : args.format == "html" ? CompareFormat::html
                                           : CompareFormat::text;
  write_output_file(args.out, [&](std::ostream& out) {
    write_compare_report(comparison, *a->store, *b->store, {}, options, out);
  });
  if (args.out != "-") std::cout << "report: " << args.out << "\n";
  if (!args.junit.empty()) {
    write_output_file(args.junit, [&](std::ostream& out) { write_compare_junit(comparison, *b->store, {}, out); });
    std::cout << "junit: " << args.junit << "\n";
  }
  if (args.fail_on_regression)
    for (const auto& v : comparison.variants)
      if (!v.regressed.empty()) return kExitChecksFailed;
  return kExitOk;
}

}  // namespace

void add_compare_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<CompareArgs>();
  auto* cmd = app.add_subcommand("compare", "Compare two runs case by case: regressions, fixes and what moved");
  cmd->add_option("A", args->a, "Run A, the reference: an id, latest, latest-passing or FILE.db:RUN")->required();
  cmd->add_option("B", args->b, "Run B, the candidate (same forms)")->required();
  cmd->add_option("--db", args->db, "SQLite database holding the runs (FILE.db:RUN names another)")->capture_default_str();
  cmd->add_option("--pair", args->pairs,
                  "Compare A's variant with B's variant of another name (A_VARIANT=B_VARIANT; repeatable; "
                  "default: every variant id both runs have)");
  cmd->add_option("--format", args->format, "text, json, md (CI job summaries) or html")
      ->check(CLI::IsMember({"text", "json", "md", "html"}))
      ->capture_default_str();
  cmd->add_option("--out,-o", args->out, "Write the report to this file (- = standard output)")->capture_default_str();
  cmd->add_option("--junit", args->junit, "Also write JUnit XML: one failure per regressed case");
  cmd->add_option("--max-cases", args->max_cases, "Regressed cases shown with their outputs, per pair")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000000));
  cmd->add_flag("--fail-on-regression", args->fail_on_regression, "Exit 1 when any case regressed");
  cmd->footer(
      "Cases pair by id (the dataset's id, else a hash of the messages). A case passes when most of its\n"
      "repeats are conformant. Intervals and tests count cases, with repeats clustered.\n"
      "Examples:\n"
      "  tunebench compare latest-passing latest --format md >> \"$GITHUB_STEP_SUMMARY\"\n"
      "  tunebench compare 3 4 --pair prompted=fine-tuned\n"
      "  tunebench compare prod.db:12 latest --junit compare.xml");
  cmd->callback([args, &exit_code] { exit_code = compare(*args); });
}

}  // namespace tb
