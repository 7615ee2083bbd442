#include "report/compare_report.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "analysis/run_compare.hpp"
#include "common/text.hpp"
#include "report/history_charts.hpp"
#include "report/report_text.hpp"
#include "store/store.hpp"

namespace tb {

namespace {

using json = nlohmann::json;

// One side of a regressed case: the output of its first failing repeat (else its first) and
// the first required check that failed there.
struct SideEvidence {
  std::string output;
  std::string failing_check;  // "json-schema: /category: expected ..."
  std::string outcome;        // "1/1 conformant"
};

SideEvidence evidence(Store& store, long long run_id, const std::string& variant, long long case_index,
                      const CaseOutcome& outcome) {
  SideEvidence e;
  e.outcome = std::to_string(outcome.passed) + "/" + std::to_string(outcome.runs) + " conformant";
  Store::ResultQuery query;
  query.variant_id = variant;
  query.with_checks = true;
  query.case_index = case_index;
  bool found_failure = false;
  store.for_each_result(run_id, query, [&](const ResultRecord& r) {
    const bool failed = r.status != "ok" || !r.conformant;
    if (found_failure || (!e.output.empty() && !failed)) return;
    e.output = r.status == "ok" ? r.output : "(no answer: " + r.error_class + ": " + r.error_message + ")";
    if (!failed) return;
    found_failure = true;
    if (r.status != "ok") e.failing_check = r.error_class + ": " + r.error_message;
    for (const auto& c : r.checks)
      if (c.required && !c.passed) {
        e.failing_check = c.name + ": " + c.detail;
        break;
      }
  });
  return e;
}

// "+1.5", "-$0.0040", and "+0" rather than "-0" for what rounds to nothing.
std::string sign(double v, int decimals, const std::string& prefix = "") {
  const double scale = std::pow(10.0, decimals);
  double rounded = std::round(v * scale) / scale;
  if (rounded == 0) rounded = 0;
  return (rounded >= 0 ? "+" : "-") + prefix + fixed(std::fabs(rounded), decimals);
}

std::string pts(double fraction) {
  return sign(fraction * 100, 1) + " pts";
}

std::string p_text(double p) {
  return fixed(p, p < 0.001 ? 4 : 3);
}

// "0.95 -> 0.90 (-0.05, 95% CI -0.08 to -0.02)"
std::string diff_text(const Difference& d, int decimals, const std::string& prefix = "", const std::string& unit = "") {
  if (!d.known) return "n/a";
  return prefix + fixed(d.a, decimals) + unit + " -> " + prefix + fixed(d.b, decimals) + unit + " (" +
         sign(d.diff, decimals, prefix) + unit + ", 95% CI " + sign(d.ci.low, decimals, prefix) + " to " +
         sign(d.ci.high, decimals, prefix) + unit + ")";
}

std::string kinds_text(const std::map<std::string, long long>& kinds) {
  std::string out;
  for (const auto& [k, n] : kinds) out += (out.empty() ? "" : ", ") + k + " (" + std::to_string(n) + ")";
  return out.empty() ? "none" : out;
}

std::string run_title(const RunRecord& r, const std::string& label) {
  return label + " (" + r.suite_name + ", " + r.started_at + (r.simulated ? ", simulated" : "") + ")";
}

struct Row {
  std::string name, value;
};

std::vector<Row> figure_rows(const VariantComparison& v) {
  const auto& c = v.conformance;
  return {
      {"paired cases", std::to_string(v.paired_cases) + " (" + std::to_string(v.only_in_a) + " only in A, " +
                           std::to_string(v.only_in_b) + " only in B)"},
      {"regressed / fixed / still failing", std::to_string(v.regressed.size()) + " / " + std::to_string(v.fixed.size()) +
                                                " / " + std::to_string(v.still_failing)},
      {"conformance", format_pct(v.conformance_a) + " -> " + format_pct(v.conformance_b) + " (" + pts(c.difference) +
                          " on cases, 95% CI " + pts(c.difference_ci.low) + " to " + pts(c.difference_ci.high) +
                          "; " + (c.exact ? "exact " : "approximate ") + "paired test p=" + p_text(c.p_value) + ")"},
      {"score", diff_text(v.score, 3)},
      {"cost per 1k requests", diff_text(v.cost_per_1k, 4, "$")},
      {"latency p50", diff_text(v.latency_p50, 0, "", " ms")},
      {"latency p95", diff_text(v.latency_p95, 0, "", " ms")},
      {"prompt tokens", diff_text(v.prompt_tokens, 1)},
      {"new failure kinds", kinds_text(v.new_failure_kinds)},
      {"new JSON paths", kinds_text(v.new_failure_paths)},
  };
}

json difference_json(const Difference& d) {
  if (!d.known) return nullptr;
  return {{"a", d.a}, {"b", d.b}, {"diff", d.diff}, {"ci", {d.ci.low, d.ci.high}}};
}

class Writer {
 public:
  Writer(const RunComparison& c, Store& a, Store& b, const std::vector<GateRecord>& gates,
         const CompareReportOptions& o, std::ostream& out)
      : c_(c), a_(a), b_(b), gates_(gates), o_(o), out_(out) {}

  void text() {
    out_ << "compare " << run_title(c_.a, c_.a_label) << "\n     -> " << run_title(c_.b, c_.b_label) << "\n";
    for (const auto& v : c_.variants) {
      out_ << "\n" << v.a_variant << " -> " << v.b_variant << "\n";
      for (const auto& row : figure_rows(v)) out_ << "  " << row.name << ": " << row.value << "\n";
    }
    for (const auto& v : c_.variants) {
      if (v.regressed.empty()) continue;
      out_ << "\nregressed cases of " << v.b_variant << " (" << v.regressed.size() << "):\n";
      for_each_shown(v, [&](const CaseChange& ch, const SideEvidence& ea, const SideEvidence& eb) {
        out_ << "  " << ch.case_id << ": " << ea.outcome << " in A, " << eb.outcome << " in B; " << eb.failing_check
             << "\n    A: " << ellipsize(one_line(ea.output), 160) << "\n    B: " << ellipsize(one_line(eb.output), 160)
             << "\n";
      });
    }
    gates_text("");
  }

  void md() {
    out_ << "## tunebench compare: " << md_cell(run_title(c_.a, c_.a_label)) << " &rarr; "
         << md_cell(run_title(c_.b, c_.b_label)) << "\n\n";
    if (c_.b.simulated || c_.a.simulated) out_ << "> **SIMULATED**: answers from the built-in mock, not a real model.\n\n";
    for (const auto& v : c_.variants) {
      out_ << "### " << md_cell(v.a_variant) << " &rarr; " << md_cell(v.b_variant)
           << (v.regressed.empty() ? "" : " &mdash; " + std::to_string(v.regressed.size()) + " regressed") << "\n\n"
           << "| | |\n|---|---|\n";
      for (const auto& row : figure_rows(v)) out_ << "| " << md_cell(row.name) << " | " << md_cell(row.value) << " |\n";
      out_ << "\n";
      if (v.regressed.empty()) continue;
      out_ << "| regressed case | now failing | output in A | output in B |\n|---|---|---|---|\n";
      for_each_shown(v, [&](const CaseChange& ch, const SideEvidence& ea, const SideEvidence& eb) {
        out_ << "| " << md_cell(ch.case_id) << " | " << md_cell(eb.failing_check) << " | `"
             << md_cell(ellipsize(one_line(ea.output), 120)) << "` | `" << md_cell(ellipsize(one_line(eb.output), 120))
             << "` |\n";
      });
      out_ << "\n";
    }
    if (!gates_.empty()) {
      out_ << "### Gates\n\n";
      for (const auto& g : gates_) out_ << "- " << (g.passed ? "✅ " : "❌ ") << md_cell(g.detail) << "\n";
      out_ << "\n";
    }
  }

  void html() {
    out_ << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>tunebench compare "
         << html_escape(c_.a_label) << " &rarr; " << html_escape(c_.b_label) << "</title><style>"
         << "body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1d2330}"
         << "table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}th,td{border-bottom:1px solid #e6e8ef;"
         << "padding:.35rem .5rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}th{background:#f5f6fa}"
         << "pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:0;font-size:.8rem;background:#f7f7f9;padding:.3rem}"
         << ".fail{color:#b42318}.pass{color:#137333}.banner{background:#fff4d6;border:1px solid #e8c55a;"
         << "padding:.5rem 1rem;border-radius:6px}svg.chart{display:block;width:100%;max-width:640px;height:auto}"
         << "figure{margin:1rem 0}figcaption{font-size:.8rem;color:#556}</style></head><body>\n";
    out_ << "<h1>Compare " << html_escape(run_title(c_.a, c_.a_label)) << " &rarr; "
         << html_escape(run_title(c_.b, c_.b_label)) << "</h1>\n";
    if (c_.b.simulated || c_.a.simulated)
      out_ << "<p class=\"banner\">SIMULATED: answers from tunebench's built-in mock, not a real model.</p>\n";
    if (const std::string chart = compare_conformance_chart(c_); !chart.empty())
      out_ << "<figure>" << chart
           << "<figcaption>Red: the whole interval is below zero (a significant drop); green: above "
              "zero. Intervals over cases, repeats clustered.</figcaption></figure>\n";
    for (const auto& v : c_.variants) {
      out_ << "<h2>" << html_escape(v.a_variant) << " &rarr; " << html_escape(v.b_variant) << "</h2>\n<table><caption>"
           << html_escape(std::to_string(v.regressed.size()) + " regressed") << "</caption><tbody>\n";
      for (const auto& row : figure_rows(v))
        out_ << "<tr><th scope=\"row\">" << html_escape(row.name) << "</th><td>" << html_escape(row.value) << "</td></tr>\n";
      out_ << "</tbody></table>\n";
      if (v.regressed.empty()) continue;
      out_ << "<table><caption>Regressed cases</caption><thead><tr><th scope=\"col\">case</th><th scope=\"col\">now "
              "failing</th><th scope=\"col\">output in A</th><th scope=\"col\">output in B</th></tr></thead><tbody>\n";
      for_each_shown(v, [&](const CaseChange& ch, const SideEvidence& ea, const SideEvidence& eb) {
        out_ << "<tr><td>" << html_escape(ch.case_id) << "</td><td class=\"fail\">" << html_escape(eb.failing_check)
             << "</td><td><pre>" << html_escape(ea.output) << "</pre></td><td><pre>" << html_escape(eb.output)
             << "</pre></td></tr>\n";
      });
      out_ << "</tbody></table>\n";
    }
    if (!gates_.empty()) {
      out_ << "<h2>Gates</h2><ul>\n";
      for (const auto& g : gates_)
        out_ << "<li class=\"" << (g.passed ? "pass" : "fail") << "\">" << html_escape(g.detail) << "</li>\n";
      out_ << "</ul>\n";
    }
    out_ << "</body></html>\n";
  }

  void json_out() {
    json doc;
    doc["a"] = {{"label", c_.a_label}, {"run", c_.a.id}, {"suite", c_.a.suite_name}, {"simulated", c_.a.simulated}};
    doc["b"] = {{"label", c_.b_label}, {"run", c_.b.id}, {"suite", c_.b.suite_name}, {"simulated", c_.b.simulated}};
    doc["variants"] = json::array();
    for (const auto& v : c_.variants) {
      const auto& c = v.conformance;
      json item = {{"a_variant", v.a_variant},
                   {"b_variant", v.b_variant},
                   {"paired_cases", v.paired_cases},
                   {"only_in_a", v.only_in_a},
                   {"only_in_b", v.only_in_b},
                   {"still_failing", v.still_failing},
                   {"conformance",
                    {{"a", v.conformance_a},
                     {"b", v.conformance_b},
                     {"diff", c.difference},
                     {"ci", {c.difference_ci.low, c.difference_ci.high}},
                     {"p_value", c.p_value},
                     {"exact", c.exact}}},
                   {"score", difference_json(v.score)},
                   {"cost_per_1k", difference_json(v.cost_per_1k)},
                   {"latency_p50_ms", difference_json(v.latency_p50)},
                   {"latency_p95_ms", difference_json(v.latency_p95)},
                   {"prompt_tokens", difference_json(v.prompt_tokens)},
                   {"new_failure_kinds", v.new_failure_kinds},
                   {"new_failure_paths", v.new_failure_paths}};
      item["fixed"] = json::array();
      for (const auto& ch : v.fixed) item["fixed"].push_back(ch.case_id);
      item["regressed"] = json::array();
      for_each_shown(v, [&](const CaseChange& ch, const SideEvidence& ea, const SideEvidence& eb) {
        item["regressed"].push_back({{"case_id", ch.case_id},
                                     {"a", {{"passed", ch.a.passed}, {"runs", ch.a.runs}, {"output", ea.output}}},
                                     {"b",
                                      {{"passed", ch.b.passed},
                                       {"runs", ch.b.runs},
                                       {"output", eb.output},
                                       {"failing_check", eb.failing_check}}}});
      });
      for (std::size_t i = o_.max_cases; i < v.regressed.size(); ++i)
        item["regressed"].push_back({{"case_id", v.regressed[i].case_id}});
      doc["variants"].push_back(std::move(item));
    }
    doc["gates"] = json::array();
    for (const auto& g : gates_) doc["gates"].push_back({{"gate", g.gate}, {"variant", g.variant}, {"passed", g.passed}, {"detail", g.detail}});
    out_ << doc.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
  }

 private:
  template <typename Fn>
  void for_each_shown(const VariantComparison& v, Fn fn) {
    for (std::size_t i = 0; i < v.regressed.size() && i < o_.max_cases; ++i) {
      const auto& ch = v.regressed[i];
      fn(ch, evidence(a_, c_.a.id, v.a_variant, ch.a_case_index, ch.a),
         evidence(b_, c_.b.id, v.b_variant, ch.b_case_index, ch.b));
    }
    if (v.regressed.size() > o_.max_cases && o_.format != CompareFormat::json)
      more_ = v.regressed.size() - o_.max_cases;
    if (more_ > 0 && o_.format == CompareFormat::text)
      out_ << "  ... and " << more_ << " more (--max-cases N shows more; --format json lists them all)\n";
    more_ = 0;
  }

  void gates_text(const std::string& indent) {
    if (gates_.empty()) return;
    out_ << "\ngates:\n";
    for (const auto& g : gates_) out_ << indent << g.detail << "\n";
  }

  static std::string one_line(const std::string& s) {
    std::string out;
    for (const char ch : s) out += ch == '\n' || ch == '\r' ? ' ' : ch;
    return out;
  }

  static std::string md_cell(const std::string& s) {
    std::string out;
    for (const char ch : one_line(s)) {
      if (ch == '|') out += "\\|";
      else if (ch == '`') out += '\'';
      else if (ch == '<') out += "&lt;";
      else out += ch;
    }
    return out;
  }

  const RunComparison& c_;
  Store& a_;
  Store& b_;
  const std::vector<GateRecord>& gates_;
  const CompareReportOptions& o_;
  std::ostream& out_;
  std::size_t more_ = 0;
};

}  // namespace

void write_compare_report(const RunComparison& comparison, Store& a_store, Store& b_store,
                          const std::vector<GateRecord>& gates, const CompareReportOptions& options,
                          std::ostream& out) {
  Writer w(comparison, a_store, b_store, gates, options, out);
  switch (options.format) {
    case CompareFormat::text: w.text(); break;
    case CompareFormat::json: w.json_out(); break;
    case CompareFormat::md: w.md(); break;
    case CompareFormat::html: w.html(); break;
  }
}

}  // namespace tb
