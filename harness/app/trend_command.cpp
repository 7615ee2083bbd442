// `tunebench trend SUITE_NAME`: one line per stored run of a suite, oldest first.
#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "analysis/run_summary.hpp"
#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/run_gates.hpp"
#include "common/text.hpp"
#include "report/history_charts.hpp"
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
  std::string format = "text";
  std::string out = "-";
};

double value_of(const VariantSummary& v, const std::string& metric) {
  if (metric == "cost") return v.cost_per_1k;
  if (metric == "p95") return v.latency_p95;
  return v.conformance;
}

// The trend as one self-contained HTML page: the chart, then the table the terminal prints.
std::string trend_html(const TrendArgs& args, const std::vector<RunRecord>& runs,
                       const std::vector<TrendPoint>& points,
                       const std::vector<std::vector<std::string>>& rows) {
  std::vector<long long> ids;
  for (const auto& r : runs) ids.push_back(r.id);
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
      "content=\"width=device-width, initial-scale=1\"><title>tunebench trend " +
      html_escape(args.suite) +
      "</title><style>body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1100px;"
      "padding:0 1rem;color:#1d2330}svg.chart{display:block;width:100%;max-width:720px;height:auto}"
      "figure{margin:1rem 0}.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%}"
      "th,td{border-bottom:1px solid #e6e8ef;padding:.35rem .5rem;text-align:left}"
      "th{background:#f5f6fa}</style></head><body>\n<h1>Trend of " +
      html_escape(args.suite) + " (" + html_escape(args.metric) + ")</h1>\n";
  bool simulated = false;
  for (const auto& r : runs) simulated |= r.simulated;
  if (simulated)
    h += "<p>Runs marked simulated hold answers from tunebench's built-in mock, not a real "
         "model.</p>\n";
  if (const std::string chart = trend_chart(ids, points, args.metric); !chart.empty())
    h += "<figure>" + chart + "</figure>\n";
  h += "<div class=\"scroll\"><table><caption>One row per run and variant, oldest first</caption>"
       "<thead><tr>";
  for (const char* col : {"run", "started", "status", "gates", "variant", "figure", "model"})
    h += std::string("<th scope=\"col\">") + col + "</th>";
  h += "</tr></thead><tbody>\n";
  for (const auto& row : rows) {
    h += "<tr>";
    for (const auto& cell : row) h += "<td>" + html_escape(cell) + "</td>";
    h += "</tr>\n";
  }
  return h + "</tbody></table></div>\n</body></html>\n";
}

std::string figure(const VariantSummary& v, const std::string& metric) {
  if (metric == "cost") return format_usd(v.cost_per_1k) + "/1k";
  if (metric == "p95") return fixed(v.latency_p95, 0) + " ms";
  return format_pct(v.conformance) + " [" + format_pct(v.conformance_ci.low) + ", " +
         format_pct(v.conformance_ci.high) + "]";
}

int trend(const TrendArgs& args) {
  if (std::error_code ec; args.out != "-" && std::filesystem::is_directory(args.out, ec)) {
    std::cerr << "error: --out " << args.out << " is a folder; name the file, e.g. "
              << (std::filesystem::path(args.out) / "trend.html").string() << "\n";
    return kExitUsage;
  }
  if (!std::filesystem::exists(args.db)) {
    std::cerr << "error: no database at " << args.db
              << " (run `tunebench run SUITE` first, or pass --db)\n";
    return kExitUsage;
  }
  Store store(args.db, false);
  std::vector<RunRecord> runs;
  for (auto& r : store.runs(1000000))
    if (r.suite_name == args.suite) runs.push_back(std::move(r));
  if (runs.empty()) {
    std::vector<std::string> names;
    for (const auto& r : store.runs(1000000))
      if (std::find(names.begin(), names.end(), r.suite_name) == names.end())
        names.push_back(r.suite_name);
    std::vector<std::string_view> views(names.begin(), names.end());
    std::cerr << "error: no run of suite \"" << args.suite << "\" in " << args.db;
    if (!views.empty()) std::cerr << "; suites stored: " << join_choices(views);
    std::cerr << "\n";
    return kExitUsage;
  }
  if (static_cast<int>(runs.size()) > args.limit) runs.resize(static_cast<std::size_t>(args.limit));
  std::reverse(runs.begin(), runs.end());  // oldest first
  std::vector<TrendPoint> points;
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : runs) {
    const RunSummary summary = summarize_run(store, r.id);
    for (const auto& v : summary.variants) {
      if (!args.variant.empty() && v.variant.id != args.variant) continue;
      points.push_back({r.id, v.variant.id, value_of(v, args.metric), v.conformance_ci,
                        args.metric == "conformance"});
      rows.push_back({std::to_string(r.id), r.started_at, r.status,
                      r.gate_status.empty() ? "-" : r.gate_status, v.variant.id,
                      figure(v, args.metric),
                      v.variant.model + (r.simulated ? " (simulated)" : "")});
    }
  }
  if (points.empty()) {
    std::cerr << "error: no run of \"" << args.suite << "\" has a variant \"" << args.variant
              << "\"\n";
    return kExitUsage;
  }
  const auto write = [&](std::ostream& out) {
    if (args.format == "html") {
      out << trend_html(args, runs, points, rows);
      return;
    }
    out << "trend of " << args.suite << " (" << args.metric
        << (args.metric == "conformance" ? " with its 95% interval" : "") << "), oldest first\n";
    out << std::left << std::setw(6) << "run" << std::setw(22) << "started" << std::setw(13)
        << "status" << std::setw(7) << "gates" << std::setw(16) << "variant" << std::setw(28)
        << "figure"
        << "model\n";
    for (const auto& row : rows)
      out << std::left << std::setw(6) << row[0] << std::setw(22) << row[1] << std::setw(13)
          << row[2] << std::setw(7) << row[3] << std::setw(16) << ellipsize(row[4], 15)
          << std::setw(28) << row[5] << row[6] << "\n";
  };
  try {
    write_output_file(args.out, write);
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitRuntime;
  }
  if (args.out != "-") std::cout << "report: " << args.out << "\n";
  return kExitOk;
}

}  // namespace

void add_trend_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<TrendArgs>();
  auto* cmd = app.add_subcommand(
      "trend", "One line per stored run of a suite, oldest first: a figure over time");
  cmd->add_option("suite", args->suite, "The suite's name (its name: key)")->required();
  cmd->add_option("--db", args->db, "SQLite database")->capture_default_str();
  cmd->add_option("--variant", args->variant, "Only this variant");
  cmd->add_option("--metric", args->metric, "conformance, cost (per 1k requests) or p95 (latency)")
      ->check(CLI::IsMember({"conformance", "cost", "p95"}))
      ->capture_default_str();
  cmd->add_option("--limit,-n", args->limit, "The newest N runs")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  cmd->add_option("--format", args->format,
                  "text (a table on standard output) or html (a chart and the table)")
      ->check(CLI::IsMember({"text", "html"}))
      ->capture_default_str();
  cmd->add_option("--out,-o", args->out,
                  "The file to write (- for standard output); its folder is made when missing")
      ->capture_default_str();
  cmd->footer(
      "Examples:\n  tunebench trend tech-terms --variant fine-tuned\n"
      "  tunebench trend tech-terms --format html --out trend.html");
  cmd->callback([args, &exit_code] { exit_code = trend(*args); });
}

}  // namespace tb
