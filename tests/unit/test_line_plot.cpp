// The line plot writer (include/leap/util/line_plot.h): a PNG of the requested size is written, a
// series' colour lands where its data say, a constant series is a horizontal line, uncertainty is
// drawn, log axes work, and plots that cannot be drawn are refused.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "leap/error.h"
#include "leap/util/line_plot.h"

namespace fs = std::filesystem;
using namespace leap;
using util::Rgb;

namespace {

bool is(const util::RenderedPlot& img, int x, int y, const Rgb& c) {
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) return false;
  const uint8_t* p = &img.rgb[(size_t(y) * size_t(img.width) + size_t(x)) * 3];
  return p[0] == c[0] && p[1] == c[1] && p[2] == c[2];
}

// Whether colour c appears within `radius` pixels of (x, y).
bool near(const util::RenderedPlot& img, double x, double y, const Rgb& c, int radius = 2) {
  for (int dy = -radius; dy <= radius; ++dy)
    for (int dx = -radius; dx <= radius; ++dx)
      if (is(img, int(std::lround(x)) + dx, int(std::lround(y)) + dy, c)) return true;
  return false;
}

util::LinePlot sample_plot() {
  util::LinePlot p;
  p.title = "kinetic energy (final time)";
  p.xlabel = "gamma";
  p.ylabel = "KE";
  util::LineSeries s;
  s.name = "hybrid mean";
  s.x = {1.3, 1.35, 1.4, 1.45, 1.5};
  s.y = {0.2, 0.25, 0.22, 0.3, 0.28};
  s.y_lo = {0.18, 0.22, 0.2, 0.27, 0.25};
  s.y_hi = {0.22, 0.28, 0.24, 0.33, 0.31};
  s.colour = util::plot_colour(0);
  p.series.push_back(s);
  util::LineSeries c;
  c.name = "solver";
  c.x = {1.3, 1.4, 1.5};
  c.y = {0.21, 0.23, 0.27};
  c.style = util::SeriesStyle::markers;
  c.colour = util::plot_colour(3);
  p.series.push_back(c);
  return p;
}

// Width and height from a PNG's IHDR chunk.
bool png_size(const std::string& path, uint32_t* w, uint32_t* h) {
  std::ifstream in(path, std::ios::binary);
  unsigned char b[24];
  if (!in.read(reinterpret_cast<char*>(b), 24)) return false;
  const unsigned char sig[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  for (int i = 0; i < 8; ++i)
    if (b[i] != sig[i]) return false;
  if (std::string(reinterpret_cast<char*>(b + 12), 4) != "IHDR") return false;
  *w = (uint32_t(b[16]) << 24) | (uint32_t(b[17]) << 16) | (uint32_t(b[18]) << 8) | b[19];
  *h = (uint32_t(b[20]) << 24) | (uint32_t(b[21]) << 16) | (uint32_t(b[22]) << 8) | b[23];
  return true;
}

TEST(LinePlot, WritesPngOfRequestedSize) {
  const fs::path dir =
      fs::temp_directory_path() /
      ("leap_line_plot_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  fs::create_directories(dir);
  const std::string path = (dir / "plot.png").string();
  util::LinePlot p = sample_plot();
  p.width = 640;
  p.height = 400;
  util::write_line_plot_png(path, p);
  uint32_t w = 0, h = 0;
  ASSERT_TRUE(png_size(path, &w, &h));
  EXPECT_EQ(w, 640u);
  EXPECT_EQ(h, 400u);
  EXPECT_FALSE(fs::exists(path + ".partial"));
  fs::remove_all(dir);
}

TEST(LinePlot, SeriesColourWhereTheDataSay) {
  const util::LinePlot p = sample_plot();
  const util::RenderedPlot img = util::render_line_plot(p);
  ASSERT_EQ(img.width, p.width);
  ASSERT_EQ(img.height, p.height);
  ASSERT_EQ(img.rgb.size(), size_t(p.width) * size_t(p.height) * 3);
  const auto& A = img.area;
  EXPECT_LT(A.left, A.right);
  EXPECT_LT(A.top, A.bottom);
  for (const auto& s : p.series)
    for (size_t i = 0; i < s.x.size(); ++i) {
      const double x = A.px(s.x[i]), y = A.py(s.y[i]);
      EXPECT_GT(x, A.left);
      EXPECT_LT(x, A.right);
      EXPECT_GT(y, A.top);
      EXPECT_LT(y, A.bottom);
      EXPECT_TRUE(near(img, x, y, s.colour)) << s.name << " point " << i;
    }
  // Markers are drawn over lines: the centre of a solver marker has the marker's colour.
  const auto& c = p.series[1];
  EXPECT_TRUE(is(img, int(std::lround(A.px(c.x[1]))), int(std::lround(A.py(c.y[1]))), c.colour));
  // The band: pixels between y_lo and y_hi (away from the line) are tinted, not white, not the colour.
  const auto& s = p.series[0];
  const int bx = int(std::lround(A.px(s.x[1]))), by = int(std::lround(A.py(s.y_hi[1]))) + 2;
  const uint8_t* px = &img.rgb[(size_t(by) * size_t(img.width) + size_t(bx)) * 3];
  EXPECT_FALSE(px[0] == 255 && px[1] == 255 && px[2] == 255);
  EXPECT_FALSE(is(img, bx, by, s.colour));
  // Far above every point (and outside the legend's rows) there is none of the series' colour.
  int stray = 0;
  const int y_far = int(std::lround(A.py(0.36)));
  for (int x = A.left + 1; x < A.right; ++x) stray += is(img, x, y_far, s.colour);
  EXPECT_EQ(stray, 0);
}

TEST(LinePlot, ConstantSeriesIsHorizontalLine) {
  util::LinePlot p;
  util::LineSeries s;
  s.x = {0, 1, 2, 3, 4};
  s.y = {2.5, 2.5, 2.5, 2.5, 2.5};
  s.colour = {200, 30, 30};
  p.series.push_back(s);
  const util::RenderedPlot img = util::render_line_plot(p);
  const auto& A = img.area;
  const double y = A.py(2.5);
  EXPECT_NEAR(y, (A.top + A.bottom) / 2.0, 2.0);  // a single value sits mid-height
  int rows_lo = img.height, rows_hi = -1, count = 0;
  for (int r = 0; r < img.height; ++r)
    for (int x = 0; x < img.width; ++x)
      if (is(img, x, r, s.colour)) rows_lo = std::min(rows_lo, r), rows_hi = std::max(rows_hi, r), ++count;
  EXPECT_GE(rows_lo, int(y) - 1);
  EXPECT_LE(rows_hi, int(y) + 2);
  // Every column from the first point to the last holds the colour.
  for (int x = int(std::ceil(A.px(0))); x <= int(std::floor(A.px(4))); ++x)
    EXPECT_TRUE(near(img, x, y, s.colour, 1)) << "column " << x;
  EXPECT_GT(count, int(A.px(4) - A.px(0)));
}

TEST(LinePlot, LogAxisAndGaps) {
  util::LinePlot p;
  p.log_y = true;
  util::LineSeries s;
  s.x = {1, 2, 3, 4};
  s.y = {1e-3, 1e-2, NAN, 1.0};
  s.style = util::SeriesStyle::line_markers;
  p.series.push_back(s);
  const util::RenderedPlot img = util::render_line_plot(p);
  const auto& A = img.area;
  // Decades are equally spaced.
  EXPECT_NEAR(A.py(1e-3) - A.py(1e-2), A.py(1e-1) - A.py(1.0), 1e-6);
  EXPECT_TRUE(near(img, A.px(4), A.py(1.0), s.colour));
  // No line across the gap: midway between points 2 and 4 at the height of their chord.
  const double xm = A.px(3), ym = (A.py(1e-2) + A.py(1.0)) / 2;
  EXPECT_FALSE(near(img, xm, ym, s.colour, 2));
}

std::string refusal(const util::LinePlot& p) {
  try {
    util::render_line_plot(p);
  } catch (const Error& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(LinePlot, RefusesWhatCannotBeDrawn) {
  util::LinePlot p;
  EXPECT_NE(refusal(p).find("no series"), std::string::npos);
  util::LineSeries s;
  s.name = "s";
  s.x = {1, 2};
  s.y = {1};
  p.series = {s};
  EXPECT_NE(refusal(p).find("2 x values for 1 y values"), std::string::npos);
  s.y = {1, 2};
  s.y_lo = {0.5, 1.5};
  p.series = {s};
  EXPECT_NE(refusal(p).find("y_lo and y_hi"), std::string::npos);
  s.y_lo.clear();
  s.y = {NAN, INFINITY};
  p.series = {s};
  EXPECT_NE(refusal(p).find("no finite point"), std::string::npos);
  s.y = {0.0, 1.0};
  p.series = {s};
  p.log_y = true;
  EXPECT_NE(refusal(p).find("values > 0"), std::string::npos);
  p.log_y = false;
  p.width = 100;
  EXPECT_NE(refusal(p).find("at least 160 x 120"), std::string::npos);
  p.width = 720;
  EXPECT_EQ(refusal(p), "(accepted)");
}

}  // namespace
