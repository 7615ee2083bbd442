#include "report/html_details.hpp"

#include <algorithm>
#include <array>

#include "common/text.hpp"
#include "report/html_table.hpp"
#include "report/report_text.hpp"
#include "store/store.hpp"

namespace tb {

// An answer in full; one longer than a screen scrolls inside its box, which says so (the
// closing fence of a `fenced` answer is the evidence, so nothing is cut by a fixed height).
std::string html_output_box(const std::string& text) {
  constexpr std::size_t kMaxChars = 20000;  // beyond this, the CSV, JSON and database hold it
  const std::string shown = text.size() > kMaxChars ? ellipsize(text, kMaxChars) : text;
  const long long lines = 1 + std::count(shown.begin(), shown.end(), '\n');
  const bool is_long = lines > 24 || shown.size() > 2400;
  std::string box = std::string("<pre") + (is_long ? " class=\"long\" tabindex=\"0\"" : "") + ">" +
                    html_escape(shown) + "</pre>";
  if (is_long)
    box += "<div class=\"cue\">" + std::to_string(lines) + (lines == 1 ? " line" : " lines") +
           ", " + with_thousands(static_cast<long long>(shown.size())) +
           " characters: scroll inside the box for the rest</div>";
  if (text.size() > kMaxChars)
    box += "<div class=\"cue\">" + with_thousands(static_cast<long long>(text.size() - kMaxChars)) +
           " more characters in the CSV, JSON and database</div>";
  return box;
}

void write_latency_section(const RunSummary& summary, std::ostream& h) {
  // The fit's columns are left out when no variant's prompts varied enough to fit them.
  bool any_fit = false;
  for (const auto& v : summary.variants) any_fit |= v.latency_model.ok;
  h << "<h2>Latency</h2>";
  std::vector<HtmlColumn> columns{{"variant", true}, {"mean"}, {"p50"}, {"p95"}, {"p99"}};
  if (any_fit)
    columns.insert(columns.end(),
                   {{"ms per 1k prompt tokens"}, {"ms per completion token"}, {"R\u00b2"}});
  open_html_table(h, "Latency per answered request, ms", columns);
  for (const auto& v : summary.variants) {
    h << "<tr><th scope=\"row\" class=\"l\">" << html_escape(v.variant.id) << "</th><td>"
      << fixed(v.latency_mean, 1) << "</td><td>" << fixed(v.latency_p50, 1) << "</td><td>"
      << fixed(v.latency_p95, 1) << "</td><td>" << fixed(v.latency_p99, 1) << "</td>";
    if (any_fit) {
      if (v.latency_model.ok)
        h << "<td>" << fixed(v.latency_model.ms_per_prompt_token * 1000, 1) << "</td><td>"
          << fixed(v.latency_model.ms_per_completion_token, 2) << "</td><td>"
          << fixed(v.latency_model.r_squared, 2) << "</td>";
      else
        h << "<td>\u2014</td><td>\u2014</td><td>\u2014</td>";
    }
    h << "</tr>\n";
  }
  close_html_table(h);
  h << "<p class=\"small\">Per-token latency comes from a least-squares fit of latency on prompt "
       "and completion tokens; "
    << (any_fit ? "\u2014 where" : "it is left out because")
    << " the prompts barely differ in length (a fixed template cannot say what a prompt token "
       "costs).</p>\n";

  bool any_streamed = false;
  for (const auto& v : summary.variants) any_streamed |= v.streamed > 0;
  if (!any_streamed) return;
  h << "<h2>Streaming</h2>";
  open_html_table(h, "Streamed answers: time to first token and generation speed",
                  {{"variant", true},
                   {"streamed results"},
                   {"time to first token p50 / p90 / p99 ms"},
                   {"inter-token latency p50 ms"},
                   {"output tokens/s p50"}});
  for (const auto& v : summary.variants) {
    h << "<tr><th scope=\"row\" class=\"l\">" << html_escape(v.variant.id) << "</th><td>"
      << v.streamed << "</td>";
    if (v.streamed > 0)
      h << "<td>" << fixed(v.ttft_p50, 1) << " / " << fixed(v.ttft_p90, 1) << " / "
        << fixed(v.ttft_p99, 1) << "</td><td>" << fixed(v.itl_p50, 2) << "</td><td>"
        << fixed(v.output_tps_p50, 1) << "</td>";
    else
      h << "<td>\u2014</td><td>\u2014</td><td>\u2014</td>";
    h << "</tr>\n";
  }
  close_html_table(h);
}

void write_failure_sections(const RunSummary& summary, std::ostream& h) {
  static constexpr std::array<std::string_view, 10> kKinds{
      "not_json",         "fenced",         "prose_wrapped", "truncated", "wrong_type",
      "missing_property", "extra_property", "enum_mismatch", "other",     "error"};
  // Only the kinds some variant has, and the path column only when a path applies.
  std::vector<std::string_view> kinds;
  bool any_path = false;
  for (const auto kind : kKinds)
    for (const auto& v : summary.variants)
      if (v.failure_kinds.contains(std::string(kind))) {
        kinds.push_back(kind);
        break;
      }
  for (const auto& v : summary.variants) any_path |= !v.failure_paths.empty();
  h << "<h2>Failure taxonomy</h2>";
  if (kinds.empty()) {
    h << "<p>No answer missed the expected format.</p>\n";
  } else {
    std::vector<HtmlColumn> columns{{"variant", true}};
    for (const auto kind : kinds) columns.push_back({html_escape(kind)});
    if (any_path) columns.push_back({"by JSON path", true, "paths"});
    open_html_table(h, "Share of each variant's results by failure kind", columns);
    for (const auto& v : summary.variants) {
      const double n = std::max<double>(1, static_cast<double>(v.results));
      h << "<tr><th scope=\"row\" class=\"l\">" << html_escape(v.variant.id) << "</th>";
      for (const auto kind : kinds) {
        const auto it = v.failure_kinds.find(std::string(kind));
        const long long count = it == v.failure_kinds.end() ? 0 : it->second;
        h << "<td" << (count > 0 ? " class=\"bad\"" : "") << ">"
          << (count > 0 ? format_pct(static_cast<double>(count) / n) : "\u2014") << "</td>";
      }
      if (any_path) {
        h << "<td class=\"l\">";
        for (const auto& [key, count] : v.failure_paths)
          h << html_escape(key) << ": " << count << "<br>";
        h << "</td>";
      }
      h << "</tr>\n";
    }
    close_html_table(h);
    h << "<p class=\"small\">Share of each variant's results by why the answer missed the expected "
         "JSON format: "
         "not JSON, JSON in a ``` fence or inside prose (extractable), truncated "
         "(finish_reason=length), or valid JSON "
         "that breaks the schema (wrong type, missing or extra property, enum mismatch); error = "
         "no answer. Kinds no "
         "variant has are left out.</p>\n";
  }

  bool any_retried = false, any_cached = false;
  for (const auto& v : summary.variants) {
    any_retried |= v.retried > 0;
    any_cached |= v.cached > 0;
  }
  h << "<h2>Why answers failed</h2>";
  std::vector<HtmlColumn> columns{
      {"variant", true}, {"failed checks (count)", true}, {"errors by class", true}};
  if (any_retried) columns.push_back({"retried"});
  if (any_cached) columns.push_back({"from cache"});
  open_html_table(h, "Failed checks and errors per variant", columns);
  for (const auto& v : summary.variants) {
    h << "<tr><th scope=\"row\" class=\"l\">" << html_escape(v.variant.id)
      << "</th><td class=\"l\">";
    if (v.failed_checks.empty()) h << "none";
    for (const auto& [name, count] : v.failed_checks)
      h << html_escape(name) << ": " << count << " ("
        << format_pct(static_cast<double>(count) /
                      std::max<double>(1, static_cast<double>(v.results)))
        << ")<br>";
    h << "</td><td class=\"l\">";
    if (v.error_classes.empty()) h << "none";
    for (const auto& [cls, count] : v.error_classes)
      h << html_escape(cls) << ": " << count << "<br>";
    h << "</td>";
    if (any_retried) h << "<td>" << v.retried << "</td>";
    if (any_cached) h << "<td>" << v.cached << "</td>";
    h << "</tr>\n";
  }
  close_html_table(h);
}

void write_failing_cases(Store& store, const RunSummary& summary, int per_variant,
                         std::ostream& h) {
  h << "<h2>Failing cases</h2>\n";
  for (const auto& v : summary.variants) {
    Store::ResultQuery q;
    q.variant_id = v.variant.id;
    q.with_checks = true;
    q.only_failing = true;
    q.limit = per_variant;
    const long long failing = v.results - v.conformant;
    h << "<h3>" << html_escape(v.variant.id) << " <span class=\"small\">(" << failing << " failing"
      << (failing > per_variant
              ? ", first " + std::to_string(per_variant) + " shown; all of them in the CSV and JSON"
              : "")
      << ")</span></h3>\n";
    if (failing == 0) continue;
    open_html_table(h,
                    "Failing results of " + html_escape(v.variant.id) +
                        ": the checks that failed and the whole answer",
                    {{"case", true}, {"failed check", true}, {"output", true}});
    store.for_each_result(summary.run.id, q, [&](const ResultRecord& r) {
      std::string why;
      if (r.status != "ok") why = r.error_class + ": " + r.error_message;
      for (const auto& c : r.checks)
        if (!c.passed)
          why += (why.empty() ? "" : "\n") + c.name + (c.detail.empty() ? "" : ": " + c.detail) +
                 (c.required ? "" : " (optional)");
      h << "<tr><th scope=\"row\" class=\"l\">" << html_escape(r.case_id)
        << (r.repeat > 0 ? " #" + std::to_string(r.repeat) : "") << "</th><td class=\"l why\"><pre>"
        << html_escape(why) << "</pre></td><td class=\"l out\">" << html_output_box(r.output)
        << "</td></tr>\n";
    });
    close_html_table(h);
  }
}

}  // namespace tb
