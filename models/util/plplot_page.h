// The PLplot machinery shared by the line plots (line_plot.cpp) and the field figures (png_figure.cpp);
// private to libleap_models. A Page is one PLplot stream drawing with the cairo driver into an RGB image
// in memory (device "memcairo"): PLplot never opens a file, and the PNG is written by write_png under a
// temporary name and renamed. PLplot's state is global, so one Page exists at a time in a process (a
// mutex), each on a fresh stream ended with the Page; PLplot's warnings become a leap::Error.
#pragma once

#include <array>
#include <mutex>
#include <string>
#include <vector>

#include "leap/util/line_plot.h"

namespace leap::util::plplot {

class Page {
 public:
  // A white width x height page; `what` names the figure in errors ("figure out/plot.png").
  Page(std::string what, int width, int height);
  ~Page();
  Page(const Page&) = delete;
  Page& operator=(const Page&) = delete;

  int width() const { return width_; }
  int height() const { return height_; }
  // The cmap0 index of a colour (opacity alpha in [0, 1]).
  int colour(const Rgb& rgb, double alpha = 1.0);
  // Character height of the following text, in pixels (about the height of a capital letter).
  void text_height(double px);
  // The viewport: a box in pixels from the image's top-left corner, showing [x0, x1] x [y0, y1].
  void viewport(double left, double top, double right, double bottom, double x0, double x1, double y0,
                double y1);
  // The current viewport in pixels: left, top, right, bottom.
  const std::array<double, 4>& viewport_px() const { return vp_; }
  // Throws the first warning PLplot gave since the page began, if any; else nothing.
  void check() const;
  // Ends the drawing and writes the image as a PNG to `path` (temporary file, then renamed).
  void write_png(const std::string& path);

  static constexpr int kBlack = 1, kGrid = 2;

 private:
  std::unique_lock<std::mutex> lock_;
  std::string what_;
  int width_, height_;
  double mm_per_px_ = 1;
  std::vector<unsigned char> rgb_;
  int previous_stream_ = 0, stream_ = -1;
  int next_colour_ = 3;
  bool ended_ = false;
  std::array<double, 4> vp_{};
  void end();
};

// Text for PLplot: its escape character '#' doubled, at most `max_chars` bytes (the cairo driver drops
// longer strings).
std::string text(const std::string& s, size_t max_chars = 200);
// Width of a label in pixels, estimated for PLplot's sans-serif font at character height `height_px`
// (escapes such as "#u" and "#d" take no room).
double text_width(const std::string& label, double height_px);

// One axis: its range in axis coordinates (log10 of the value on a log axis), ticks and labels.
struct Axis {
  double lo = 0, hi = 1;
  bool log = false;
  std::vector<double> major, minor;  // positions in axis coordinates
  std::vector<std::string> labels;   // one per major tick, PLplot text
};

// The axis for data in [lo, hi] (axis coordinates, lo <= hi), padded by `pad` of the span on each side,
// with "nice" ticks for about `max_labels` labels.
Axis make_axis(double lo, double hi, bool log, double pad, int max_labels);

// Draws the grid (when grid), the frame, ticks and tick labels of the current viewport (whose window must
// be [x.lo, x.hi] x [y.lo, y.hi]); labels at character height label_px. Returns the width in pixels of
// the widest y label (for placing the y axis title).
double draw_axes(Page& page, const Axis& x, const Axis& y, double label_px, bool grid);

}  // namespace leap::util::plplot
