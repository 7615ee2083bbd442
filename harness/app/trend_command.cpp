// `tunebench trend SUITE_NAME`: one line per stored run of a suite, oldest first.
#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "analysis/run_summary.hpp"
#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "common/text.hpp"
#include "report/report_text.hpp"
#include "store/store.hpp"

namespace tb {
namespace {

struct TrendArgs {
  std::string suite;
  std::string db = "tunebench.db";
  std::string variant;
  std::string metric = "conformance";
  int limit = 50;
};

std::string figure(const VariantSummary& v, const std::string& metric) {
  if (metric == "cost") return format_usd(v.cost_per_1k) + "/1k";
  if (metric == "p95") return fixed(v.latency_p95, 0) + " ms";
  return format_pct(v.conformance) + " [" + format_pct(v.conformance_ci.low) + ", " + format_pct(v.conformance_ci.high) + "]";
}

int trend(const TrendArgs& args) {
  if (!std::filesystem::exists(args.db)) {
    std::cerr << "error: no database at " << args.db << " (run `tunebench run SUITE` first, or pass --db)\n";
    return kExitUsage;
  }
  Store store(args.db, false);
  std::vector<RunRecord> runs;
  for (auto& r : store.runs(1000000))
    if (r.suite_name == args.suite) runs.push_back(std::move(r));
  if (runs.empty()) {
    std::vector<std::string> names;
    for (const auto& r : store.runs(1000000))
      if (std::find(names.begin(), names.end(), r.suite_name) == names.end()) names.push_back(r.suite_name);
    std::vector<std::string_view> views(names.begin(), names.end());
    std::cerr << "error: no run of suite \"" << args.suite << "\" in " << args.db;
    if (!views.empty()) std::cerr << "; suites stored: " << join_choices(views);
    std::cerr << "\n";
    return kExitUsage;
  }
  if (static_cast<int>(runs.size()) > args.limit) runs.resize(static_cast<std::size_t>(args.limit));
  std::reverse(runs.begin(), runs.end());  // oldest first
  std::cout << "trend of " << args.suite << " (" << args.metric
            << (args.metric == "conformance" ? " with its 95% interval" : "") << "), oldest first\n";
  std::cout << std::left << std::setw(6) << "run" << std::setw(22) << "started" << std::setw(13) << "status"
            << std::setw(7) << "gates" << std::setw(16) << "variant" << std::setw(28) << "figure" << "model\n";
  bool found = false;
  for (const auto& r : runs) {
    const RunSummary summary = summarize_run(store, r.id);
    for (const auto& v : summary.variants) {
      if (!args.variant.empty() && v.variant.id != args.variant) continue;
      found = true;
      std::cout << std::left << std::setw(6) << r.id << std::setw(22) << r.started_at << std::setw(13) << r.status
                << std::setw(7) << (r.gate_status.empty() ? "-" : r.gate_status) << std::setw(16)
                << ellipsize(v.variant.id, 15) << std::setw(28) << figure(v, args.metric) << v.variant.model
                << (r.simulated ? " (simulated)" : "") << "\n";
    }
  }
  if (!found) {
    std::cerr << "error: no run of \"" << args.suite << "\" has a variant \"" << args.variant << "\"\n";
    return kExitUsage;
  }
  return kExitOk;
}

}  // namespace

void add_trend_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<TrendArgs>();
  auto* cmd = app.add_subcommand("trend", "One line per stored run of a suite, oldest first: a figure over time");
  cmd->add_option("suite", args->suite, "The suite's name (its name: key)")->required();
  cmd->add_option("--db", args->db, "SQLite database")->capture_default_str();
  cmd->add_option("--variant", args->variant, "Only this variant");
  cmd->add_option("--metric", args->metric, "conformance, cost (per 1k requests) or p95 (latency)")
      ->check(CLI::IsMember({"conformance", "cost", "p95"}))
      ->capture_default_str();
  cmd->add_option("--limit,-n", args->limit, "The newest N runs")->capture_default_str()->check(CLI::Range(1, 1000000));
  cmd->footer("Example: tunebench trend tech-terms --variant fine-tuned");
  cmd->callback([args, &exit_code] { exit_code = trend(*args); });
}

}  // namespace tb
