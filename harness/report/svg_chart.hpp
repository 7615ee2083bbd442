#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tb {

// One inline SVG chart, drawn by hand: a frame of width x height user units that scales down
// with its container (never wider than the page), a <title> and a <desc> as its text
// alternative, linear axes with ticks and labels, and a few primitives placed in data
// coordinates. The run, compare and trend reports build their charts from these pieces, so
// they look alike and need no chart library, no script and no network.
//
//   SvgChart c("conformance", 560, 260, "Conformance per variant", "base 60% ...");
//   c.set_margins(120, 16, 40, 36);
//   c.x_axis({0, 1, "conformance", percent_ticks});
//   c.rect(c.x(0), c.band_top(0, 3), c.x(0.6) - c.x(0), c.band_height(3), "#2f9e44", "base 60%");
//   out << c.svg();
class SvgChart {
 public:
  struct Axis {
    Axis() = default;
    Axis(double lo, double hi, std::string axis_label, bool percent_ticks = false,
         std::string tick_prefix = {})
        : min(lo),
          max(hi),
          label(std::move(axis_label)),
          percent(percent_ticks),
          prefix(std::move(tick_prefix)) {}

    double min = 0;
    double max = 1;
    std::string label;
    bool percent = false;  // ticks read 0%, 25%, ... (values are fractions)
    std::string prefix;    // before each tick's number, e.g. "$"
    // Logarithmic (min > 0): ticks at powers of ten, read compactly (1k, 10M, $100).
    bool log = false;
  };
  struct LegendItem {
    std::string label;
    std::string color;
  };
  // One part of a stacked bar: its length in x-axis units, fill and hover text.
  struct Segment {
    double value;
    std::string_view color;
    std::string tooltip;
  };

  SvgChart(std::string id, double width, double height, std::string title, std::string description);

  // The plot area's distance from the frame's edges (room for labels and the legend).
  void set_margins(double left, double top, double right, double bottom);
  // Draws the axis with gridlines, about `ticks` "nice" ticks and its label.
  void x_axis(const Axis& axis, int ticks = 5);
  void y_axis(const Axis& axis, int ticks = 5);
  // A categorical x axis: positions 0 .. labels.size()-1, each labelled below the plot area
  // (every k-th when they would crowd), with the axis label under them.
  void x_categories(const std::vector<std::string>& labels, std::string_view axis_label);
  // Data to user units, along the axes set above (the y axis grows upwards).
  double x(double value) const;
  double y(double value) const;
  // Rows of a categorical axis down the plot area (horizontal bar charts): row i of n.
  double band_top(int i, int n) const;
  double band_height(int n) const;
  // A label left of the plot area, right-aligned, vertically centred on y.
  void row_label(double y, std::string_view text, bool bold = false);

  double plot_left() const { return left_; }
  double plot_right() const { return width_ - right_; }
  double plot_top() const { return top_; }
  double plot_bottom() const { return height_ - bottom_; }

  // Primitives in user units; `tooltip` becomes the element's <title> (hover text).
  void rect(double x, double y, double w, double h, std::string_view fill,
            std::string_view tooltip = {});
  void line(double x1, double y1, double x2, double y2, std::string_view stroke, double width = 1,
            bool dashed = false);
  void circle(double cx, double cy, double r, std::string_view fill, std::string_view stroke,
              std::string_view tooltip = {});
  void polyline(const std::vector<std::pair<double, double>>& points, std::string_view stroke,
                double width = 1.5, bool dashed = false);
  // A horizontal bar of consecutive segments from x = 0 in the band [top, top + h]; returns
  // where it ends (the segments' sum) so the caller can label it.
  double stacked_bar(double top, double h, const std::vector<Segment>& segments);
  void text(double x, double y, std::string_view text, std::string_view anchor = "start",
            double size = 12, std::string_view fill = "#1d2330");
  // Rows of coloured keys along the top margin, from the frame's left edge.
  void legend(const std::vector<LegendItem>& items);
  // How tall legend() draws these items in a frame this wide: the top margin they need.
  static double legend_height(const std::vector<LegendItem>& items, double width);

  // The finished <svg> element.
  std::string svg() const;

  // "Nice" tick values (1, 2, 2.5 or 5 times a power of ten) covering [min, max].
  static std::vector<double> ticks(double min, double max, int count);
  // The upper end of a value axis that starts at zero: a nice number at or above max.
  static double nice_max(double max);
  // About how wide a label of this many characters is at a font size, in user units.
  static double text_width(std::string_view text, double size = 12);

 private:
  std::string tick_text(const Axis& axis, double value, double step) const;

  std::string id_;
  double width_, height_;
  std::string title_, description_;
  double left_ = 40, top_ = 16, right_ = 16, bottom_ = 36;
  Axis x_axis_, y_axis_;
  std::string body_;
};

// The colour of series i (a variant's line): distinct on white and apart for the common kinds
// of colour blindness (Okabe-Ito, then two greys), the same variant alike across the charts;
// after kSeriesColors they repeat (draw those dashed).
inline constexpr std::size_t kSeriesColors = 8;
std::string_view series_color(std::size_t i);

// Colour of a conformance level: green at 90% and above, amber from 70%, red below.
std::string_view conformance_color(double fraction01);

}  // namespace tb
