// `tunebench merge OUT.db IN.db...`: the shards of a run, combined into one run whose reports,
// gates and comparisons are those of the run unsharded.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <set>

#include <nlohmann/json.hpp>

#include "analysis/run_summary.hpp"
#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/report_files.hpp"
#include "app/run_gates.hpp"
#include "report/junit_report.hpp"
#include "report/terminal_summary.hpp"
#include "run/shard_merge.hpp"
#include "store/store.hpp"
#include "store/store_error.hpp"
#include "suite/suite_loader.hpp"

namespace tb {
namespace {

struct MergeArgs {
  std::string into;
  std::vector<std::string> inputs;
  bool allow_partial = false;
  std::string out = "reports/out";
  bool no_report = false;
  std::string junit;
};

// "FILE" (its latest run) or "FILE:RUN". A path may hold a colon: the suffix is a run only when
// the text before it names an existing file.
struct InputName {
  std::filesystem::path file;
  std::optional<long long> run;
};

std::optional<InputName> parse_input(const std::string& text, std::string& error) {
  const auto colon = text.rfind(':');
  if (colon != std::string::npos && colon + 1 < text.size() && !std::filesystem::exists(text)) {
    const std::string run = text.substr(colon + 1);
    if (std::all_of(run.begin(), run.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
        run.size() < 19)
      return InputName{text.substr(0, colon), std::stoll(run)};
  }
  if (!std::filesystem::exists(text)) {
    error = text + ": no such database (a shard's --db file; FILE:RUN names one of its runs)";
    return std::nullopt;
  }
  return InputName{text, std::nullopt};
}

// A shard run is the same run while its shard, id, start and end are: the run of OUT that was
// merged from a superset of these (unchanged) shard runs, if any.
std::optional<long long> merged_before(const std::filesystem::path& into,
                                       const std::string& merged_from) {
  std::error_code ec;
  if (!std::filesystem::exists(into, ec)) return std::nullopt;
  const auto key = [](const nlohmann::json& e) {
    return e.value("shard", "") + "|" + std::to_string(e.value("run", 0LL)) + "|" +
           e.value("started_at", "") + "|" + e.value("finished_at", "");
  };
  std::set<std::string> now;
  for (const auto& e : nlohmann::json::parse(merged_from)) now.insert(key(e));
  try {
    Store store(into, false);
    for (const RunRecord& r : store.runs(100000)) {
      if (r.merged_from.empty()) continue;
      const auto before = nlohmann::json::parse(r.merged_from, nullptr, false);
      if (!before.is_array()) continue;
      std::set<std::string> keys;
      for (const auto& e : before)
        if (e.is_object()) keys.insert(key(e));
      if (std::includes(keys.begin(), keys.end(), now.begin(), now.end())) return r.id;
    }
  } catch (const StoreError&) {
    // Not a store tunebench can read: the merge itself says so when it opens it.
  }
  return std::nullopt;
}

int merge(const MergeArgs& args) {
  std::vector<MergeInput> inputs;
  for (const auto& text : args.inputs) {
    std::string error;
    const auto name = parse_input(text, error);
    if (!name) {
      std::cerr << "error: " << error << "\n";
      return kExitUsage;
    }
    // A shard's retrieval index lives beside its store (shard-0.db -> shard-0.retrieval.db), so
    // `shard-*.db` matches both: the index is passed over, said so, not taken for a store.
    if (!name->run && name->file.filename().string().ends_with(".retrieval.db")) {
      std::cerr << "note: " << text
                << " is a retrieval index (beside a shard's store), not a run: skipped\n";
      continue;
    }
    if (std::error_code ec; std::filesystem::exists(args.into) &&
                            std::filesystem::equivalent(name->file, args.into, ec)) {
      std::cerr << "error: " << text
                << " is the output database; merge into a new or another file\n";
      return kExitUsage;
    }
    // An input that is not a tunebench database (or one from a newer tunebench) is an input
    // error: nothing has been written yet.
    std::optional<RunRecord> run;
    std::optional<long long> id;
    try {
      Store store(name->file, false);
      id = name->run ? name->run : store.latest_run_id();
      if (id) run = store.run(*id);
    } catch (const StoreError& e) {
      std::cerr << "error: " << text << ": " << e.what() << "\n";
      return kExitUsage;
    }
    if (!run) {
      std::cerr << "error: " << name->file.string()
                << (id ? ": no run " + std::to_string(*id) : std::string(": holds no run")) << "\n";
      std::cerr << "nothing was merged\n";
      return kExitUsage;
    }
    inputs.push_back({name->file, *run});
  }
  const MergePlan plan = plan_merge(inputs, args.allow_partial);
  if (!plan.errors.empty()) {
    for (const auto& e : plan.errors) std::cerr << "error: " << e << "\n";
    std::cerr << "nothing was merged\n";
    return kExitUsage;
  }
  for (const auto& w : plan.warnings) std::cerr << "warning: " << w << "\n";
  if (const auto earlier = merged_before(args.into, plan.merged.merged_from)) {
    std::cerr
        << "error: these shard runs were merged into run " << *earlier << " of " << args.into
        << " already, and none has changed since (a recipe re-run that resumed finished shards "
           "sends nothing new); to measure again, run the shards into new --db files\n"
        << "nothing was merged\n";
    return kExitUsage;
  }

  Store store(args.into);
  const MergeInput& first = inputs[plan.order.front()];
  // Each shard embedded its rag variants' corpus itself: the merged run's corpus cost is theirs
  // summed, what was spent (not one shard's).
  std::vector<VariantRecord> variants = Store(first.file, false).variants(first.run.id);
  for (const std::size_t i : plan.order) {
    if (&inputs[i] == &first) continue;
    for (const VariantRecord& other : Store(inputs[i].file, false).variants(inputs[i].run.id))
      for (VariantRecord& v : variants)
        if (v.id == other.id) {
          v.index_embedding_tokens += other.index_embedding_tokens;
          v.index_cost_usd += other.index_cost_usd;
        }
  }
  const long long id = store.create_run(plan.merged, variants);
  Store::ImportCounts total;
  try {
    for (const std::size_t i : plan.order) {
      const auto counts = store.import_run(inputs[i].file, inputs[i].run.id, id);
      total.cases += counts.cases;
      total.results += counts.results;
      total.cache_entries += counts.cache_entries;
    }
  } catch (...) {
    store.delete_run(id);  // no half-merged run is left behind
    throw;
  }
  const bool all_done = std::all_of(plan.order.begin(), plan.order.end(),
                                    [&](std::size_t i) { return inputs[i].run.status == "done"; });
  store.finish_merged_run(id, plan.merged.cases, plan.merged.total_jobs,
                          all_done ? "done" : "interrupted");
  std::cout << "merged " << plan.order.size() << " of " << plan.merged.shard_count
            << " shards into run " << id << " of " << args.into << ": " << total.cases << " cases, "
            << total.results << " results, " << total.cache_entries << " new cache entries"
            << (plan.merged.partial ? " (PARTIAL)" : "") << "\n";
  std::cout << "run id: " << id << "\n";

  const RunSummary summary = summarize_run(store, id);
  write_terminal_summary(summary, std::cout);
  if (!args.no_report)
    for (const auto& path : write_report_files(store, summary, args.out, true, true, true))
      std::cout << "report: " << path.string() << "\n";
  // Gates judge the whole suite: a partial merge is not judged (`tunebench gate` still can).
  GateEvaluation gates;
  std::vector<std::string> ids;
  for (const auto& v : summary.variants) ids.push_back(v.variant.id);
  Diagnostics errors;
  const auto suite_gates = load_gates(summary.run.suite_json, ids, errors);
  for (const auto& d : errors.items())
    std::cerr << "warning: the suite's gates: " << d.to_string() << "\n";
  if (suite_gates && !suite_gates->empty()) {
    if (plan.merged.partial)
      std::cout << "gates: not judged on a partial merge (tunebench gate " << id << " --db "
                << args.into << " judges what it has)\n";
    else
      gates = judge_run(store, *suite_gates, summary, std::nullopt, std::cout);
  }
  if (!args.junit.empty()) {
    write_output_file(
        args.junit, [&](std::ostream& out) { write_run_junit(store, summary, gates.gates, out); });
    std::cout << "junit: " << args.junit << "\n";
  }
  return gates.passed() ? kExitOk : kExitChecksFailed;
}

}  // namespace

void add_merge_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<MergeArgs>();
  auto* cmd = app.add_subcommand(
      "merge", "Merge the databases of a sharded run (run --shard I/N) into one run");
  cmd->add_option("into", args->into,
                  "The database to add the merged run to (created when missing)")
      ->required();
  cmd->add_option("inputs", args->inputs,
                  "The shards' databases (FILE: its latest run; FILE:RUN: that run)")
      ->required();
  cmd->add_flag("--allow-partial", args->allow_partial,
                "Merge even when shards are missing or unfinished; the run is marked partial and "
                "its gates are "
                "not judged");
  cmd->add_option("--out", args->out, "Folder for the HTML and CSV reports")->capture_default_str();
  cmd->add_flag("--no-report", args->no_report, "Do not write the HTML and CSV reports");
  cmd->add_option("--junit", args->junit,
                  "Also write JUnit XML: a test per case and variant, and per gate");
  cmd->footer(
      "Checks that the inputs are the shards of one suite (same suite fingerprint and shard count, "
      "each shard\n"
      "once), copies their cases, results, bodies, check outcomes and cache entries into one new "
      "run, prints\n"
      "its summary and judges the suite's gates, as `run` does for an unsharded run.\n"
      "Exit 2 when the inputs do not fit (nothing merged), 1 when a gate fails.\n"
      "Example: tunebench merge all.db shard-0.db shard-1.db shard-2.db shard-3.db --junit "
      "junit.xml");
  cmd->callback([args, &exit_code] { exit_code = merge(*args); });
}

}  // namespace tb
