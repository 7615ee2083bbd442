#include "report/html_report.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "common/text.hpp"
#include "report/html_retrieval.hpp"
#include "report/report_text.hpp"
#include "report/retrieval_text.hpp"
#include "report/terminal_summary.hpp"
#include "report/verdict_text.hpp"
#include "store/store.hpp"

namespace tb {
namespace {

constexpr std::string_view kStyle = R"css(
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1200px;color:#1d2330;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #dde;padding-bottom:.3rem}
.meta{color:#556;font-size:.9rem}.banner{background:#fff4d6;border:1px solid #e8c55a;padding:.6rem 1rem;border-radius:6px;margin:1rem 0;font-weight:600}
table{border-collapse:collapse;width:100%;font-size:.9rem;margin:.5rem 0;display:block;overflow-x:auto}th,td{padding:.4rem .6rem;border-bottom:1px solid #e6e8ef;text-align:right;vertical-align:top}
th{background:#f5f6fa;font-weight:600}td.l,th.l{text-align:left}.bar{display:inline-block;height:.6rem;background:#4a7bd8;border-radius:3px;vertical-align:middle}
.bad{color:#b42318}.good{color:#137333}.small{font-size:.8rem;color:#667}
pre{white-space:pre-wrap;word-break:break-word;background:#f7f7f9;padding:.4rem;border-radius:4px;margin:0;font-size:.8rem;max-height:12rem;overflow:auto}
ul.verdict li{margin:.3rem 0}
.decision{border:2px solid #2f9e44;background:#f0faf2;border-radius:8px;padding:.8rem 1.2rem;margin:1rem 0}
.decision.none{border-color:#b42318;background:#fdf1f0}.decision p{margin:.3rem 0}.decision .head{font-size:1.1rem;font-weight:600}
)css";

std::string bar(double fraction, const char* color = "#4a7bd8") {
  const double w = std::clamp(fraction, 0.0, 1.0) * 100;
  return "<span class=\"bar\" style=\"width:" + fixed(w, 0) + "px;background:" + color + "\"></span> ";
}

}  // namespace

std::string render_html_report(Store& store, const RunSummary& summary, int failing_per_variant) {
  const auto& run = summary.run;
  std::ostringstream h;
  h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    << "<title>tunebench run " << run.id << " \u2014 " << html_escape(run.suite_name) << "</title>"
    << "<style>" << kStyle << "</style></head><body>\n";
  const std::string scope = run_scope(run);
  h << "<h1>" << html_escape(run.suite_name) << " \u2014 run " << run.id
    << (scope.empty() ? "" : " (" + html_escape(scope) + ")") << "</h1>\n";
  h << "<div class=\"meta\">suite " << html_escape(run.suite_file) << " &middot; dataset "
    << html_escape(run.dataset_file) << " &middot; " << run.cases << (run.cases == 1 ? " case" : " cases") << " &times; "
    << summary.variants.size() << (summary.variants.size() == 1 ? " variant" : " variants") << " &times; "
    << run.repeats << (run.repeats == 1 ? " repeat" : " repeats") << " &middot; started "
    << html_escape(run.started_at) << (run.finished_at.empty() ? "" : ", finished " + html_escape(run.finished_at))
    << " &middot; status " << html_escape(run.status) << " &middot; prices " << html_escape(run.price_catalog)
    << " &middot; tunebench " << html_escape(run.tool_version) << "</div>\n";
  if (run.simulated)
    h << "<div class=\"banner\">SIMULATED: the answers in this report come from tunebench's built-in mock "
         "server, not from a real model. Conformance, latency and token counts are simulated; prices are "
         "real list prices applied to the simulated token counts.</div>\n";

  // The decision first, when the suite's `decide:` asks for one: the same words as the terminal.
  if (const VerdictText text = verdict_text(summary); !text.headline.empty()) {
    h << "<div class=\"decision" << (summary.verdict->winner ? "" : " none") << "\"><p class=\"head\">"
      << html_escape(text.headline) << "</p><ul class=\"verdict\">";
    for (const auto& line : text.why) h << "<li>" << html_escape(line) << "</li>";
    h << "</ul>" << (text.flip.empty() ? "" : "<p>" + html_escape(text.flip) + "</p>") << "</div>\n";
  }

  h << "<h2>Verdict</h2><ul class=\"verdict\">";
  for (const auto& line : verdict_lines(summary)) h << "<li>" << html_escape(line) << "</li>";
  h << "</ul>\n";

  h << "<h2>Variants</h2><table><tr><th class=\"l\">variant</th><th class=\"l\">kind</th><th class=\"l\">model</th>"
       "<th class=\"l\">conformance (95% CI)</th><th>score</th><th>prompt tokens mean / median</th>"
       "<th>savings vs baseline</th><th>completion tokens</th><th>cost / 1k requests</th>"
       "<th>cost / month</th><th>latency p50 / p95 ms</th><th>errors</th></tr>\n";
  double max_tokens = 1;
  for (const auto& v : summary.variants) max_tokens = std::max(max_tokens, v.prompt_tokens_mean);
  for (const auto& v : summary.variants) {
    const bool is_base = v.variant.id == summary.baseline;
    h << "<tr><td class=\"l\"><b>" << html_escape(v.variant.id) << "</b>" << (is_base ? " <span class=\"small\">(baseline)</span>" : "")
      << "</td><td class=\"l\">" << html_escape(v.variant.kind) << "</td><td class=\"l\">" << html_escape(v.variant.model)
      << "</td><td class=\"l\">" << bar(v.conformance, "#2f9e44") << format_pct(v.conformance) << " <span class=\"small\">("
      << format_pct(v.conformance_ci.low) << "\u2013" << format_pct(v.conformance_ci.high) << ", " << v.conformant << "/" << v.results
      << ")</span>"
      << (v.retrieval && v.retrieval->quality.judged > 0
              ? "<br><span class=\"small\">recall@" + std::to_string(v.retrieval->k) + " " +
                    format_pct(v.retrieval->quality.recall) + "</span>"
              : "")
      << "</td><td>" << fixed(v.mean_score, 3) << "</td><td>" << bar(v.prompt_tokens_mean / max_tokens)
      << format_count(v.prompt_tokens_mean) << " / " << format_count(v.prompt_tokens_median)
      << (v.tokens_from_usage ? "" : " <span class=\"small\">(local count)</span>")
      << (v.split_results > 0 && v.context_tokens_mean > 0
              ? "<br><span class=\"small\">" + format_pct(v.context_share) + " " + context_label(v) + "</span>"
              : "")
      << "</td><td>";
    if (is_base) h << "\u2014";
    else if (v.paired > 0)
      h << fixed(v.savings_pct, 1) << "%<br><span class=\"small\">" << format_count(v.savings_tokens_mean)
        << " tokens mean (95% CI " << format_count(v.savings_tokens_ci.low) << "\u2013" << format_count(v.savings_tokens_ci.high)
        << "), median " << format_count(v.savings_tokens_median) << "</span>";
    else h << "n/a";
    const std::string derived = v.self_hosted ? " <span class=\"small\">(derived)</span>" : "";
    h << "</td><td>" << format_count(v.completion_tokens_mean) << "</td><td>" << format_usd(v.cost_per_1k) << derived
      << "</td><td>" << format_usd(v.cost_monthly) << derived << "</td><td>" << fixed(v.latency_p50, 0) << " / " << fixed(v.latency_p95, 0)
      << "</td><td" << (v.errors > 0 ? " class=\"bad\"" : "") << ">" << v.errors << "</td></tr>\n";
  }
  h << "</table>";
  for (const auto& v : summary.variants)
    if (v.local_counted > 0)
      h << "<p class=\"small\">" << html_escape(v.variant.id) << ": the local tokenizer's prompt count equals the API's usage.prompt_tokens on "
        << v.local_matches << " of " << v.local_counted << " results.</p>";
  h << "<p class=\"small\">Conformance: share of requests whose answer passed every required check (errors count as failures); "
       "Wilson 95% interval. Savings: paired on the same case and repeat; interval by bootstrap. Cost per month at "
    << with_thousands(run.monthly_requests) << " requests, without training.</p>\n";

  write_html_prompt_composition(summary, h);
  write_html_retrieval(summary, h);

  h << "<h2>Cost and break-even</h2><table><tr><th class=\"l\">variant</th><th>price in / cached / out per 1M</th>"
       "<th>cost per request (95% CI)</th><th>training cost</th><th>break-even volume</th><th>first month incl. training"
    << (has_retrieval(summary) ? " and corpus embedding" : "") << "</th></tr>\n";
  for (const auto& v : summary.variants) {
    h << "<tr><td class=\"l\">" << html_escape(v.variant.id) << "</td><td>" << format_usd(v.variant.price_input) << " / "
      << format_usd(v.variant.price_cached_input) << " / " << format_usd(v.variant.price_output)
      << (v.self_hosted ? "<br><span class=\"small\">self-hosted, " + html_escape(derived_cost_note(v)) + "</span>" : "")
      << "</td><td>" << format_usd(v.cost_per_request) << (v.self_hosted ? " <b>(derived)</b>" : "")
      << "<br><span class=\"small\">" << format_usd(v.cost_per_request_ci.low) << "\u2013"
      << format_usd(v.cost_per_request_ci.high) << "</span></td><td>" << (v.training_cost ? format_usd(*v.training_cost) : "\u2014") << "</td><td>";
    if (v.break_even_requests) {
      if (*v.break_even_requests >= 0) h << format_count(std::ceil(*v.break_even_requests)) << " requests";
      else h << "<span class=\"bad\">never (costs more per request)</span>";
    } else {
      h << "\u2014";
    }
    const double once = v.training_cost.value_or(0) + (v.retrieval ? v.retrieval->index_cost : 0);
    h << "</td><td>" << format_usd(v.cost_monthly + once) << "</td></tr>\n";
  }
  h << "</table>\n";
  if (const auto lines = break_even_lines(summary); !lines.empty()) {
    h << "<p>Break-even between strategies (95% intervals, bootstrap over cases):</p><ul class=\"verdict\">";
    for (const auto& line : lines) h << "<li>" << html_escape(line) << "</li>";
    h << "</ul>\n";
  }
  if (const std::string estimated = estimated_cost_text(summary); !estimated.empty())
    h << "<p class=\"bad\">" << html_escape(estimated) << "</p>\n";

  h << "<h2>Latency</h2><table><tr><th class=\"l\">variant</th><th>mean</th><th>p50</th><th>p95</th><th>p99</th>"
       "<th>ms per 1k prompt tokens</th><th>ms per completion token</th><th>R\u00b2</th></tr>\n";
  for (const auto& v : summary.variants) {
    h << "<tr><td class=\"l\">" << html_escape(v.variant.id) << "</td><td>" << fixed(v.latency_mean, 1) << "</td><td>"
      << fixed(v.latency_p50, 1) << "</td><td>" << fixed(v.latency_p95, 1) << "</td><td>" << fixed(v.latency_p99, 1) << "</td>";
    if (v.latency_model.ok)
      h << "<td>" << fixed(v.latency_model.ms_per_prompt_token * 1000, 1) << "</td><td>"
        << fixed(v.latency_model.ms_per_completion_token, 2) << "</td><td>" << fixed(v.latency_model.r_squared, 2) << "</td>";
    else
      h << "<td>\u2014</td><td>\u2014</td><td>\u2014</td>";
    h << "</tr>\n";
  }
  h << "</table><p class=\"small\">Per-token latency from a least-squares fit of latency on prompt and completion tokens; "
       "\u2014 where the prompts barely differ in length (a fixed template cannot say what a prompt token costs).</p>\n";

  bool any_streamed = false;
  for (const auto& v : summary.variants) any_streamed |= v.streamed > 0;
  if (any_streamed) {
    h << "<h2>Streaming</h2><table><tr><th class=\"l\">variant</th><th>streamed results</th>"
         "<th>time to first token p50 / p90 / p99 ms</th><th>inter-token latency p50 ms</th>"
         "<th>output tokens/s p50</th></tr>\n";
    for (const auto& v : summary.variants) {
      h << "<tr><td class=\"l\">" << html_escape(v.variant.id) << "</td><td>" << v.streamed << "</td>";
      if (v.streamed > 0)
        h << "<td>" << fixed(v.ttft_p50, 1) << " / " << fixed(v.ttft_p90, 1) << " / " << fixed(v.ttft_p99, 1) << "</td><td>"
          << fixed(v.itl_p50, 2) << "</td><td>" << fixed(v.output_tps_p50, 1) << "</td>";
      else
        h << "<td>\u2014</td><td>\u2014</td><td>\u2014</td>";
      h << "</tr>\n";
    }
    h << "</table>\n";
  }

  h << "<h2>Failure taxonomy</h2><table><tr><th class=\"l\">variant</th>";
  static constexpr std::string_view kKinds[] = {"not_json", "fenced", "prose_wrapped", "truncated", "wrong_type",
                                                "missing_property", "extra_property", "enum_mismatch", "other", "error"};
  for (const auto kind : kKinds) h << "<th>" << html_escape(kind) << "</th>";
  h << "<th class=\"l\">by JSON path</th></tr>\n";
  for (const auto& v : summary.variants) {
    const double n = std::max<double>(1, static_cast<double>(v.results));
    h << "<tr><td class=\"l\">" << html_escape(v.variant.id) << "</td>";
    for (const auto kind : kKinds) {
      const auto it = v.failure_kinds.find(std::string(kind));
      const long long count = it == v.failure_kinds.end() ? 0 : it->second;
      h << "<td" << (count > 0 ? " class=\"bad\"" : "") << ">" << (count > 0 ? format_pct(static_cast<double>(count) / n) : "\u2014") << "</td>";
    }
    h << "<td class=\"l\">";
    for (const auto& [key, count] : v.failure_paths) h << html_escape(key) << ": " << count << "<br>";
    h << "</td></tr>\n";
  }
  h << "</table><p class=\"small\">Share of each variant's results by why the answer missed the expected JSON format: "
       "not JSON, JSON in a ``` fence or inside prose (extractable), truncated (finish_reason=length), or valid JSON that "
       "breaks the schema (wrong type, missing or extra property, enum mismatch); error = no answer.</p>\n";

  h << "<h2>Why answers failed</h2><table><tr><th class=\"l\">variant</th><th class=\"l\">failed checks (count)</th>"
       "<th class=\"l\">errors by class</th><th>retried</th><th>from cache</th></tr>\n";
  for (const auto& v : summary.variants) {
    h << "<tr><td class=\"l\">" << html_escape(v.variant.id) << "</td><td class=\"l\">";
    if (v.failed_checks.empty()) h << "none";
    for (const auto& [name, count] : v.failed_checks)
      h << html_escape(name) << ": " << count << " (" << format_pct(static_cast<double>(count) / std::max<double>(1, static_cast<double>(v.results))) << ")<br>";
    h << "</td><td class=\"l\">";
    if (v.error_classes.empty()) h << "none";
    for (const auto& [cls, count] : v.error_classes) h << html_escape(cls) << ": " << count << "<br>";
    h << "</td><td>" << v.retried << "</td><td>" << v.cached << "</td></tr>\n";
  }
  h << "</table>\n";

  h << "<h2>Failing cases</h2>\n";
  for (const auto& v : summary.variants) {
    Store::ResultQuery q;
    q.variant_id = v.variant.id;
    q.with_checks = true;
    q.only_failing = true;
    q.limit = failing_per_variant;
    const long long failing = v.results - v.conformant;
    h << "<h3>" << html_escape(v.variant.id) << " <span class=\"small\">(" << failing << " failing"
      << (failing > failing_per_variant ? ", first " + std::to_string(failing_per_variant) + " shown" : "") << ")</span></h3>\n";
    if (failing == 0) continue;
    h << "<table><tr><th class=\"l\">case</th><th class=\"l\">failed check</th><th class=\"l\">output</th></tr>\n";
    store.for_each_result(run.id, q, [&](const ResultRecord& r) {
      std::string why;
      if (r.status != "ok") why = r.error_class + ": " + r.error_message;
      for (const auto& c : r.checks)
        if (!c.passed) why += (why.empty() ? "" : "\n") + c.name + (c.detail.empty() ? "" : ": " + c.detail) + (c.required ? "" : " (optional)");
      h << "<tr><td class=\"l\">" << html_escape(r.case_id) << (r.repeat > 0 ? " #" + std::to_string(r.repeat) : "")
        << "</td><td class=\"l\"><pre>" << html_escape(why) << "</pre></td><td class=\"l\"><pre>"
        << html_escape(ellipsize(r.output, 2000)) << "</pre></td></tr>\n";
    });
    h << "</table>\n";
  }
  h << "<p class=\"small\">Generated by tunebench from " << html_escape(store.path().filename().string())
    << "; every number above is computed from the stored results (query them with <code>sqlite3</code>).</p>\n";
  h << "</body></html>\n";
  return h.str();
}

}  // namespace tb
