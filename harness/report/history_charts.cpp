#include "report/history_charts.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "common/text.hpp"
#include "report/report_text.hpp"
#include "report/svg_chart.hpp"

namespace tb {
namespace {

constexpr double kWidth = 560;

std::string points_text(double fraction) {
  return (fraction >= 0 ? "+" : "") + fixed(fraction * 100, 1) + " pts";
}

std::string metric_text(const std::string& metric, double v) {
  if (metric == "cost") return format_usd(v) + "/1k";
  if (metric == "p95") return format_count(v) + " ms";
  return format_pct(v);
}

}  // namespace

std::string compare_conformance_chart(const RunComparison& comparison) {
  const auto& pairs = comparison.variants;
  if (pairs.empty()) return {};
  double reach = 0.05;
  std::string desc = "Change in conformance from " + comparison.a_label + " to " +
                     comparison.b_label + " on the paired cases, with the 95% interval:";
  double widest = 40;
  for (const auto& v : pairs) {
    const auto& c = v.conformance;
    reach = std::max({reach, std::fabs(c.difference_ci.low), std::fabs(c.difference_ci.high)});
    const std::string name =
        v.a_variant == v.b_variant ? v.a_variant : v.a_variant + " -> " + v.b_variant;
    widest = std::max(widest, SvgChart::text_width(name, 13));
    desc += " " + name + " " + points_text(c.difference) + " (" + points_text(c.difference_ci.low) +
            " to " + points_text(c.difference_ci.high) + ", " + std::to_string(c.cases) +
            " cases);";
  }
  reach = std::min(1.0, SvgChart::nice_max(reach));
  const int count = static_cast<int>(pairs.size());
  SvgChart c("chart-compare", kWidth, 30 + 28.0 * count + 40,
             "Conformance change per variant (B - A, 95% interval)", desc);
  c.set_margins(std::min(widest + 14, kWidth * 0.4), 16, 24, 36);
  c.x_axis({-reach, reach, "change in conformance (share of cases)", true}, 6);
  c.line(c.x(0), c.plot_top(), c.x(0), c.plot_bottom(), "#1d2330", 1.5);
  for (int i = 0; i < count; ++i) {
    const auto& v = pairs[static_cast<std::size_t>(i)];
    const auto& d = v.conformance;
    const std::string name =
        v.a_variant == v.b_variant ? v.a_variant : v.a_variant + " -> " + v.b_variant;
    const double mid = c.band_top(i, count) + c.band_height(count) / 2;
    c.row_label(mid, name);
    const std::string color = d.difference_ci.high < 0  ? "#c92a2a"
                              : d.difference_ci.low > 0 ? "#2f9e44"
                                                        : "#495057";
    c.line(c.x(d.difference_ci.low), mid, c.x(d.difference_ci.high), mid, color, 2);
    for (const double end : {d.difference_ci.low, d.difference_ci.high})
      c.line(c.x(end), mid - 5, c.x(end), mid + 5, color, 2);
    c.circle(c.x(d.difference), mid, 5, color, color,
             name + ": " + points_text(d.difference) + ", " + std::to_string(v.regressed.size()) +
                 " regressed, " + std::to_string(v.fixed.size()) + " fixed");
  }
  return c.svg();
}

std::string trend_chart(const std::vector<long long>& runs, const std::vector<TrendPoint>& points,
                        const std::string& metric) {
  if (runs.empty() || points.empty()) return {};
  std::vector<std::string> variants;
  double max_value = 0;
  for (const auto& p : points) {
    if (std::find(variants.begin(), variants.end(), p.variant) == variants.end())
      variants.push_back(p.variant);
    max_value = std::max(max_value, p.has_ci ? p.ci.high : p.value);
  }
  const bool percent = metric == "conformance";
  const auto x_of = [&](long long run) {
    return static_cast<double>(std::find(runs.begin(), runs.end(), run) - runs.begin());
  };
  std::string desc = "The " + metric + " of each variant per run, oldest first:";
  for (const auto& v : variants) {
    desc += " " + v;
    for (const auto& p : points)
      if (p.variant == v)
        desc += " run " + std::to_string(p.run_id) + " " + metric_text(metric, p.value);
    desc += ";";
  }
  std::vector<SvgChart::LegendItem> legend;
  for (std::size_t i = 0; i < variants.size(); ++i)
    legend.push_back({variants[i], std::string(series_color(i))});
  const double top = SvgChart::legend_height(legend, kWidth) + 10;
  const std::string title = percent            ? "Conformance per run (95% interval)"
                            : metric == "cost" ? "Cost per 1k requests per run"
                                               : "p95 latency per run";
  SvgChart c("chart-trend", kWidth, top + 260, title, desc);
  c.set_margins(60, top, 24, 40);
  c.legend(legend);
  std::vector<std::string> labels;
  for (const long long run : runs) labels.push_back("#" + std::to_string(run));
  c.x_categories(labels, "stored runs, oldest first");
  c.y_axis({0, percent ? 1.0 : SvgChart::nice_max(max_value * 1.1),
            percent            ? "conformance"
            : metric == "cost" ? "USD per 1k requests"
                               : "p95 latency (ms)",
            percent, metric == "cost" ? "$" : ""});
  for (std::size_t i = 0; i < variants.size(); ++i) {
    const std::string color(series_color(i));
    std::vector<std::pair<double, double>> line;
    for (const auto& p : points) {
      if (p.variant != variants[i]) continue;
      const double px = c.x(x_of(p.run_id));
      line.emplace_back(px, c.y(p.value));
      if (p.has_ci) c.line(px, c.y(p.ci.low), px, c.y(p.ci.high), color, 1.5);
    }
    c.polyline(line, color, 2);
    for (const auto& p : points)
      if (p.variant == variants[i])
        c.circle(c.x(x_of(p.run_id)), c.y(p.value), 4, color, color,
                 variants[i] + ", run " + std::to_string(p.run_id) + ": " +
                     metric_text(metric, p.value));
  }
  return c.svg();
}

}  // namespace tb
