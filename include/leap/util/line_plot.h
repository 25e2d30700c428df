// Line and scatter plots as PNG without a plotting stack (no LibTorch): series of (x, y) points drawn
// as lines and/or markers, with an optional uncertainty band (lines) or error bars (markers), on
// axes with "nice" ticks, tick labels, axis labels, a title and a legend, in a small built-in
// bitmap font (5x7: digits, letters, . - + e ( ) : / _ = , % and space). Written through
// stb_image_write to a temporary name and renamed.
//
//   util::LinePlot p;
//   p.title = "kinetic energy at the final time";
//   p.xlabel = "gamma";
//   p.series.push_back({"hybrid (mean +- std)", x, mean, lo, hi, util::SeriesStyle::line,
//   util::plot_colour(0)}); p.series.push_back({"solver only", xc, yc, {}, {}, util::SeriesStyle::markers,
//   util::plot_colour(1)}); util::write_line_plot_png("study.png", p);
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace leap::util {

using Rgb = std::array<uint8_t, 3>;

enum class SeriesStyle { line, markers, line_markers };

struct LineSeries {
  std::string name;  // legend entry (none when empty)
  std::vector<double> x, y;
  // Uncertainty: both empty, or both of y's size (y_lo <= y <= y_hi expected, not required).
  // Drawn as a translucent band for line styles, as error bars for markers only.
  std::vector<double> y_lo, y_hi;
  SeriesStyle style = SeriesStyle::line;
  Rgb colour{31, 119, 180};
};

struct LinePlot {
  std::string title, xlabel, ylabel;
  bool log_y = false;  // y on a log10 axis (every y, y_lo, y_hi must then be > 0)
  int width = 720, height = 480;
  std::vector<LineSeries> series;
};

// Colour k of a categorical palette (matplotlib's tab10), cycling.
Rgb plot_colour(int k);

// Where the data land in the image: the plot area in pixels (inclusive) and its data range.
struct PlotArea {
  int left = 0, top = 0, right = 0, bottom = 0;
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;  // data range of the area (y in log10 when log_y)
  bool log_y = false;
  // Pixel column / row of a data value (may fall outside the area).
  double px(double x) const;
  double py(double y) const;
};

struct RenderedPlot {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;  // row-major, top row first, 3 bytes per pixel
  PlotArea area;
};

// Draws the plot into an RGB image. Non-finite points are skipped (a line breaks there). Throws
// leap::Error for a plot that cannot be drawn: no series, no finite point, x/y (or y_lo/y_hi) of
// different sizes, a non-positive value on a log axis, an image under 160 x 120 pixels.
RenderedPlot render_line_plot(const LinePlot& plot);

// render_line_plot, written as a PNG to `path` (temporary file, then renamed). Throws leap::Error.
void write_line_plot_png(const std::string& path, const LinePlot& plot);

}  // namespace leap::util
