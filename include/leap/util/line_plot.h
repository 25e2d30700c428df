// Line and scatter plots as PNG, drawn by PLplot (its cairo driver): series of (x, y) points drawn as
// lines and/or markers, with an optional uncertainty band (lines) or error bars (markers), on linear or
// log axes with ticks, tick labels, axis labels, a title and a legend. Written to a temporary name and
// renamed.
//
//   util::LinePlot p;
//   p.title = "kinetic energy at the final time";
//   p.xlabel = "gamma";
//   p.series.push_back({"hybrid (mean +- std)", x, mean, lo, hi, util::SeriesStyle::line,
//                       util::plot_colour(0)});
//   p.series.push_back({"solver only", xc, yc, {}, {}, util::SeriesStyle::markers, util::plot_colour(1)});
//   util::write_line_plot_png("study.png", p);
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
  bool log_x = false;  // x on a log10 axis (every x must then be > 0)
  bool log_y = false;  // y on a log10 axis (every y, y_lo, y_hi must then be > 0)
  int width = 720, height = 480;
  std::vector<LineSeries> series;
};

// Colour k of a categorical palette (matplotlib's tab10), cycling.
Rgb plot_colour(int k);

// Writes the plot as a PNG of width x height pixels to `path` (temporary file, then renamed).
// Non-finite points are skipped (a line breaks there). Throws leap::Error for a plot that cannot be
// drawn: no series, no finite point, x/y (or y_lo/y_hi) of different sizes, a non-positive value on
// a log axis, an image under 160 x 120 pixels; or when the file cannot be written.
void write_line_plot_png(const std::string& path, const LinePlot& plot);

}  // namespace leap::util
