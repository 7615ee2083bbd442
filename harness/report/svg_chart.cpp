#include "report/svg_chart.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "common/text.hpp"
#include "report/report_text.hpp"

namespace tb {
namespace {

// Coordinates with one decimal: enough for a screen, short in a file with many charts.
std::string n(double v) {
  if (!std::isfinite(v)) return "0";
  return fixed(v, 1);
}

std::string tooltip_element(std::string_view tooltip) {
  return tooltip.empty() ? std::string() : "<title>" + html_escape(tooltip) + "</title>";
}

}  // namespace

SvgChart::SvgChart(std::string id, double width, double height, std::string title,
                   std::string description)
    : id_(std::move(id)),
      width_(width),
      height_(height),
      title_(std::move(title)),
      description_(std::move(description)) {}

void SvgChart::set_margins(double left, double top, double right, double bottom) {
  left_ = left;
  top_ = top;
  right_ = right;
  bottom_ = bottom;
}

// Where a value lies along an axis, 0 at its min and 1 at its max (clamped).
static double axis_fraction(const SvgChart::Axis& axis, double value) {
  double lo = axis.min, hi = axis.max;
  if (axis.log) {
    if (!(lo > 0) || !(hi > lo)) return 0;
    lo = std::log10(lo);
    hi = std::log10(hi);
    value = value > 0 ? std::log10(value) : lo;
  }
  const double span = hi - lo;
  const double t = span > 0 ? (value - lo) / span : 0;
  return std::isfinite(t) ? std::clamp(t, 0.0, 1.0) : 0;
}

double SvgChart::x(double value) const {
  return plot_left() + axis_fraction(x_axis_, value) * (plot_right() - plot_left());
}

double SvgChart::y(double value) const {
  return plot_bottom() - axis_fraction(y_axis_, value) * (plot_bottom() - plot_top());
}

double SvgChart::band_height(int count) const {
  return (plot_bottom() - plot_top()) / std::max(1, count);
}

double SvgChart::band_top(int i, int count) const {
  return plot_top() + i * band_height(count);
}

std::vector<double> SvgChart::ticks(double min, double max, int count) {
  std::vector<double> out;
  if (!(max > min) || count < 1) return {min};
  const double raw = (max - min) / count;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (const double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * magnitude >= raw * (1 - 1e-9)) {  // 0.1 + 1e-17 still takes step 0.1
      step = m * magnitude;
      break;
    }
  for (double v = std::ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step)
    out.push_back(std::abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

double SvgChart::nice_max(double max) {
  if (!(max > 0)) return 1;
  const auto t = ticks(0, max, 5);
  const double step = t.size() > 1 ? t[1] - t[0] : max;
  return std::ceil(max / step - 1e-9) * step;
}

double SvgChart::text_width(std::string_view text, double size) {
  return static_cast<double>(text.size()) * size * 0.58;
}

std::string SvgChart::tick_text(const Axis& axis, double value, double step) const {
  if (axis.log) {
    // Powers of ten: 1, 10, 100, 1k, 10k, 100k, 1M, ... (and 0.1, 0.01 below one).
    static constexpr std::pair<double, const char*> kUnits[] = {{1e9, "B"}, {1e6, "M"}, {1e3, "k"}};
    for (const auto& [unit, suffix] : kUnits)
      if (value >= unit * 0.999) return axis.prefix + fixed(value / unit, 0) + suffix;
    return axis.prefix +
           (value >= 0.999 ? fixed(value, 0)
                           : fixed(value, static_cast<int>(std::ceil(-std::log10(value) - 1e-9))));
  }
  if (axis.percent) return fixed(value * 100, step * 100 < 1 ? 1 : 0) + "%";
  int decimals = 0;
  while (decimals < 4 && step * std::pow(10.0, decimals) < 0.999) ++decimals;
  const std::string number = decimals == 0 && std::abs(value) >= 1000
                                 ? with_thousands(std::llround(value))
                                 : fixed(value, decimals);
  return axis.prefix + number;
}

// Powers of ten within [min, max], for a log axis.
static std::vector<double> decades(double min, double max) {
  std::vector<double> out;
  if (!(min > 0) || !(max > min)) return out;
  for (double e = std::ceil(std::log10(min) - 1e-9); e <= std::log10(max) + 1e-9; ++e)
    out.push_back(std::pow(10.0, e));
  return out;
}

void SvgChart::x_axis(const Axis& axis, int count) {
  x_axis_ = axis;
  const auto t = axis.log ? decades(axis.min, axis.max) : ticks(axis.min, axis.max, count);
  const double step = t.size() > 1 ? t[1] - t[0] : 1;
  for (const double v : t) {
    line(x(v), plot_top(), x(v), plot_bottom(), "#e3e6ee");
    text(x(v), plot_bottom() + 15, tick_text(axis, v, step), "middle", 12, "#556");
  }
  line(plot_left(), plot_bottom(), plot_right(), plot_bottom(), "#8a94a6");
  if (!axis.label.empty())
    text((plot_left() + plot_right()) / 2, height_ - 6, axis.label, "middle", 12, "#334");
}

void SvgChart::y_axis(const Axis& axis, int count) {
  y_axis_ = axis;
  const auto t = axis.log ? decades(axis.min, axis.max) : ticks(axis.min, axis.max, count);
  const double step = t.size() > 1 ? t[1] - t[0] : 1;
  for (const double v : t) {
    line(plot_left(), y(v), plot_right(), y(v), "#e3e6ee");
    text(plot_left() - 6, y(v) + 4, tick_text(axis, v, step), "end", 12, "#556");
  }
  line(plot_left(), plot_top(), plot_left(), plot_bottom(), "#8a94a6");
  if (!axis.label.empty())
    body_ += "<text x=\"12\" y=\"" + n((plot_top() + plot_bottom()) / 2) +
             "\" font-size=\"12\" fill=\"#334\" text-anchor=\"middle\" transform=\"rotate(-90 12 " +
             n((plot_top() + plot_bottom()) / 2) + ")\">" + html_escape(axis.label) + "</text>";
}

void SvgChart::x_categories(const std::vector<std::string>& labels, std::string_view axis_label) {
  const double last = labels.size() > 1 ? static_cast<double>(labels.size() - 1) : 1;
  x_axis_ = Axis{-0.3, last + 0.3, std::string(axis_label)};
  double widest = 1;
  for (const auto& l : labels) widest = std::max(widest, text_width(l, 12) + 8);
  const double room =
      (plot_right() - plot_left()) / std::max<double>(1, static_cast<double>(labels.size()));
  const std::size_t every = static_cast<std::size_t>(std::ceil(widest / std::max(1.0, room)));
  for (std::size_t i = 0; i < labels.size(); i += std::max<std::size_t>(1, every)) {
    const double at = x(static_cast<double>(i));
    line(at, plot_top(), at, plot_bottom(), "#e3e6ee");
    text(at, plot_bottom() + 15, labels[i], "middle", 12, "#556");
  }
  line(plot_left(), plot_bottom(), plot_right(), plot_bottom(), "#8a94a6");
  if (!axis_label.empty())
    text((plot_left() + plot_right()) / 2, height_ - 6, axis_label, "middle", 12, "#334");
}

void SvgChart::row_label(double y, std::string_view label, bool bold) {
  body_ += "<text x=\"" + n(plot_left() - 8) + "\" y=\"" + n(y + 4) +
           "\" font-size=\"13\" text-anchor=\"end\" fill=\"#1d2330\"" +
           (bold ? " font-weight=\"600\"" : "") + ">" + html_escape(label) + "</text>";
}

void SvgChart::rect(double x, double y, double w, double h, std::string_view fill,
                    std::string_view tooltip) {
  body_ += "<rect x=\"" + n(x) + "\" y=\"" + n(y) + "\" width=\"" + n(std::max(0.0, w)) +
           "\" height=\"" + n(std::max(0.0, h)) + "\" fill=\"" + std::string(fill) + "\">" +
           tooltip_element(tooltip) + "</rect>";
}

void SvgChart::line(double x1, double y1, double x2, double y2, std::string_view stroke,
                    double width, bool dashed) {
  body_ += "<line x1=\"" + n(x1) + "\" y1=\"" + n(y1) + "\" x2=\"" + n(x2) + "\" y2=\"" + n(y2) +
           "\" stroke=\"" + std::string(stroke) + "\" stroke-width=\"" + n(width) + "\"" +
           (dashed ? " stroke-dasharray=\"4 3\"" : "") + "/>";
}

void SvgChart::circle(double cx, double cy, double r, std::string_view fill,
                      std::string_view stroke, std::string_view tooltip) {
  body_ += "<circle cx=\"" + n(cx) + "\" cy=\"" + n(cy) + "\" r=\"" + n(r) + "\" fill=\"" +
           std::string(fill) + "\" stroke=\"" + std::string(stroke) + "\" stroke-width=\"1.5\">" +
           tooltip_element(tooltip) + "</circle>";
}

void SvgChart::polyline(const std::vector<std::pair<double, double>>& points,
                        std::string_view stroke, double width, bool dashed) {
  if (points.size() < 2) return;
  std::string list;
  for (const auto& [px, py] : points) list += (list.empty() ? "" : " ") + n(px) + "," + n(py);
  body_ += "<polyline points=\"" + list + "\" fill=\"none\" stroke=\"" + std::string(stroke) +
           "\" stroke-width=\"" + n(width) + "\"" + (dashed ? " stroke-dasharray=\"5 4\"" : "") +
           "/>";
}

double SvgChart::stacked_bar(double top, double h, const std::vector<Segment>& segments) {
  double at = 0;
  for (const auto& s : segments) {
    rect(x(at), top, x(at + s.value) - x(at), h, s.color, s.tooltip);
    at += s.value;
  }
  return at;
}

void SvgChart::text(double x, double y, std::string_view label, std::string_view anchor,
                    double size, std::string_view fill) {
  body_ += "<text x=\"" + n(x) + "\" y=\"" + n(y) + "\" font-size=\"" + n(size) +
           "\" text-anchor=\"" + std::string(anchor) + "\" fill=\"" + std::string(fill) + "\">" +
           html_escape(label) + "</text>";
}

namespace {

// Where each legend item goes: rows of keys from the left edge, wrapped at the frame's width.
template <typename Fn>
double lay_out_legend(const std::vector<SvgChart::LegendItem>& items, double width, Fn&& place) {
  double at = 8;
  double row = 12;
  for (const auto& item : items) {
    const double w = 16 + SvgChart::text_width(item.label, 11) + 14;
    if (at + w > width - 4 && at > 8) {
      at = 8;
      row += 16;
    }
    place(item, at, row);
    at += w;
  }
  return items.empty() ? 0 : row + 8;
}

}  // namespace

double SvgChart::legend_height(const std::vector<LegendItem>& items, double width) {
  return lay_out_legend(items, width, [](const LegendItem&, double, double) {});
}

void SvgChart::legend(const std::vector<LegendItem>& items) {
  lay_out_legend(items, width_, [&](const LegendItem& item, double at, double row) {
    rect(at, row - 9, 10, 10, item.color);
    text(at + 14, row, item.label, "start", 11, "#334");
  });
}

std::string SvgChart::svg() const {
  return "<svg class=\"chart\" id=\"" + html_escape(id_) + "\" viewBox=\"0 0 " + n(width_) + " " +
         n(height_) + "\" width=\"" + n(width_) + "\" height=\"" + n(height_) +
         "\" role=\"img\" aria-labelledby=\"" + html_escape(id_) + "-t " + html_escape(id_) +
         "-d\" xmlns=\"http://www.w3.org/2000/svg\" font-family=\"system-ui,sans-serif\">"
         "<title id=\"" +
         html_escape(id_) + "-t\">" + html_escape(title_) + "</title><desc id=\"" +
         html_escape(id_) + "-d\">" + html_escape(description_) + "</desc>" + body_ + "</svg>";
}

std::string_view series_color(std::size_t i) {
  static constexpr std::array<std::string_view, kSeriesColors> kColors{
      "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#d55e00", "#56b4e9", "#666666", "#000000"};
  return kColors[i % kColors.size()];
}

std::string_view conformance_color(double fraction01) {
  if (fraction01 >= 0.9) return "#2f9e44";
  if (fraction01 >= 0.7) return "#d98e04";
  return "#c92a2a";
}

}  // namespace tb
