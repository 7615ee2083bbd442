#include "report/run_charts.hpp"

#include <algorithm>
#include <array>

#include "common/text.hpp"
#include "report/report_text.hpp"
#include "report/svg_chart.hpp"

namespace tb {
namespace {

constexpr double kWidth = 480;
constexpr double kRow = 28;  // one variant's row in a horizontal chart

// Room for the variant names left of a horizontal chart's plot area.
double label_margin(const RunSummary& summary) {
  double widest = 40;
  for (const auto& v : summary.variants)
    widest = std::max(widest, SvgChart::text_width(v.variant.id, 13));
  return std::min(widest + 14, kWidth * 0.4);
}

// A horizontal chart's height: its legend, a row per variant and the x axis.
double rows_height(const RunSummary& summary, double legend) {
  return legend + 8 + kRow * static_cast<double>(summary.variants.size()) + 40;
}

// A label's extent, to keep a scatter plot's names apart.
struct Box {
  double x0, y0, x1, y1;
  bool overlaps(const Box& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
};

void variant_labels(SvgChart& c, const RunSummary& summary) {
  const int count = static_cast<int>(summary.variants.size());
  for (int i = 0; i < count; ++i) {
    const auto& v = summary.variants[static_cast<std::size_t>(i)];
    c.row_label(c.band_top(i, count) + c.band_height(count) / 2, v.variant.id,
                v.variant.id == summary.baseline);
  }
}

}  // namespace

std::string conformance_chart(const RunSummary& summary) {
  if (summary.variants.empty()) return {};
  std::string desc = "Share of results that passed every required check, with the 95% interval:";
  for (const auto& v : summary.variants)
    desc += " " + v.variant.id + " " + format_pct(v.conformance) + " (" +
            format_pct(v.conformance_ci.low) + " to " + format_pct(v.conformance_ci.high) + ");";
  const std::vector<SvgChart::LegendItem> legend{
      {"90% and above", std::string(conformance_color(0.95))},
      {"70% to 90%", std::string(conformance_color(0.8))},
      {"below 70%", std::string(conformance_color(0.1))}};
  const double top = SvgChart::legend_height(legend, kWidth) + 8;
  SvgChart c("chart-conformance", kWidth, rows_height(summary, top - 8),
             "Conformance per variant (95% interval)", desc);
  c.set_margins(label_margin(summary), top, 52, 36);
  c.legend(legend);
  c.x_axis({0, 1, "conformance (share of results passing every required check)", true});
  variant_labels(c, summary);
  const int count = static_cast<int>(summary.variants.size());
  for (int i = 0; i < count; ++i) {
    const auto& v = summary.variants[static_cast<std::size_t>(i)];
    const double top = c.band_top(i, count) + 6;
    const double h = c.band_height(count) - 12;
    const double mid = top + h / 2;
    c.rect(c.x(0), top, c.x(v.conformance) - c.x(0), h, conformance_color(v.conformance),
           v.variant.id + ": " + format_pct(v.conformance) + " (" + std::to_string(v.conformant) +
               " of " + std::to_string(v.results) + ")");
    c.line(c.x(v.conformance_ci.low), mid, c.x(v.conformance_ci.high), mid, "#1d2330", 1.5);
    for (const double end : {v.conformance_ci.low, v.conformance_ci.high})
      c.line(c.x(end), mid - 5, c.x(end), mid + 5, "#1d2330", 1.5);
    c.text(c.plot_right() + 6, mid + 4, format_pct(v.conformance), "start", 12);
  }
  return c.svg();
}

std::string cost_conformance_chart(const RunSummary& summary) {
  if (summary.variants.empty()) return {};
  // The front: sorted by cost (then by conformance, best first), a variant is on it when it
  // is more conformant than every cheaper one.
  std::vector<const VariantSummary*> order;
  for (const auto& v : summary.variants) order.push_back(&v);
  std::sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
    return a->cost_per_1k != b->cost_per_1k ? a->cost_per_1k < b->cost_per_1k
                                            : a->conformance > b->conformance;
  });
  std::vector<const VariantSummary*> front;
  for (const auto* v : order)
    if (front.empty() || v->conformance > front.back()->conformance) front.push_back(v);
  const auto on_front = [&](const VariantSummary* v) {
    return std::find(front.begin(), front.end(), v) != front.end();
  };
  std::string desc = "Each variant's cost per 1,000 requests against its conformance;";
  for (const auto* v : order)
    desc += " " + v->variant.id + " " + format_usd(v->cost_per_1k) + ", " +
            format_pct(v->conformance) + (on_front(v) ? " (Pareto front)" : "") + ";";
  desc +=
      " the Pareto front holds the variants no other variant beats on both cost and conformance.";

  double max_cost = 0;
  for (const auto& v : summary.variants) max_cost = std::max(max_cost, v.cost_per_1k);
  SvgChart c("chart-cost", kWidth, 300, "Cost per 1k requests vs conformance", desc);
  c.set_margins(
      56,
      SvgChart::legend_height(
          {{"Pareto front", ""}, {"dominated by a cheaper, more conformant variant", ""}}, kWidth) +
          10,
      24, 40);
  c.legend({{"Pareto front", "#3b5bdb"},
            {"dominated by a cheaper, more conformant variant", "#adb5bd"}});
  c.x_axis({0, SvgChart::nice_max(max_cost * 1.1), "cost per 1,000 requests", false, "$"});
  c.y_axis({0, 1, "conformance", true});
  std::vector<std::pair<double, double>> line;
  for (const auto* v : front) line.emplace_back(c.x(v->cost_per_1k), c.y(v->conformance));
  c.polyline(line, "#3b5bdb", 1.5, true);
  // Points first, so that no name is placed over any point, then the names.
  std::vector<Box> placed;
  for (const auto* v : order) {
    const bool best = on_front(v);
    const double px = c.x(v->cost_per_1k), py = c.y(v->conformance);
    c.circle(px, py, 5, best ? "#3b5bdb" : "#ffffff", best ? "#3b5bdb" : "#868e96",
             v->variant.id + ": " + format_usd(v->cost_per_1k) + " per 1k, " +
                 format_pct(v->conformance));
    placed.push_back({px - 6, py - 6, px + 6, py + 6});
  }
  // Each name beside its point where it covers no name or point placed before it: close by
  // (right or left, level, above, below), else further up or down with a line to its point.
  struct Place {
    double dx, dy;
    bool right;
  };
  static constexpr Place kPlaces[] = {
      {8, 4, true},    {8, -6, true},   {8, 14, true},     {-8, 4, false},    {-8, -6, false},
      {-8, 14, false}, {14, -20, true}, {14, 28, true},    {-14, -20, false}, {-14, 28, false},
      {14, -34, true}, {14, 42, true},  {-14, -34, false}, {-14, 42, false}};
  for (const auto* v : order) {
    const bool best = on_front(v);
    const double px = c.x(v->cost_per_1k), py = c.y(v->conformance);
    const double w = SvgChart::text_width(v->variant.id, 11);
    const Place* chosen = nullptr;
    for (const auto& p : kPlaces) {
      const double x0 = p.right ? px + p.dx : px + p.dx - w;
      const Box box{x0, py + p.dy - 10, x0 + w, py + p.dy + 2};
      if (box.x0 < c.plot_left() || box.x1 > c.plot_right() + 20 || box.y0 < 0 ||
          box.y1 > c.plot_bottom())
        continue;
      if (std::none_of(placed.begin(), placed.end(),
                       [&](const Box& o) { return box.overlaps(o); })) {
        chosen = &p;
        placed.push_back(box);
        break;
      }
    }
    if (chosen == nullptr) chosen = px + 8 + w > c.plot_right() ? &kPlaces[4] : &kPlaces[1];
    if (std::abs(chosen->dy) > 16)  // a name moved away points back to its point
      c.line(px + (chosen->right ? 4 : -4), py + (chosen->dy < 0 ? -4 : 4), px + chosen->dx,
             py + chosen->dy + (chosen->dy < 0 ? 0 : -10), "#868e96");
    c.text(px + chosen->dx, py + chosen->dy, v->variant.id, chosen->right ? "start" : "end", 11,
           best ? "#1d2330" : "#667");
  }
  return c.svg();
}

std::string latency_chart(const RunSummary& summary) {
  double max_ms = 0;
  for (const auto& v : summary.variants)
    if (v.ok > 0) max_ms = std::max(max_ms, v.latency_p99);
  if (max_ms <= 0) return {};
  std::string desc = "Latency per answered request in ms:";
  for (const auto& v : summary.variants)
    desc += v.ok == 0 ? " " + v.variant.id + " no answers;"
                      : " " + v.variant.id + " p5 " + fixed(v.latency_p5, 0) + ", p25 " +
                            fixed(v.latency_p25, 0) + ", median " + fixed(v.latency_p50, 0) +
                            ", p75 " + fixed(v.latency_p75, 0) + ", p95 " +
                            fixed(v.latency_p95, 0) + ", p99 " + fixed(v.latency_p99, 0) + ";";
  const std::vector<SvgChart::LegendItem> legend{{"p25 to p75, line at the median", "#a5d8ff"},
                                                 {"whiskers p5 to p95, ring at p99", "#1d2330"}};
  const double top = SvgChart::legend_height(legend, kWidth) + 8;
  SvgChart c("chart-latency", kWidth, rows_height(summary, top - 8), "Latency per variant", desc);
  c.set_margins(label_margin(summary), top, 20, 36);
  c.legend(legend);
  c.x_axis({0, SvgChart::nice_max(max_ms), "latency (ms)"});
  variant_labels(c, summary);
  const int count = static_cast<int>(summary.variants.size());
  for (int i = 0; i < count; ++i) {
    const auto& v = summary.variants[static_cast<std::size_t>(i)];
    const double top = c.band_top(i, count) + 6;
    const double h = c.band_height(count) - 12;
    const double mid = top + h / 2;
    if (v.ok == 0) {
      c.text(c.plot_left() + 4, mid + 4, "no answers", "start", 11, "#667");
      continue;
    }
    c.line(c.x(v.latency_p5), mid, c.x(v.latency_p95), mid, "#1d2330");
    for (const double end : {v.latency_p5, v.latency_p95})
      c.line(c.x(end), mid - 4, c.x(end), mid + 4, "#1d2330");
    c.rect(c.x(v.latency_p25), top, c.x(v.latency_p75) - c.x(v.latency_p25), h, "#a5d8ff",
           v.variant.id + ": median " + fixed(v.latency_p50, 0) + " ms");
    c.line(c.x(v.latency_p50), top, c.x(v.latency_p50), top + h, "#1864ab", 2.5);
    c.circle(c.x(v.latency_p99), mid, 3.5, "#ffffff", "#1d2330",
             "p99 " + fixed(v.latency_p99, 0) + " ms");
  }
  return c.svg();
}

std::string prompt_tokens_chart(const RunSummary& summary) {
  double max_tokens = 0;
  for (const auto& v : summary.variants) max_tokens = std::max(max_tokens, v.prompt_tokens_mean);
  if (max_tokens <= 0) return {};
  bool any_split = false;
  for (const auto& v : summary.variants) any_split |= v.split_results > 0;
  std::string desc = "Mean prompt tokens per request";
  desc += any_split ? " (instructions / context / the case's own messages):" : ":";
  for (const auto& v : summary.variants) {
    desc += " " + v.variant.id + " " + format_count(v.prompt_tokens_mean);
    if (v.split_results > 0)
      desc += " (" + format_count(v.instruction_tokens_mean) + " / " +
              format_count(v.context_tokens_mean) + " / " + format_count(v.case_tokens_mean) + ")";
    desc += ";";
  }
  std::vector<SvgChart::LegendItem> legend;
  if (any_split)
    legend = {{"instructions", "#4a7bd8"},
              {"context (retrieved passages, examples)", "#e8a33d"},
              {"the case", "#8a94a6"}};
  else
    legend = {{"prompt tokens", "#4a7bd8"}};
  const double top = SvgChart::legend_height(legend, kWidth) + 8;
  SvgChart c("chart-prompt", kWidth, rows_height(summary, top - 8), "Prompt tokens per variant",
             desc);
  c.set_margins(label_margin(summary), top, 52, 36);
  c.legend(legend);
  c.x_axis({0, SvgChart::nice_max(max_tokens), "mean prompt tokens per request"});
  variant_labels(c, summary);
  const int count = static_cast<int>(summary.variants.size());
  for (int i = 0; i < count; ++i) {
    const auto& v = summary.variants[static_cast<std::size_t>(i)];
    const double top = c.band_top(i, count) + 6;
    const double h = c.band_height(count) - 12;
    if (v.split_results > 0) {
      // The parts are local counts; scaled to the mean so that the bar's length is the mean.
      const double parts = v.instruction_tokens_mean + v.context_tokens_mean + v.case_tokens_mean;
      const double scale = parts > 0 ? v.prompt_tokens_mean / parts : 0;
      static constexpr const char* kNames[] = {"instructions", "context", "case"};
      const std::array<double, 3> parts_mean{v.instruction_tokens_mean, v.context_tokens_mean,
                                             v.case_tokens_mean};
      const std::array<std::string_view, 3> colors{"#4a7bd8", "#e8a33d", "#8a94a6"};
      std::vector<SvgChart::Segment> segments;
      for (std::size_t k = 0; k < parts_mean.size(); ++k)
        segments.push_back(
            {parts_mean[k] * scale, colors[k],
             v.variant.id + " " + kNames[k] + ": " + format_count(parts_mean[k]) + " tokens"});
      c.stacked_bar(top, h, segments);
    } else {
      c.rect(c.x(0), top, c.x(v.prompt_tokens_mean) - c.x(0), h, "#4a7bd8",
             v.variant.id + ": " + format_count(v.prompt_tokens_mean) + " tokens");
    }
    c.text(c.x(v.prompt_tokens_mean) + 6, top + h / 2 + 4, format_count(v.prompt_tokens_mean),
           "start", 12);
  }
  return c.svg();
}

std::string failure_kinds_chart(const RunSummary& summary) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 10> kKinds{{
      {"not_json", "#c92a2a"},
      {"fenced", "#e8590c"},
      {"prose_wrapped", "#f59f00"},
      {"truncated", "#9c36b5"},
      {"wrong_type", "#1971c2"},
      {"missing_property", "#0c8599"},
      {"extra_property", "#5c940d"},
      {"enum_mismatch", "#e64980"},
      {"other", "#868e96"},
      {"error", "#343a40"},
  }};
  std::vector<SvgChart::LegendItem> legend;
  double max_share = 0;
  for (const auto& [kind, color] : kKinds) {
    bool present = false;
    for (const auto& v : summary.variants) present |= v.failure_kinds.contains(std::string(kind));
    if (present) legend.push_back({std::string(kind), std::string(color)});
  }
  if (legend.empty()) return {};
  std::string desc = "Share of each variant's results by why the answer failed:";
  for (const auto& v : summary.variants) {
    const double n = std::max<double>(1, static_cast<double>(v.results));
    double share = 0;
    desc += " " + v.variant.id;
    for (const auto& [kind, count] : v.failure_kinds)
      if (kind != "none") {
        desc += " " + kind + " " + format_pct(static_cast<double>(count) / n);
        share += static_cast<double>(count) / n;
      }
    if (v.failure_kinds.empty() || share == 0) desc += " none";
    desc += ";";
    max_share = std::max(max_share, share);
  }
  const int legend_rows = legend.size() > 4 ? 2 : 1;
  SvgChart c("chart-failures", kWidth, rows_height(summary, legend_rows),
             "Failure kinds per variant", desc);
  c.set_margins(label_margin(summary), 12 + 16.0 * legend_rows, 52, 36);
  c.legend(legend);
  c.x_axis(
      {0, std::min(1.0, SvgChart::nice_max(std::max(max_share, 0.05))), "share of results", true});
  variant_labels(c, summary);
  const int count = static_cast<int>(summary.variants.size());
  for (int i = 0; i < count; ++i) {
    const auto& v = summary.variants[static_cast<std::size_t>(i)];
    const double n = std::max<double>(1, static_cast<double>(v.results));
    const double top = c.band_top(i, count) + 6;
    const double h = c.band_height(count) - 12;
    std::vector<SvgChart::Segment> segments;
    for (const auto& [kind, color] : kKinds) {
      const auto it = v.failure_kinds.find(std::string(kind));
      if (it == v.failure_kinds.end()) continue;
      const double share = static_cast<double>(it->second) / n;
      segments.push_back({share, color,
                          v.variant.id + " " + std::string(kind) + ": " +
                              std::to_string(it->second) + " (" + format_pct(share) + ")"});
    }
    const double at = c.stacked_bar(top, h, segments);
    c.text(c.x(at) + 6, top + h / 2 + 4, at > 0 ? format_pct(at) : "none", "start", 12);
  }
  return c.svg();
}

}  // namespace tb
