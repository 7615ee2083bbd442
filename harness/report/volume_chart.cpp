#include "report/volume_chart.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "common/text.hpp"
#include "report/report_text.hpp"
#include "report/svg_chart.hpp"

namespace tb {
namespace {

constexpr double kWidth = 480;

std::string volume_text(double monthly) {
  return format_count(monthly) + " requests a month";
}

std::string interval_text(const Interval& ci) {
  return format_count(ci.low) + " to " +
         (std::isfinite(ci.high) ? format_count(ci.high) : std::string("never"));
}

}  // namespace

std::string monthly_cost_chart(const RunSummary& summary) {
  const auto& sweep = summary.sweep;
  const auto& candidates = summary.candidates;
  if (sweep.size() < 2 || candidates.empty()) return {};
  const int horizon = std::max(1, summary.decide.horizon_months);
  const auto monthly_cost = [&](std::size_t i, double volume) {
    return candidates[i].one_time_usd / horizon + candidates[i].cost_per_request * volume;
  };
  double lo = 0, hi = 0;
  for (const auto& p : sweep)
    for (const double cost : p.monthly_cost)
      if (cost > 0) {
        lo = lo > 0 ? std::min(lo, cost) : cost;
        hi = std::max(hi, cost);
      }
  if (!(hi > 0)) return {};
  // Whole decades around the costs drawn.
  lo = std::pow(10.0, std::floor(std::log10(lo)));
  hi = std::pow(10.0, std::ceil(std::log10(hi)));
  if (hi <= lo) hi = lo * 10;

  // Which strategy's break-evens to mark: the verdict's winner, else the baseline.
  std::optional<std::size_t> anchor;
  if (summary.verdict && summary.verdict->winner) anchor = summary.verdict->winner;
  for (std::size_t i = 0; !anchor && i < candidates.size(); ++i)
    if (candidates[i].variant == summary.baseline) anchor = i;
  const auto excluded = [&](std::size_t i) {
    if (!summary.verdict) return false;
    for (const auto& e : summary.verdict->entries)
      if (e.candidate == i) return e.excluded != Exclusion::none;
    return false;
  };

  std::string desc = "Monthly cost against monthly requests (one-time costs spread over " +
                     (horizon == 1 ? std::string("1 month") : std::to_string(horizon) + " months") +
                     "):";
  for (std::size_t i = 0; i < candidates.size(); ++i)
    desc += " " + candidates[i].variant + " " + format_usd(sweep.front().monthly_cost[i]) + " at " +
            format_count(static_cast<double>(sweep.front().monthly_requests)) + ", " +
            format_usd(sweep.back().monthly_cost[i]) + " at " +
            format_count(static_cast<double>(sweep.back().monthly_requests)) +
            (excluded(i) ? " (not eligible)" : "") + ";";
  struct Mark {
    double volume, cost;
    std::string text;
  };
  std::vector<Mark> marks;
  if (anchor)
    for (const auto& pair : summary.costs.pairs) {
      if ((pair.a != *anchor && pair.b != *anchor) || !pair.monthly_requests) continue;
      const double volume = *pair.monthly_requests;
      if (volume < static_cast<double>(sweep.front().monthly_requests) ||
          volume > static_cast<double>(sweep.back().monthly_requests))
        continue;
      const std::string& a = candidates[pair.a].variant;
      const std::string& b = candidates[pair.b].variant;
      marks.push_back({volume, monthly_cost(pair.a, volume),
                       a + " is cheaper than " + b + " above " + volume_text(volume) +
                           " (95% interval " + interval_text(pair.ci) + ")"});
    }
  for (const auto& m : marks) desc += " break-even: " + m.text + ";";
  const double volume = static_cast<double>(summary.decide.monthly_requests);
  desc += " the suite's volume is " + volume_text(volume) + ".";

  std::vector<SvgChart::LegendItem> legend;
  for (std::size_t i = 0; i < candidates.size(); ++i)
    legend.push_back({candidates[i].variant + (excluded(i) ? " (not eligible)" : ""),
                      std::string(series_color(i))});
  const double top = SvgChart::legend_height(legend, kWidth) + 10;
  SvgChart c("chart-volume", kWidth, top + 300, "Monthly cost against volume", desc);
  c.set_margins(56, top, 24, 40);
  c.legend(legend);
  SvgChart::Axis x_axis{static_cast<double>(sweep.front().monthly_requests),
                        static_cast<double>(sweep.back().monthly_requests),
                        "requests a month (log scale)"};
  x_axis.log = true;
  SvgChart::Axis y_axis{lo, hi, "cost a month (log scale)", false, "$"};
  y_axis.log = true;
  c.x_axis(x_axis);
  c.y_axis(y_axis);
  if (volume >= x_axis.min && volume <= x_axis.max) {
    c.line(c.x(volume), c.plot_top(), c.x(volume), c.plot_bottom(), "#1d2330", 1, true);
    c.text(c.x(volume) + 4, c.plot_top() + 12, "your volume", "start", 11, "#334");
  }
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    std::vector<std::pair<double, double>> points;
    for (const auto& p : sweep)
      points.emplace_back(c.x(static_cast<double>(p.monthly_requests)), c.y(p.monthly_cost[i]));
    c.polyline(points, series_color(i), excluded(i) ? 1.5 : 2.5, excluded(i) || i >= kSeriesColors);
  }
  for (const auto& m : marks) c.circle(c.x(m.volume), c.y(m.cost), 5, "#ffffff", "#1d2330", m.text);
  return c.svg();
}

}  // namespace tb
