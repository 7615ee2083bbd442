#include <cstdlib>
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <limits>
#include <map>
#include <optional>

#include "analysis/run_summary.hpp"
#include "common/text.hpp"
#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/number_flags.hpp"
#include "app/report_files.hpp"
#include "app/run_gates.hpp"
#include "report/junit_report.hpp"
#include "report/terminal_summary.hpp"
#include "run/preflight.hpp"
#include "run/runner.hpp"
#include "run/shard.hpp"
#include "store/result_writer.hpp"
#include "store/store.hpp"
#include "suite/suite_loader.hpp"

namespace tb {
namespace {

struct RunArgs {
  std::string suite;
  std::string db = "tunebench.db";
  std::string out = "reports/out";
  int concurrency = 0;
  bool quiet = false;
  bool no_report = false;
  bool fail_on_checks = false;
  std::string junit;
  std::string resume;
  bool resume_changed = false;
  bool retry_errors = false;
  bool no_cache = false;
  bool refresh = false;
  double max_cost = -1;
  double deadline = -1;
  double grace = -1;
  std::string shard;
  int shards = 0;
  std::string shard_limits = "divided";
  long long max_cases = kDefaultGridCases;
};

std::string shell_quote(const std::string& s) {
  if (s.find_first_of(" '\"$`\\") == std::string::npos) return s;
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

void print_errors(const Diagnostics& errors) {
  for (const auto& d : errors.items()) std::cerr << "error: " << d.to_string() << "\n";
}

// What would fail only after every request was paid for: where the JUnit file goes, and the
// databases that gates compare with.
bool check_before_sending(const RunArgs& args, const Suite& suite) {
  bool ok = true;
  if (!args.junit.empty() && args.junit != "-") {
    std::error_code ec;
    const std::filesystem::path junit(args.junit);
    if (std::filesystem::is_directory(junit, ec)) {
      std::cerr << "error: --junit " << args.junit << " is a folder; name the file, e.g. " << (junit / "junit.xml").string()
                << "\n";
      ok = false;
    }
    for (auto dir = junit.parent_path(); !dir.empty(); dir = dir.parent_path()) {
      if (std::filesystem::exists(dir, ec)) {
        if (!std::filesystem::is_directory(dir, ec)) {
          std::cerr << "error: --junit " << args.junit << ": " << dir.string() << " is a file, not a folder\n";
          ok = false;
        }
        break;
      }
      if (dir == dir.parent_path()) break;
    }
  }
  for (const auto& gate : suite.gates.no_regression) {
    const auto colon = gate.against.rfind(':');
    if (gate.against.starts_with("variant:") || colon == std::string::npos) continue;
    const std::string file = gate.against.substr(0, colon);
    if (!std::filesystem::exists(file)) {
      std::cerr << "error: " << suite.display_file << ": gate.no_regression.against: no database at " << file
                << " (paths are relative to the current folder)\n";
      ok = false;
    }
  }
  return ok;
}

// The reports' folder must be a folder (or creatable as one), found out before anything is
// sent: a report that cannot be written after every request was paid for is a lost run.
std::optional<std::string> out_problem(const std::filesystem::path& out) {
  std::error_code ec;
  for (auto p = out; !p.empty(); p = p.parent_path()) {
    if (std::filesystem::exists(p, ec)) {
      if (!std::filesystem::is_directory(p, ec))
        return "--out " + out.string() + ": " + p.string() +
               " is a file, not a folder; give a folder for the reports (or --no-report)";
      return std::nullopt;
    }
    if (p == p.parent_path()) break;
  }
  return std::nullopt;
}

// "tls 48, network 2": the error classes of a run, most frequent first.
std::string error_classes(const RunSummary& summary) {
  std::map<std::string, long long> counts;
  for (const auto& v : summary.variants)
    for (const auto& [name, n] : v.error_classes) counts[name] += n;
  std::vector<std::pair<std::string, long long>> sorted(counts.begin(), counts.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string out;
  for (const auto& [name, n] : sorted)
    out += (out.empty() ? "" : ", ") + name + " " + std::to_string(n);
  return out;
}

int run(const RunArgs& args) {
  std::string shard_error;
  const auto shard = resolve_shard(
      args.shard, args.shards, [](const char* name) { return std::getenv(name); }, shard_error);
  if (!shard_error.empty()) {
    std::cerr << "error: " << shard_error << "\n";
    return kExitUsage;
  }
  Diagnostics errors;
  const auto suite = load_suite(args.suite, errors);
  if (!suite) {
    print_errors(errors);
    return kExitUsage;
  }
  if (!args.no_report) {
    if (auto problem = out_problem(args.out)) {
      std::cerr << "error: " << *problem << "\nnothing was sent and no run was stored\n";
      return kExitUsage;
    }
  }
  Preflight preflight;
  if (!run_preflight(*suite, preflight, errors, shard)) {
    print_errors(errors);
    std::cerr << "nothing was sent and no run was stored\n";
    return kExitUsage;
  }
  for (const auto& w : preflight.warnings) std::cerr << "warning: " << w << "\n";
  if (!check_before_sending(args, *suite)) {
    std::cerr << "nothing was sent and no run was stored\n";
    return kExitUsage;
  }
  RunnerOptions options;
  options.db_path = args.db;
  if (args.concurrency > 0) options.concurrency = args.concurrency;
  options.quiet = args.quiet;
  options.cache_read = !args.no_cache && !args.refresh;
  options.cache_write = !args.no_cache;
  if (args.max_cost >= 0) options.max_cost_usd = args.max_cost;
  if (args.deadline > 0) options.deadline_s = args.deadline;
  if (args.grace >= 0) options.grace_s = args.grace;
  if (shard && args.shard_limits == "divided") options.limits_share = 1.0 / shard->count;
  if (std::filesystem::exists(args.db)) {
    // Results an earlier run could not store (a lock that outlasted the wait, a full disk) go in
    // first: a resume then sends only what is really missing.
    if (const long long kept = store_unsaved_results(args.db); kept > 0 && !args.quiet)
      std::cerr << "stored " << kept << " results that an earlier run on " << args.db
                << " had to keep aside\n";
  }
  // Held while this process drives a resumed run; a new run takes its lease as it is created.
  std::optional<Store> lease_holder;
  if (!args.resume.empty()) {
    if (!std::filesystem::exists(args.db)) {
      std::cerr << "error: --resume: no database at " << args.db << "\n";
      return kExitUsage;
    }
    Store& store = lease_holder.emplace(args.db, false);
    if (args.resume == "latest") {
      const auto latest = store.latest_run_id();
      if (!latest) {
        std::cerr << "error: --resume latest: " << args.db << " holds no runs\n";
        return kExitUsage;
      }
      options.resume = *latest;
    } else {
      try {
        std::size_t used = 0;
        options.resume = std::stoll(args.resume, &used);
        if (used != args.resume.size()) throw std::invalid_argument("trailing");
      } catch (const std::exception&) {
        std::cerr << "error: --resume: expected a run id or \"latest\"; got \"" << args.resume
                  << "\"\n";
        return kExitUsage;
      }
      if (!store.run(*options.resume)) {
        std::cerr << "error: --resume: no run " << *options.resume << " in " << args.db << "\n";
        return kExitUsage;
      }
    }
    // One process drives a run: a second resume is refused here (RunRefused, exit 2), before
    // anything is sent; a run whose process is gone is taken over.
    if (const auto gone = store.acquire_lease(*options.resume); gone && !args.quiet)
      std::cerr << "taking over run " << *options.resume << " from process " << gone->pid << " on "
                << gone->host << ", which is gone\n";
  }
  // The resume hint names the run, so it is completed once its id is known.
  options.resume_hint = "tunebench run " + shell_quote(args.suite) +
                        " --db " + shell_quote(args.db) +
                        (shard ? " --shard " + shard->to_string() : std::string());
  options.resume_changed = args.resume_changed;
  options.retry_errors = args.retry_errors;
  if ((args.resume_changed || args.retry_errors) && !options.resume) {
    std::cerr << "error: --resume-changed and --retry-errors complete a stored run: add --resume RUN\n";
    return kExitUsage;
  }
  RunOutcome outcome;
  try {
    outcome = execute_run(*suite, preflight, options);
  } catch (const ResumeRefused& e) {
    if (lease_holder) lease_holder->release_lease(*options.resume);
    std::cerr << "error: " << e.what() << "\nnothing was sent\n";
    return kExitUsage;
  }
  std::cout << "run id: " << outcome.run_id << "\n";

  Store store(args.db, false);
  RunSummary summary = summarize_run(store, outcome.run_id);
  RunOutcome result = outcome;
  long long answered = 0, stored = 0;
  for (const auto& v : summary.variants) {
    answered += v.ok;
    stored += v.results;
  }
  if (result.status == "done" && stored > 0 && answered == 0) {
    // Nothing to compare: a run in which every request failed has failed, whatever its count.
    result.status = "failed";
    result.message = "every request failed (" + error_classes(summary) + ")";
    store.set_run_status(outcome.run_id, "failed", true);
    summary.run.status = "failed";
  }
  write_terminal_summary(summary, std::cout);
  // A report that cannot be written (a full disk) is said, and the run's own outcome still is.
  bool reports_failed = false;
  if (!args.no_report) {
    try {
      for (const auto& path : write_report_files(store, summary, args.out, true, true, true,
                                                    args.max_cases))
        std::cout << "report: " << path.string() << "\n";
    } catch (const std::exception& e) {
      std::cerr << "error: " << e.what() << "\n";
      reports_failed = true;
    }
  }
  std::cout << "requests sent: " << outcome.sent << " (retries included); answered from the cache: "
            << outcome.cached << (outcome.cached > 0 ? " (--refresh sends them again)" : "");
  bool embeds = false;
  for (const auto& v : suite->variants) embeds |= v.retrieve && v.retrieve->needs_embeddings();
  if (embeds) std::cout << "; embeddings requests: " << outcome.embeddings_requests;
  std::cout << "\n";
  if (outcome.judge_calls > 0)
    std::cout << "judge: " << outcome.judge_calls << " judgements (" << outcome.judge_cached
              << " from the cache), $" << fixed(outcome.judge_cost_usd, 4)
              << " spent on the judge now (not counted in the variants' cost per 1k)\n";
  // Gates judge a finished run only: an interrupted one is resumed first. A shard holds a sample
  // of the cases; its gates are judged on the merged run.
  GateEvaluation gates;
  if (result.status == "done" && !suite->gates.empty()) {
    if (shard)
      std::cout << "gates: judged on the merged run (tunebench merge OUT.db SHARD.db...), not on "
                   "one shard\n";
    else
      gates = judge_run(store, suite->gates, summary, std::nullopt, std::cout);
  }
  if (!args.junit.empty()) {
    write_output_file(args.junit, [&](std::ostream& out) { write_run_junit(store, summary, gates.gates, out); });
    std::cout << "junit: " << args.junit << "\n";
  }
  if (result.status != "done") {
    std::cerr << "run " << result.run_id << " " << result.status << ": " << result.message << "\n";
    return kExitRuntime;
  }
  if (reports_failed) return kExitRuntime;
  if (!gates.passed()) return kExitChecksFailed;
  if (args.fail_on_checks) {
    for (const auto& v : summary.variants)
      if (v.conformant < v.results) return kExitChecksFailed;
  }
  return kExitOk;
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  constexpr double kMax = std::numeric_limits<double>::max();
  auto args = std::make_shared<RunArgs>();
  auto* cmd =
      app.add_subcommand("run", "Run a suite: every case x variant x repeat, stored and reported");
  cmd->add_option("suite", args->suite, "Suite file (YAML or JSON)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--db", args->db, "SQLite database to store the run in")->capture_default_str();
  cmd->add_option("--out", args->out, "Folder for the HTML and CSV reports")->capture_default_str();
  cmd->add_option("--concurrency,-j", args->concurrency,
                  "Requests in flight at once (default: the suite's run.concurrency, else 32)")
      ->check(CLI::Range(1, 100000));
  cmd->add_flag("--quiet,-q", args->quiet, "No progress output");
  cmd->add_flag("--no-report", args->no_report, "Do not write the HTML and CSV reports");
  cmd->add_option("--max-cases", args->max_cases,
                  "At most this many cases in the HTML report's case grid (those where the variants "
                  "disagree and those failing first; the CSV and JSON hold every case)")
      ->check(finite_number(0, 1e12))
      ->capture_default_str();
  cmd->add_flag("--fail-on-checks", args->fail_on_checks,
                "Exit 1 when any answer of any variant failed a required check (strict; the suite's gate: "
                "section is the way to gate CI)");
  cmd->add_option("--junit", args->junit, "Also write JUnit XML: a test per case and variant, and per gate");
  cmd->add_option("--resume", args->resume,
                  "Complete a stored run (id or latest): only jobs without a final result are sent");
  cmd->add_flag("--resume-changed", args->resume_changed,
                "With --resume, when the dataset changed since the run started: send the changed cases again "
                "(their old results move to result_history)");
  cmd->add_flag("--retry-errors", args->retry_errors,
                "With --resume: send again the jobs whose stored result is an error (kept in result_history)");
  cmd->add_flag("--no-cache", args->no_cache, "Neither read nor write the response cache");
  cmd->add_flag("--refresh", args->refresh,
                "Send every request again and refresh the cache with the answers");
  cmd->add_option("--max-cost", args->max_cost,
                  "Stop dispatching before the spend (USD) would pass this")
      ->check(finite_number(0, kMax));
  cmd->add_option("--deadline", args->deadline,
                  "Stop dispatching after this many seconds (resumable)")
      ->check(finite_number(0, kMax, true));
  cmd->add_option("--shard", args->shard,
                  "Run only shard I of N (0-based, I/N; default: $TUNEBENCH_SHARD): the cases "
                  "whose id hashes to it; merge the shards' databases with `tunebench merge`");
  cmd->add_option("--shards", args->shards,
                  "On Kubernetes: run shard $JOB_COMPLETION_INDEX of N (an Indexed Job's pods)")
      ->check(CLI::Range(1, 1000000));
  cmd->add_option(
         "--shard-limits", args->shard_limits,
         "divided: a shard of N keeps to 1/N of each endpoint's rpm and tpm (the shards "
         "together keep the limits); full: every shard uses all of them (separate keys or "
         "quotas per shard)")
      ->check(CLI::IsMember({"divided", "full"}))
      ->capture_default_str();
  cmd->add_option("--grace", args->grace,
                  "On Ctrl-C, seconds that requests in flight may take to finish (default: run.grace_s, 30)")
      ->check(finite_number(0, kMax));
  cmd->footer(
      "Prints the run id, a per-variant summary and the report paths.\n"
      "Examples:\n"
      "  tunebench run suites/demo.yaml\n"
      "  tunebench run suites/demo.yaml --shard 0/4 --db shard-0.db\n"
      "  (one per shard, 0/4 to 3/4; then: tunebench merge all.db shard-*.db)");
  cmd->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace tb
