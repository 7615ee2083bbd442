#include "report/sweep_chart.hpp"

#include <algorithm>

#include "analysis/checkpoint_sweep.hpp"
#include "common/text.hpp"
#include "report/report_text.hpp"
#include "report/svg_chart.hpp"

namespace tb {
namespace {

constexpr double kWidth = 480;

std::string point_text(const VariantSummary& v) {
  const auto& r = v.variant;
  return r.id + ": step " + with_thousands(*r.checkpoint_step) +
         (r.training_loss ? ", training loss " + fixed(*r.training_loss, 3) : "") +
         ", conformance " + format_pct(v.conformance) + " (95% CI " +
         format_pct(v.conformance_ci.low) + " to " + format_pct(v.conformance_ci.high) + ")";
}

std::string sweep_chart(const RunSummary& summary, const CheckpointSweep& sweep, int n) {
  std::vector<const VariantSummary*> points;
  for (const std::size_t i : sweep.variants)
    if (summary.variants[i].variant.checkpoint_step) points.push_back(&summary.variants[i]);
  if (points.empty()) return {};
  std::string desc =
      "Conformance of " + sweep.of + " at each training step, with its 95% interval:";
  for (const auto* v : points) desc += " " + point_text(*v) + ";";
  long long max_step = 1;
  for (const auto* v : points) max_step = std::max(max_step, *v->variant.checkpoint_step);
  SvgChart c("chart-sweep-" + std::to_string(n), kWidth, 280,
             "Checkpoint sweep " + sweep.of + ": conformance by training step", desc);
  c.set_margins(56, 16, 24, 44);
  c.x_axis({0, SvgChart::nice_max(static_cast<double>(max_step)), "training step"});
  c.y_axis({0, 1, "conformance", true});
  // The baseline's level, for the question a sweep asks: from which step on is it reached?
  if (const auto* base = summary.find(summary.baseline);
      base && base->variant.sweep_of != sweep.of && base->results > 0) {
    const double by = c.y(base->conformance);
    c.line(c.plot_left(), by, c.plot_right(), by, "#868e96", 1, true);
    c.text(c.plot_left() + 4, by - 4,
           base->variant.id + " (baseline) " + format_pct(base->conformance), "start", 11, "#556");
  }
  std::vector<std::pair<double, double>> line;
  for (const auto* v : points)
    line.emplace_back(c.x(static_cast<double>(*v->variant.checkpoint_step)), c.y(v->conformance));
  c.polyline(line, "#3b5bdb", 1.5);
  for (const auto* v : points) {
    const double px = c.x(static_cast<double>(*v->variant.checkpoint_step));
    const double lo = c.y(v->conformance_ci.low), hi = c.y(v->conformance_ci.high);
    c.line(px, lo, px, hi, "#1d2330", 1.5);
    for (const double end : {lo, hi}) c.line(px - 4, end, px + 4, end, "#1d2330", 1.5);
    c.circle(px, c.y(v->conformance), 5, conformance_color(v->conformance), "#1d2330",
             point_text(*v));
  }
  return c.svg();
}

}  // namespace

std::string checkpoint_sweep_figures(const RunSummary& summary) {
  std::string out;
  int n = 0;
  for (const auto& sweep : checkpoint_sweeps(summary)) {
    const std::string svg = sweep_chart(summary, sweep, n++);
    if (svg.empty()) continue;
    out += "<figure>" + svg + "<figcaption>" +
           html_escape("Each point is one checkpoint of " + sweep.of +
                       " (coloured by level); the bar is its 95% interval; the dashed line is "
                       "the baseline's conformance.") +
           "</figcaption></figure>\n";
  }
  return out;
}

}  // namespace tb
