// The figure writers (include/leap/util/line_plot.h, png_figure.h), checked on the PNG they write, read
// back with stb_image: the image has the requested size, each series is drawn in its colour where its
// data say (y up, x across, decades evenly spaced on log axes, gaps break lines), bands and error bars
// are drawn, fields use viridis with a colorbar in the right orientation, plots that cannot be drawn
// are refused, nothing is left under a temporary name and PLplot prints nothing.
#include <gtest/gtest.h>
#include <stb/stb_image.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "leap/error.h"
#include "leap/util/line_plot.h"
#include "leap/util/png_figure.h"

namespace fs = std::filesystem;
using namespace leap;
using util::Rgb;

namespace {

// A fresh folder per test, removed afterwards.
class Figures : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("leap_figures_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  // The files the folder holds.
  std::vector<std::string> files() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_)) out.push_back(e.path().filename().string());
    return out;
  }
  fs::path dir_;
};

struct Image {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;
  const uint8_t* at(int x, int y) const { return &rgb[(size_t(y) * size_t(width) + size_t(x)) * 3]; }
};

Image load(const std::string& path) {
  Image img;
  int n = 0;
  unsigned char* data = stbi_load(path.c_str(), &img.width, &img.height, &n, 3);
  if (!data) return img;
  img.rgb.assign(data, data + size_t(img.width) * size_t(img.height) * 3);
  stbi_image_free(data);
  return img;
}

bool near_colour(const uint8_t* p, const Rgb& c, int tol) {
  return std::abs(p[0] - c[0]) <= tol && std::abs(p[1] - c[1]) <= tol && std::abs(p[2] - c[2]) <= tol;
}

// Where a colour lies in the image: how many pixels, their centroid and extent.
struct Blob {
  int count = 0;
  double cx = 0, cy = 0;
  int x0 = 1 << 30, x1 = -1, y0 = 1 << 30, y1 = -1;
};

Blob find(const Image& img, const Rgb& c, int tol = 6) {
  Blob b;
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x)
      if (near_colour(img.at(x, y), c, tol)) {
        ++b.count, b.cx += x, b.cy += y;
        b.x0 = std::min(b.x0, x), b.x1 = std::max(b.x1, x), b.y0 = std::min(b.y0, y),
        b.y1 = std::max(b.y1, y);
      }
  if (b.count) b.cx /= b.count, b.cy /= b.count;
  return b;
}

util::LineSeries series(const std::string& name, std::vector<double> x, std::vector<double> y, int colour,
                        util::SeriesStyle style = util::SeriesStyle::line) {
  util::LineSeries s;
  s.name = name;
  s.x = std::move(x);
  s.y = std::move(y);
  s.style = style;
  s.colour = util::plot_colour(colour);
  return s;
}

util::LinePlot labelled(const std::string& title) {
  util::LinePlot p;
  p.title = title;
  p.xlabel = "x";
  p.ylabel = "y";
  return p;
}

TEST_F(Figures, PngOfRequestedSizeAndNoTemporaryFile) {
  util::LinePlot p = labelled("size");
  p.width = 640;
  p.height = 400;
  p.series = {series("a", {0, 1, 2}, {1, 3, 2}, 0)};
  util::write_line_plot_png(path("plot.png"), p);
  const Image img = load(path("plot.png"));
  ASSERT_FALSE(img.rgb.empty()) << stbi_failure_reason();
  EXPECT_EQ(img.width, 640);
  EXPECT_EQ(img.height, 400);
  EXPECT_EQ(files(), std::vector<std::string>{"plot.png"});
}

TEST_F(Figures, EachSeriesInItsColourWhereItsDataSay) {
  // Three horizontal lines at y = 3 (top), 2, 1 (bottom), each over its own third of x.
  util::LinePlot p = labelled("three series");
  p.series = {series("top", {0, 1}, {3, 3}, 0), series("middle", {1, 2}, {2, 2}, 1),
              series("bottom", {2, 3}, {1, 1}, 2)};
  util::write_line_plot_png(path("p.png"), p);
  const Image img = load(path("p.png"));
  ASSERT_EQ(img.width, p.width);
  const Blob top = find(img, util::plot_colour(0)), mid = find(img, util::plot_colour(1)),
             bot = find(img, util::plot_colour(2));
  // Each line is long (the legend's short samples alone would not do), and y goes up.
  for (const Blob* b : {&top, &mid, &bot}) EXPECT_GT(b->count, 150);
  EXPECT_LT(top.cy, mid.cy - 40);
  EXPECT_LT(mid.cy, bot.cy - 40);
  // Each line spans its own third of the axes: its pixels in the plot (left of the legend) are ordered in x.
  const Blob none = find(img, util::plot_colour(4));  // a colour no series has
  EXPECT_EQ(none.count, 0);
  auto in_plot = [&](const Rgb& c) {
    Blob b;
    for (int y = 0; y < img.height; ++y)
      for (int x = 0; x < img.width * 3 / 4; ++x)
        if (near_colour(img.at(x, y), c, 6)) ++b.count, b.cx += x;
    b.cx /= std::max(1, b.count);
    return b;
  };
  EXPECT_LT(in_plot(util::plot_colour(0)).cx + 60, in_plot(util::plot_colour(1)).cx);
  EXPECT_LT(in_plot(util::plot_colour(1)).cx + 60, in_plot(util::plot_colour(2)).cx);
}

TEST_F(Figures, LogAxesSpaceDecadesEvenly) {
  // One marker per series at (10^k, 10^k), k = 0..3: on log-log axes they lie evenly on a diagonal.
  util::LinePlot p = labelled("log-log");
  p.log_x = p.log_y = true;
  for (int k = 0; k < 4; ++k) {
    const double v = std::pow(10.0, k);
    p.series.push_back(series("", {v}, {v}, k, util::SeriesStyle::markers));
  }
  util::write_line_plot_png(path("log.png"), p);
  const Image img = load(path("log.png"));
  std::vector<Blob> b;
  for (int k = 0; k < 4; ++k) b.push_back(find(img, util::plot_colour(k)));
  for (int k = 0; k < 4; ++k) ASSERT_GT(b[size_t(k)].count, 10) << "marker " << k;
  const double dx = b[1].cx - b[0].cx, dy = b[1].cy - b[0].cy;
  EXPECT_GT(dx, 50);
  EXPECT_LT(dy, -50);
  for (int k = 1; k < 3; ++k) {
    EXPECT_NEAR(b[size_t(k) + 1].cx - b[size_t(k)].cx, dx, 2.0);
    EXPECT_NEAR(b[size_t(k) + 1].cy - b[size_t(k)].cy, dy, 2.0);
  }
}

TEST_F(Figures, NonFinitePointsBreakTheLine) {
  // A horizontal line at y = 1 with a hole at x = 2; markers of another colour at (1, 0) and (3, 0) give
  // the pixel columns of x = 1 and x = 3.
  util::LinePlot p = labelled("gap");
  p.series = {series("line", {0, 1, 2, 3, 4}, {1, 1, NAN, 1, 1}, 0),
              series("", {1, 3}, {0, 0}, 1, util::SeriesStyle::markers)};
  util::write_line_plot_png(path("gap.png"), p);
  const Image img = load(path("gap.png"));
  const Blob m = find(img, util::plot_colour(1));
  ASSERT_GT(m.count, 10);
  const int x1 = m.x0 + 8, x3 = m.x1 - 8;  // just inside the two markers' columns
  int in_gap = 0, outside = 0;
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width * 3 / 4; ++x) {
      if (!near_colour(img.at(x, y), util::plot_colour(0), 6)) continue;
      if (x > x1 + 4 && x < x3 - 4) ++in_gap;
      if (x < x1 - 8) ++outside;
    }
  EXPECT_EQ(in_gap, 0);
  EXPECT_GT(outside, 40);
}

TEST_F(Figures, BandsAndErrorBars) {
  util::LinePlot p = labelled("uncertainty");
  util::LineSeries band = series("mean +- std", {0, 1, 2, 3}, {1, 2, 1.5, 2.5}, 0);
  band.y_lo = {0.5, 1.5, 1, 2};
  band.y_hi = {1.5, 2.5, 2, 3};
  util::LineSeries bars = series("solver", {0.5, 1.5, 2.5}, {3, 3.5, 3.2}, 3, util::SeriesStyle::markers);
  bars.y_lo = {2.5, 3.4, 2.7};
  bars.y_hi = {3.5, 3.6, 3.7};
  p.series = {band, bars};
  util::write_line_plot_png(path("u.png"), p);
  const Image img = load(path("u.png"));
  // The band: the colour at low opacity over white, over a large area.
  const Rgb c = util::plot_colour(0);
  Rgb tint;
  for (int k = 0; k < 3; ++k) tint[size_t(k)] = uint8_t(std::lround(255 + (c[size_t(k)] - 255) * 0.22));
  EXPECT_GT(find(img, tint, 8).count, 2000);
  // Error bars: the markers' colour reaches about one data unit above and below the tallest marker.
  const Blob with = find(img, util::plot_colour(3));
  bars.y_lo.clear(), bars.y_hi.clear();
  p.series = {band, bars};
  util::write_line_plot_png(path("u.png"), p);
  const Blob without = find(load(path("u.png")), util::plot_colour(3));
  EXPECT_GT(with.y1 - with.y0, (without.y1 - without.y0) + 40);
}

std::string refusal(const util::LinePlot& p, const std::string& path) {
  try {
    util::write_line_plot_png(path, p);
  } catch (const Error& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST_F(Figures, RefusesWhatCannotBeDrawn) {
  const std::string out = path("bad.png");
  util::LinePlot p;
  EXPECT_NE(refusal(p, out).find("no series"), std::string::npos);
  util::LineSeries s = series("s", {1, 2}, {1}, 0);
  p.series = {s};
  EXPECT_NE(refusal(p, out).find("2 x values for 1 y values"), std::string::npos);
  s.y = {1, 2};
  s.y_lo = {0.5, 1.5};
  p.series = {s};
  EXPECT_NE(refusal(p, out).find("y_lo and y_hi"), std::string::npos);
  s.y_lo.clear();
  s.y = {NAN, INFINITY};
  p.series = {s};
  EXPECT_NE(refusal(p, out).find("no finite point"), std::string::npos);
  s.y = {0.0, 1.0};
  p.series = {s};
  p.log_y = true;
  EXPECT_NE(refusal(p, out).find("a log y axis needs values > 0"), std::string::npos);
  p.log_y = false;
  p.log_x = true;
  s.x = {-1, 2};
  p.series = {s};
  EXPECT_NE(refusal(p, out).find("a log x axis needs values > 0"), std::string::npos);
  s.x = {1, 2};
  s.y = {1, 2};
  s.y_lo = {0, 1};
  s.y_hi = {2, 3};
  p.series = {s};
  p.log_x = false;
  p.log_y = true;  // a band reaching 0 cannot be drawn on a log axis either
  EXPECT_NE(refusal(p, out).find("a log y axis needs values > 0"), std::string::npos);
  p.log_y = false;
  p.width = 100;
  EXPECT_NE(refusal(p, out).find("at least 160 x 120"), std::string::npos);
  EXPECT_TRUE(files().empty());  // nothing written, not even a temporary file
  p.width = 720;
  EXPECT_EQ(refusal(p, out), "(accepted)");
  EXPECT_EQ(refusal(p, path("missing/folder/p.png")).find("line plot"), 0u);
  EXPECT_EQ(files(), std::vector<std::string>{"bad.png"});
}

TEST_F(Figures, QuietAndRepeatable) {
  // Many figures in one process, some from two threads at once: each is complete, nothing is printed.
  util::LinePlot p = labelled("again");
  p.log_y = true;
  p.series = {series("a", {1, 2, 3}, {0.1, 1, 10}, 0), series("b", {1, 2, 3}, {1, 2, 3}, 1)};
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  auto draw = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      util::FigurePanel f;
      f.rows = 4, f.cols = 5, f.values.assign(20, float(i));
      if (i % 2)
        util::write_figure_png(path("f" + std::to_string(i) + ".png"), {f}, 1);
      else
        util::write_line_plot_png(path("p" + std::to_string(i) + ".png"), p);
    }
  };
  std::thread other(draw, 0, 6);
  draw(6, 12);
  other.join();
  EXPECT_EQ(::testing::internal::GetCapturedStdout(), "");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  EXPECT_EQ(files().size(), 12u);
  for (const auto& f : files()) EXPECT_FALSE(load(path(f)).rgb.empty()) << f;
  const Image a = load(path("p0.png")), b = load(path("p10.png"));
  EXPECT_EQ(a.rgb, b.rgb);  // no state leaks from one figure into the next
}

// ---------------------------------------------------------------- field figures

const Rgb kLow{util::kViridisLow[0], util::kViridisLow[1], util::kViridisLow[2]};
const Rgb kHigh{util::kViridisHigh[0], util::kViridisHigh[1], util::kViridisHigh[2]};
const Rgb kMid{33, 145, 140};  // viridis at 0.5

TEST_F(Figures, FieldInViridisWithColorbar) {
  // A 16 x 20 field: the top half at its hi, the bottom half at its lo.
  util::FigurePanel f;
  f.rows = 16, f.cols = 20, f.title = "truth t+1";
  for (int r = 0; r < 16; ++r)
    for (int c = 0; c < 20; ++c) f.values.push_back(r < 8 ? 2.0f : -1.0f);
  util::write_figure_png(path("field.png"), {f}, 1, 4);
  Image img = load(path("field.png"));
  ASSERT_FALSE(img.rgb.empty());
  EXPECT_GE(img.width, 80);
  EXPECT_GE(img.height, 64);
  Blob hi = find(img, kHigh, 4), lo = find(img, kLow, 4);
  // Each half of the field: 8 x 20 values at 4 x 4 pixels each (less the frame drawn over its edges).
  EXPECT_GT(hi.count, 8 * 20 * 16 * 8 / 10);
  EXPECT_GT(lo.count, 8 * 20 * 16 * 8 / 10);
  EXPECT_LT(hi.cy + 20, lo.cy);  // row 0 at the top, and hi at the top of the colorbar
  // The colorbar: right of the field, a column through the whole colormap (a smooth gradient: its
  // ends within a few levels of viridis' ends), hi at the top.
  int bar_x = -1;
  for (int x = img.width - 1; x >= 0 && bar_x < 0; --x) {
    bool l = false, h = false, m = false;
    for (int y = 0; y < img.height; ++y)
      l |= near_colour(img.at(x, y), kLow, 20), h |= near_colour(img.at(x, y), kHigh, 20),
          m |= near_colour(img.at(x, y), kMid, 8);
    if (l && h && m) bar_x = x;
  }
  ASSERT_GT(bar_x, hi.x0 + 20 * 4) << "no colorbar right of the field";
  int y_hi = -1, y_mid = -1, y_lo = -1;
  for (int y = 0; y < img.height; ++y) {
    if (y_hi < 0 && near_colour(img.at(bar_x, y), kHigh, 20)) y_hi = y;
    if (y_mid < 0 && near_colour(img.at(bar_x, y), kMid, 8)) y_mid = y;
    if (near_colour(img.at(bar_x, y), kLow, 20)) y_lo = y;
  }
  EXPECT_LT(y_hi + 20, y_mid);
  EXPECT_LT(y_mid + 20, y_lo);
  // Values outside a given range are clamped to its ends (drawn, not left blank).
  f.lo = 0, f.hi = 1;
  for (auto& v : f.values) v = 5.0f;
  util::write_figure_png(path("field.png"), {f}, 1, 4);
  img = load(path("field.png"));
  EXPECT_GT(find(img, kHigh, 4).count, 16 * 20 * 16 * 8 / 10);
  EXPECT_EQ(files(), std::vector<std::string>{"field.png"});
}

TEST_F(Figures, FieldPanelsInAGrid) {
  // Four panels, two per row, each a constant at a different place in a shared range [0, 3].
  std::vector<util::FigurePanel> panels(4);
  for (int k = 0; k < 4; ++k) {
    panels[size_t(k)].rows = 10, panels[size_t(k)].cols = 12;
    panels[size_t(k)].values.assign(120, float(k));
    panels[size_t(k)].lo = 0, panels[size_t(k)].hi = 3;
    panels[size_t(k)].title = "panel " + std::to_string(k);
  }
  util::write_figure_png(path("grid.png"), panels, 2, 8, "four constants");
  const Image img = load(path("grid.png"));
  const Blob first = find(img, kLow, 4), last = find(img, kHigh, 4);
  EXPECT_GT(first.count, 10 * 12 * 64 * 8 / 10);  // panel 0 at lo
  EXPECT_GT(last.count, 10 * 12 * 64 * 8 / 10);   // panel 3 at hi
  // Panel 0 is at the top left of the grid, panel 3 at the bottom right (colorbars aside: their ends are
  // small).
  EXPECT_LT(first.cx + 100, last.cx);
  EXPECT_LT(first.cy + 60, last.cy);
}

TEST_F(Figures, FieldRefusals) {
  util::FigurePanel f;
  f.rows = 3, f.cols = 4;
  f.values.assign(11, 0.0f);
  try {
    util::write_figure_png(path("f.png"), {f}, 1);
    FAIL() << "accepted 11 values for 3 x 4";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("11 values for 3 x 4"), std::string::npos) << e.what();
  }
  EXPECT_THROW(util::write_figure_png(path("f.png"), {}, 1), Error);
  EXPECT_TRUE(files().empty());
}

}  // namespace
