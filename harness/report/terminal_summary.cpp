#include "report/terminal_summary.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>

#include "common/text.hpp"
#include "report/report_text.hpp"
#include "report/retrieval_text.hpp"
#include "report/sweep_text.hpp"
#include "report/verdict_text.hpp"

namespace tb {

std::vector<std::string> verdict_lines(const RunSummary& summary) {
  std::vector<std::string> lines;
  const VariantSummary* base = summary.find(summary.baseline);
  if (base == nullptr) return lines;
  for (const auto& v : summary.variants) {
    if (v.variant.id == summary.baseline) continue;
    std::string line = v.variant.id + " vs " + base->variant.id + ": conformance " +
                       format_pct(v.conformance) + " vs " + format_pct(base->conformance);
    // With one repeat the test is McNemar's; with repeats it is its generalisation on cases (the
    // repeats of a case are one observation), and the line says so.
    if (v.only_variant_passed + v.only_baseline_passed > 0)
      line += std::string(v.conformance_p_value < 0.05 ? " (a real difference"
                                                       : " (not a significant difference") +
              (summary.run.repeats > 1 ? ", paired test on " + std::to_string(v.cases) + " cases p="
                                       : ", McNemar p=") +
              fixed(v.conformance_p_value, v.conformance_p_value < 0.001 ? 4 : 3) + ")";
    if (v.paired > 0) {
      line += "; prompts " + fixed(std::fabs(v.savings_pct), 1) + "% " +
              (v.savings_pct >= 0 ? "shorter" : "longer") + " (" +
              format_count(std::fabs(v.savings_tokens_mean)) + " tokens per request";
      // What retrieval costs in prompt length, next to what a fine-tune saves.
      if (v.retrieval && v.split_results > 0)
        line +=
            "; " + format_count(v.context_tokens_mean) + " of its " +
            format_count(v.instruction_tokens_mean + v.context_tokens_mean + v.case_tokens_mean) +
            " are retrieved passages";
      line += ")";
    }
    if (v.retrieval && v.retrieval->quality.judged > 0)
      line += "; recall@" + std::to_string(v.retrieval->k) + " " +
              format_pct(v.retrieval->quality.recall);
    line += "; " + format_usd(v.cost_per_1k) + (v.self_hosted ? " (derived)" : "") + " vs " +
            format_usd(base->cost_per_1k) + (base->self_hosted ? " (derived)" : "") +
            " per 1k requests";
    if (v.training_cost) {
      line += "; training " + format_usd(*v.training_cost);
      if (v.break_even_requests && *v.break_even_requests >= 0)
        line += " pays back after " + format_count(std::ceil(*v.break_even_requests)) + " requests";
      else
        line += " never pays back (it costs more per request)";
    }
    lines.push_back(line);
  }
  return lines;
}

std::string taxonomy_text(const VariantSummary& v) {
  std::vector<std::pair<long long, std::string>> kinds;
  for (const auto& [kind, count] : v.failure_kinds) kinds.emplace_back(count, kind);
  std::sort(kinds.begin(), kinds.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  const double n = std::max<double>(1, static_cast<double>(v.results));
  std::string text;
  for (const auto& [count, kind] : kinds) {
    if (!text.empty()) text += ", ";
    text += format_pct(static_cast<double>(count) / n) + " " + kind;
    // The most frequent path of this kind, when it has paths.
    std::pair<long long, std::string> top{0, ""};
    for (const auto& [key, c] : v.failure_paths)
      if (key.starts_with(kind + " ") && c > top.first) top = {c, key.substr(kind.size() + 1)};
    if (top.first > 0)
      text += " (" + format_pct(static_cast<double>(top.first) / n) + " " + top.second + ")";
  }
  return text.empty() ? "no format failures" : text;
}

std::string estimated_cost_text(const RunSummary& summary) {
  std::string counts;
  for (const auto& v : summary.variants) {
    if (v.cost_estimated == 0) continue;
    counts += (counts.empty() ? "" : ", ") + v.variant.id + " " + std::to_string(v.cost_estimated) +
              " of " + std::to_string(v.results) + " results";
  }
  if (counts.empty()) return "";
  return "costed from estimates (the server's usage was missing or not believable; local token "
         "counts instead, see results.usage_note): " +
         counts;
}

void write_terminal_summary(const RunSummary& summary, std::ostream& out) {
  const auto& run = summary.run;
  const std::string scope = run_scope(run);
  out << "\nrun " << run.id << " \u2014 " << run.suite_name << (scope.empty() ? "" : ", " + scope)
      << " (" << run.status << ")"
      << (run.simulated ? "  [SIMULATED: answers from the built-in mock, not a real model]" : "")
      << "\n";
  // With context that changes with the case (rag's passages, few-shot's examples), its share of
  // the prompt; with a rag variant, recall@k against the dataset's gold passages.
  const bool rag = has_retrieval(summary);
  const bool context = has_context(summary);
  // Wide enough for the longest id (a sweep's read fine-tuned@step-1200), within reason.
  std::size_t name_width = 16;
  for (const auto& v : summary.variants)
    name_width = std::max(name_width, std::min<std::size_t>(v.variant.id.size() + 2, 42));
  const int width = static_cast<int>(name_width);
  out << std::left << std::setw(width) << "variant" << std::right << std::setw(13) << "conformance"
      << std::setw(10) << "prompt";
  if (context) out << std::setw(9) << "context";
  out << std::setw(10) << "savings" << std::setw(11) << "cost/1k";
  if (rag) out << std::setw(10) << "recall@k";
  out << std::setw(9) << "p50 ms" << std::setw(9) << "p95 ms" << std::setw(8) << "errors"
      << "\n";
  for (const auto& v : summary.variants) {
    const bool is_base = v.variant.id == summary.baseline;
    std::string name = ellipsize(v.variant.id, name_width - 2) + (is_base ? "*" : "");
    out << std::left << std::setw(width) << name << std::right << std::setw(13)
        << format_pct(v.conformance) << std::setw(10) << format_count(v.prompt_tokens_mean);
    if (context) out << std::setw(9) << context_share_text(v);
    out << std::setw(10) << (is_base ? std::string("-") : fixed(v.savings_pct, 1) + "%")
        << std::setw(11) << (v.self_hosted ? "~" : "") + format_usd(v.cost_per_1k);
    if (rag) out << std::setw(10) << recall_text(v);
    out << std::setw(9) << fixed(v.latency_p50, 0) << std::setw(9) << fixed(v.latency_p95, 0)
        << std::setw(8) << v.errors << "\n";
  }
  out << "(* baseline; prompt = mean prompt tokens per request"
      << (context ? ", context = the share of it from retrieved passages or worked examples" : "")
      << (rag ? ", recall@k = gold passages retrieved" : "") << "; savings against the baseline"
      << (std::any_of(summary.variants.begin(), summary.variants.end(),
                      [](const VariantSummary& v) { return v.self_hosted.has_value(); })
              ? "; ~ cost derived from GPU time, not billed"
              : "")
      << ")\n";
  if (const std::string estimated = estimated_cost_text(summary); !estimated.empty())
    out << estimated << "\n";
  for (const auto& line : verdict_lines(summary)) out << "- " << line << "\n";
  if (summary.run.repeats > 1) {
    const int k = summary.run.repeats;
    out << "repeats (" << k << " per case; intervals and tests count cases, not requests):\n";
    for (const auto& v : summary.variants) {
      const auto& r = v.repeat_stats;
      out << "  " << v.variant.id << ": pass@1 " << format_pct(v.conformance) << ", pass@" << k
          << " " << format_pct(r.pass_at_k) << ", pass^" << k << " " << format_pct(r.pass_hat_k)
          << "; " << r.flaky << (r.flaky == 1 ? " flaky case" : " flaky cases") << " of " << r.cases
          << "\n";
    }
  }
  if (context) {
    out << "prompt tokens, instructions / context (retrieved passages, worked examples) / the "
           "case's own "
           "messages (local count):\n";
    for (const auto& v : summary.variants)
      out << "  " << v.variant.id << ": " << prompt_split_text(v) << "\n";
  }
  if (rag) {
    out << "retrieval:\n";
    for (const auto& line : retrieval_lines(summary)) out << "  " << line << "\n";
  }
  bool any = false;
  for (const auto& v : summary.variants) any |= !v.failure_kinds.empty();
  if (any) {
    out << "format failures:\n";
    for (const auto& v : summary.variants)
      out << "  " << v.variant.id << ": " << taxonomy_text(v) << "\n";
  }
  write_checkpoint_sweeps(summary, out);
  write_decision(summary, out);
}

void write_decision(const RunSummary& summary, std::ostream& out) {
  for (const auto& v : summary.variants)
    if (v.self_hosted) out << v.variant.id << ": cost " << derived_cost_note(v) << "\n";
  const VerdictText text = verdict_text(summary);
  if (text.headline.empty()) return;
  out << "cost per request and a month at "
      << format_count(static_cast<double>(summary.run.monthly_requests))
      << " requests (95% intervals, bootstrap over cases):\n";
  for (const auto& v : summary.variants)
    out << "  " << v.variant.id << ": " << format_usd(v.cost_per_request) << " ("
        << format_usd(v.cost_per_request_ci.low) << " to " << format_usd(v.cost_per_request_ci.high)
        << "), " << format_usd(v.cost_monthly) << " a month (" << format_usd(v.cost_monthly_ci.low)
        << " to " << format_usd(v.cost_monthly_ci.high) << ")"
        << (v.one_time_cost > 0 ? " + " + format_usd(v.one_time_cost) + " once" : "")
        << (v.self_hosted ? " [derived]" : "") << "\n";
  if (const auto lines = break_even_lines(summary); !lines.empty()) {
    out << "break-even:\n";
    for (const auto& line : lines) out << "  " << line << "\n";
  }
  out << "verdict: " << text.headline << "\n";
  for (const auto& line : text.why) out << "  - " << line << "\n";
  if (!text.flip.empty()) out << "  " << text.flip << "\n";
}

}  // namespace tb
