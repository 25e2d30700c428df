#include "leap/util/png_figure.h"

#include <stb/stb_image_write.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>

#include "leap/error.h"

namespace leap::util {

void colormap(double t, uint8_t rgb[3]) {
  // Anchors of matplotlib's viridis at 0, 1/4, 1/2, 3/4, 1, interpolated linearly.
  static const double anchors[5][3] = {
      {0x44, 0x01, 0x54}, {0x3b, 0x52, 0x8b}, {0x21, 0x91, 0x8c}, {0x5e, 0xc9, 0x62}, {0xfd, 0xe7, 0x25}};
  if (!std::isfinite(t)) t = 0;
  t = std::min(1.0, std::max(0.0, t)) * 4.0;
  const int i = std::min(3, int(t));
  const double f = t - i;
  for (int c = 0; c < 3; ++c) rgb[c] = uint8_t(std::lround(anchors[i][c] * (1 - f) + anchors[i + 1][c] * f));
}

void write_figure_png(const std::string& path, const std::vector<FigurePanel>& panels, int columns, int scale) {
  if (panels.empty() || columns < 1 || scale < 1) throw Error("figure " + path + ": nothing to draw");
  const int gap = 8;
  const int rows = int((panels.size() + columns - 1) / columns);
  std::vector<int64_t> row_h(rows, 0), col_w(columns, 0);
  for (size_t k = 0; k < panels.size(); ++k) {
    const auto& p = panels[k];
    if (p.rows < 1 || p.cols < 1 || int64_t(p.values.size()) != p.rows * p.cols)
      throw Error("figure " + path + ": panel " + std::to_string(k) + " has " + std::to_string(p.values.size()) +
                  " values for " + std::to_string(p.rows) + " x " + std::to_string(p.cols));
    row_h[k / columns] = std::max(row_h[k / columns], p.rows * scale);
    col_w[k % columns] = std::max(col_w[k % columns], p.cols * scale);
  }
  int64_t W = gap, H = gap;
  for (auto w : col_w) W += w + gap;
  for (auto h : row_h) H += h + gap;
  std::vector<uint8_t> img(size_t(W * H * 3), 255);
  int64_t y0 = gap;
  for (int r = 0; r < rows; ++r) {
    int64_t x0 = gap;
    for (int c = 0; c < columns; ++c) {
      const size_t k = size_t(r * columns + c);
      if (k >= panels.size()) break;
      const auto& p = panels[k];
      double lo = p.lo, hi = p.hi;
      if (!(lo < hi)) {
        lo = *std::min_element(p.values.begin(), p.values.end());
        hi = *std::max_element(p.values.begin(), p.values.end());
        if (!(lo < hi)) hi = lo + 1;
      }
      for (int64_t i = 0; i < p.rows * scale; ++i)
        for (int64_t j = 0; j < p.cols * scale; ++j) {
          uint8_t* px = &img[size_t(((y0 + i) * W + x0 + j) * 3)];
          colormap((p.values[size_t((i / scale) * p.cols + j / scale)] - lo) / (hi - lo), px);
        }
      x0 += col_w[size_t(c)] + gap;
    }
    y0 += row_h[size_t(r)] + gap;
  }
  const std::string tmp = path + ".partial";
  if (!stbi_write_png(tmp.c_str(), int(W), int(H), 3, img.data(), int(W * 3))) {
    std::filesystem::remove(tmp);
    throw Error("figure " + path + ": cannot write " + tmp);
  }
  std::filesystem::rename(tmp, path);
}

}  // namespace leap::util
