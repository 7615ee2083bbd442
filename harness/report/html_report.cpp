#include "report/html_report.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "common/text.hpp"
#include "report/html_details.hpp"
#include "report/html_retrieval.hpp"
#include "report/html_table.hpp"
#include "report/report_text.hpp"
#include "report/retrieval_text.hpp"
#include "report/run_charts.hpp"
#include "report/svg_chart.hpp"
#include "report/sweep_chart.hpp"
#include "report/volume_chart.hpp"
#include "report/terminal_summary.hpp"
#include "report/verdict_text.hpp"
#include "store/store.hpp"

namespace tb {
namespace {

constexpr std::string_view kStyle = R"css(
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:1.5rem auto;max-width:1200px;color:#1d2330;padding:0 1rem;line-height:1.4}
h1{font-size:1.5rem;margin-bottom:.2rem;overflow-wrap:anywhere}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #dde;padding-bottom:.3rem}h3{font-size:1rem;overflow-wrap:anywhere}
.meta{color:#556;font-size:.9rem;overflow-wrap:anywhere}.banner{background:#fff4d6;border:1px solid #e8c55a;padding:.6rem 1rem;border-radius:6px;margin:1rem 0;font-weight:600}
.card{border:1px solid #c9d3e6;background:#f7f9fd;border-radius:8px;padding:.2rem 1.2rem .6rem;margin:1.2rem 0}.card h2{border:0;margin-top:.8rem}
.card ul{padding-left:1.1rem;margin:.4rem 0}.card li{margin:.35rem 0;overflow-wrap:anywhere}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,520px),1fr));gap:1rem 1.5rem}
figure{margin:0;min-width:0}figcaption{font-size:.8rem;color:#556;margin-top:.2rem}svg.chart{display:block;width:100%;max-width:640px;height:auto}
.tw{max-width:100%;overflow-x:auto;margin:.5rem 0;
background:linear-gradient(to right,#fff 30%,rgba(255,255,255,0)),linear-gradient(to left,#fff 30%,rgba(255,255,255,0)) 100% 0,radial-gradient(farthest-side at 0 50%,rgba(0,0,0,.22),rgba(0,0,0,0)),radial-gradient(farthest-side at 100% 50%,rgba(0,0,0,.22),rgba(0,0,0,0)) 100% 0;
background-repeat:no-repeat;background-size:40px 100%,40px 100%,14px 100%,14px 100%;background-attachment:local,local,scroll,scroll}
table{border-collapse:collapse;width:100%;font-size:.9rem}caption{caption-side:top;text-align:left;font-size:.8rem;color:#556;padding:.2rem 0}
th,td{padding:.4rem .6rem;border-bottom:1px solid #e6e8ef;text-align:right;vertical-align:top}
thead th{background:#f5f6fa;font-weight:600}tbody th{font-weight:600}td.l,th.l{text-align:left}th.paths{min-width:14rem}
.bar{display:inline-block;height:.6rem;background:#4a7bd8;border-radius:3px;vertical-align:middle}
.bad{color:#b42318}.good{color:#137333}.small{font-size:.8rem;color:#667}
pre{white-space:pre-wrap;overflow-wrap:break-word;word-break:normal;background:#f7f7f9;padding:.4rem;border-radius:4px;margin:0;font-size:.8rem}
pre.long{max-height:24rem;overflow:auto;border-bottom:2px dashed #8a94a6}.cue{font-size:.75rem;color:#667;margin-top:.2rem}
td.out{min-width:16rem}td.why{min-width:12rem}
@media print{body{max-width:none;margin:0;font-size:10pt}.tw{overflow:visible;background:none}pre.long{max-height:none;overflow:visible;border:0}.cue{display:none}
h2,h3{break-after:avoid}figure,tr,.card{break-inside:avoid}.charts{display:block}svg.chart{width:100%}}
ul.verdict li{margin:.3rem 0}
.decision{border:2px solid #2f9e44;background:#f0faf2;border-radius:8px;padding:.8rem 1.2rem;margin:1rem 0;overflow-wrap:anywhere}
.decision.none{border-color:#b42318;background:#fdf1f0}.decision p{margin:.3rem 0}.decision .head{font-size:1.1rem;font-weight:600}
)css";

std::string plural(long long n, std::string_view one, std::string_view many) {
  return with_thousands(n) + " " + std::string(n == 1 ? one : many);
}

std::string figure(const std::string& svg, std::string_view caption) {
  if (svg.empty()) return {};
  return "<figure>" + svg + "<figcaption>" + std::string(caption) + "</figcaption></figure>\n";
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
    << html_escape(run.dataset_file) << " &middot; " << plural(run.cases, "case", "cases")
    << " &times; " << plural(static_cast<long long>(summary.variants.size()), "variant", "variants")
    << " &times; " << plural(run.repeats, "repeat", "repeats") << " &middot; started "
    << html_escape(run.started_at)
    << (run.finished_at.empty() ? "" : ", finished " + html_escape(run.finished_at))
    << " &middot; status " << html_escape(run.status) << " &middot; prices "
    << html_escape(run.price_catalog) << " &middot; tunebench " << html_escape(run.tool_version)
    << "</div>\n";
  if (run.simulated)
    h << "<div class=\"banner\">SIMULATED: the answers in this report come from tunebench's "
         "built-in mock "
         "server, not from a real model. Conformance, latency and token counts are simulated; "
         "prices are "
         "real list prices applied to the simulated token counts.</div>\n";

  // VERDICT CARD: the decision goes first. The decide: block's verdict (the winner, why the
  // others lose, where it flips) heads the card; then one line per variant against the baseline.
  h << "<!-- verdict card -->\n<section class=\"card verdict\" id=\"verdict\" "
       "aria-labelledby=\"verdict-h\">"
       "<h2 id=\"verdict-h\">Verdict</h2>";
  // The suite's `decide:` verdict, in the terminal's words.
  if (const VerdictText text = verdict_text(summary); !text.headline.empty()) {
    h << "<div class=\"decision" << (summary.verdict->winner ? "" : " none")
      << "\"><p class=\"head\">" << html_escape(text.headline) << "</p><ul class=\"verdict\">";
    for (const auto& line : text.why) h << "<li>" << html_escape(line) << "</li>";
    h << "</ul>" << (text.flip.empty() ? "" : "<p>" + html_escape(text.flip) + "</p>")
      << "</div>\n";
  }
  h << "<ul class=\"verdict\">";
  for (const auto& line : verdict_lines(summary)) h << "<li>" << html_escape(line) << "</li>";
  h << "</ul></section>\n<!-- /verdict card -->\n";

  h << "<h2>At a glance</h2><div class=\"charts\">\n"
    << figure(
           conformance_chart(summary),
           "Bars coloured by level; the whisker is the 95% interval (repeats clustered by case).")
    << figure(cost_conformance_chart(summary),
              "Filled points are the Pareto front: no other variant is both cheaper and more "
              "conformant.")
    << figure(monthly_cost_chart(summary),
              "Rings mark break-even volumes (hover for the 95% interval); a thin dashed line is "
              "a strategy the verdict excludes.")
    << figure(latency_chart(summary), "Answered requests only; errors have no latency.")
    << figure(prompt_tokens_chart(summary),
              "Mean per request; the split is counted with the model's tokenizer where the run "
              "knew it.")
    << figure(failure_kinds_chart(summary),
              "Why answers missed the expected format, as a share of each variant's results.")
    << checkpoint_sweep_figures(summary) << "</div>\n";

  h << "<h2>Variants</h2>";
  open_html_table(h, "Each variant's conformance, prompt length, cost and latency",
                  {{"variant", true},
                   {"kind", true},
                   {"model", true},
                   {"conformance (95% CI)", true},
                   {"score"},
                   {"prompt tokens mean / median"},
                   {"savings vs baseline"},
                   {"completion tokens"},
                   {"cost / 1k requests"},
                   {"cost / month"},
                   {"latency p50 / p95 ms"},
                   {"errors"}});
  for (const auto& v : summary.variants) {
    const bool is_base = v.variant.id == summary.baseline;
    h << "<tr><th scope=\"row\" class=\"l\">" << html_escape(v.variant.id)
      << (is_base ? " <span class=\"small\">(baseline)</span>" : "") << "</th><td class=\"l\">"
      << html_escape(v.variant.kind) << "</td><td class=\"l\">" << html_escape(v.variant.model)
      << "</td><td class=\"l\">"
      << "<span style=\"color:" << conformance_color(v.conformance) << ";font-weight:600\">"
      << format_pct(v.conformance) << "</span> <span class=\"small\">("
      << format_pct(v.conformance_ci.low) << " to " << format_pct(v.conformance_ci.high) << ", "
      << v.conformant << "/" << v.results << ")</span>"
      << (v.retrieval && v.retrieval->quality.judged > 0
              ? "<br><span class=\"small\">recall@" + std::to_string(v.retrieval->k) + " " +
                    format_pct(v.retrieval->quality.recall) + "</span>"
              : "")
      << "</td><td>" << fixed(v.mean_score, 3) << "</td><td>" << format_count(v.prompt_tokens_mean)
      << " / " << format_count(v.prompt_tokens_median)
      << (v.tokens_from_usage ? "" : " <span class=\"small\">(local count)</span>")
      << (v.split_results > 0 && v.context_tokens_mean > 0
              ? "<br><span class=\"small\">" + format_pct(v.context_share) + " " +
                    context_label(v) + "</span>"
              : "")
      << "</td><td>";
    if (is_base)
      h << "\u2014";
    else if (v.paired > 0)
      h << fixed(v.savings_pct, 1) << "%<br><span class=\"small\">"
        << format_count(v.savings_tokens_mean) << " tokens mean (95% CI "
        << format_count(v.savings_tokens_ci.low) << " to "
        << format_count(v.savings_tokens_ci.high) << "), median "
        << format_count(v.savings_tokens_median) << "</span>";
    else
      h << "n/a";
    const std::string derived = v.self_hosted ? " <span class=\"small\">(derived)</span>" : "";
    h << "</td><td>" << format_count(v.completion_tokens_mean) << "</td><td>"
      << format_usd(v.cost_per_1k) << derived << "</td><td>" << format_usd(v.cost_monthly)
      << derived << "</td><td>" << fixed(v.latency_p50, 0) << " / " << fixed(v.latency_p95, 0)
      << "</td><td" << (v.errors > 0 ? " class=\"bad\"" : "") << ">" << v.errors << "</td></tr>\n";
  }
  close_html_table(h);
  for (const auto& v : summary.variants)
    if (v.local_counted > 0)
      h << "<p class=\"small\">" << html_escape(v.variant.id)
        << ": the local tokenizer's prompt count equals the API's usage.prompt_tokens on "
        << v.local_matches << " of " << plural(v.local_counted, "result", "results") << ".</p>";
  h << "<p class=\"small\">Conformance: share of requests whose answer passed every required check "
       "(errors count as failures); "
       "Wilson 95% interval. Savings: paired on the same case and repeat; interval by bootstrap. "
       "Cost per month at "
    << with_thousands(run.monthly_requests) << " requests, without training.</p>\n";

  write_html_prompt_composition(summary, h);
  write_html_retrieval(summary, h);

  // Columns nothing fills are left out: training and break-even without a fine-tune.
  bool any_training = false;
  for (const auto& v : summary.variants)
    any_training |= v.training_cost.has_value() || v.break_even_requests.has_value();
  h << "<h2>Cost and break-even</h2>";
  std::vector<HtmlColumn> cost_columns{
      {"variant", true}, {"price in / cached / out per 1M"}, {"cost per request (95% CI)"}};
  if (any_training)
    cost_columns.insert(cost_columns.end(), {{"training cost"}, {"break-even volume"}});
  cost_columns.push_back({std::string("first month incl. ") +
                          (any_training ? "training" : "one-off costs") +
                          (has_retrieval(summary) ? " and corpus embedding" : "")});
  open_html_table(h, "Prices, cost per request and what a fine-tune's training costs back",
                  cost_columns);
  for (const auto& v : summary.variants) {
    h << "<tr><th scope=\"row\" class=\"l\">" << html_escape(v.variant.id) << "</th><td>"
      << format_usd(v.variant.price_input) << " / " << format_usd(v.variant.price_cached_input)
      << " / " << format_usd(v.variant.price_output)
      << (v.self_hosted ? "<br><span class=\"small\">self-hosted, " +
                              html_escape(derived_cost_note(v)) + "</span>"
                        : "")
      << "</td><td>" << format_usd(v.cost_per_request) << (v.self_hosted ? " <b>(derived)</b>" : "")
      << "<br><span class=\"small\">" << format_usd(v.cost_per_request_ci.low) << " to "
      << format_usd(v.cost_per_request_ci.high) << "</span></td>";
    if (any_training) {
      h << "<td>" << (v.training_cost ? format_usd(*v.training_cost) : "\u2014") << "</td><td>";
      if (v.break_even_requests) {
        if (*v.break_even_requests >= 0)
          h << format_count(std::ceil(*v.break_even_requests)) << " requests";
        else
          h << "<span class=\"bad\">never (costs more per request)</span>";
      } else {
        h << "\u2014";
      }
      h << "</td>";
    }
    const double once = v.training_cost.value_or(0) + (v.retrieval ? v.retrieval->index_cost : 0);
    h << "<td>" << format_usd(v.cost_monthly + once) << "</td></tr>\n";
  }
  close_html_table(h);
  if (const auto lines = break_even_lines(summary); !lines.empty()) {
    h << "<p>Break-even between strategies (95% intervals, bootstrap over cases):</p><ul "
         "class=\"verdict\">";
    for (const auto& line : lines) h << "<li>" << html_escape(line) << "</li>";
    h << "</ul>\n";
  }
  if (const std::string estimated = estimated_cost_text(summary); !estimated.empty())
    h << "<p class=\"bad\">" << html_escape(estimated) << "</p>\n";

  write_latency_section(summary, h);
  write_failure_sections(summary, h);
  write_failing_cases(store, summary, failing_per_variant, h);

  h << "<p class=\"small\">Generated by tunebench from "
    << html_escape(store.path().filename().string())
    << "; every number above is computed from the stored results (query them with "
       "<code>sqlite3</code>).</p>\n";
  h << "</body></html>\n";
  return h.str();
}

}  // namespace tb
