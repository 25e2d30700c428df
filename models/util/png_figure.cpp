#include "leap/util/png_figure.h"

#include <plplot/plplot.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "leap/error.h"
#include "plplot_page.h"

namespace leap::util {

namespace {

namespace pl = plplot;

// cmap1 := matplotlib's viridis, from its colours at 0, 1/8, ..., 1 (interpolated in RGB).
void set_viridis() {
  static const double anchors[9][3] = {{68, 1, 84},    {71, 45, 123},  {59, 82, 139},
                                       {44, 114, 142}, {33, 145, 140}, {40, 174, 128},
                                       {94, 201, 98},  {173, 220, 48}, {253, 231, 37}};
  PLFLT at[9], r[9], g[9], b[9];
  for (int i = 0; i < 9; ++i) {
    at[i] = i / 8.0;
    r[i] = anchors[i][0] / 255, g[i] = anchors[i][1] / 255, b[i] = anchors[i][2] / 255;
  }
  plscmap1n(256);
  plscmap1l(1, 9, at, r, g, b, nullptr);
}

// The panel's colour range: its own, or its finite min and max when lo >= hi; never empty.
void value_range(const FigurePanel& p, double* lo, double* hi) {
  *lo = p.lo, *hi = p.hi;
  if (!(*lo < *hi)) {
    *lo = INFINITY, *hi = -INFINITY;
    for (float v : p.values)
      if (std::isfinite(v)) *lo = std::min(*lo, double(v)), *hi = std::max(*hi, double(v));
    if (!(*lo <= *hi)) *lo = 0, *hi = 1;
  }
  if (!(*lo < *hi)) {
    const double d = *lo != 0 ? 0.05 * std::abs(*lo) : 0.5;
    *lo -= d, *hi += d;
  }
}

// Draws one panel: the field in [left, left + w] x [top, top + h] (pixels), its axes, title and colorbar.
void draw_panel(pl::Page& page, const FigurePanel& p, double left, double top, double w, double h) {
  constexpr double tick_px = 9, title_px = 10, bar_gap = 6, bar_w = 10;
  double lo, hi;
  value_range(p, &lo, &hi);
  const PLINT nx = PLINT(p.cols), ny = PLINT(p.rows);
  // PLplot's image is indexed [x][y] with y up; row 0 of the panel is the top.
  std::vector<PLFLT> z(size_t(nx) * size_t(ny));
  std::vector<const PLFLT*> columns(static_cast<size_t>(nx));
  for (PLINT i = 0; i < nx; ++i) {
    columns[size_t(i)] = &z[size_t(i) * size_t(ny)];
    for (PLINT j = 0; j < ny; ++j) {
      const double v = p.values[size_t((ny - 1 - j) * nx + i)];
      z[size_t(i) * size_t(ny) + size_t(j)] = std::isfinite(v) ? std::clamp(v, lo, hi) : v;
    }
  }
  page.viewport(left, top, left + w, top + h, 0, double(nx), 0, double(ny));
  plimagefr(columns.data(), nx, ny, 0, nx, 0, ny, lo, hi, lo, hi, nullptr, nullptr);
  const pl::Axis xa = pl::make_axis(0, nx, false, 0, std::clamp(int(w / 36), 2, 6));
  const pl::Axis ya = pl::make_axis(0, ny, false, 0, std::clamp(int(h / 30), 2, 6));
  const double widest = pl::draw_axes(page, xa, ya, tick_px, false);
  page.text_height(tick_px);
  plmtex("b", 3.4, 0.5, 0.5, "x");
  plmtex("l", widest / tick_px + 1.4, 0.5, 0.5, "y");
  if (!p.title.empty()) {
    page.text_height(title_px);
    plmtex("t", 1.2, 0.5, 0.5, pl::text(p.title, 60).c_str());
  }

  // The colorbar: PLplot's, beside the field; its ticks and labels as on the other axes.
  const char* axis_opts[1] = {"bc"};
  std::vector<PLFLT> levels(256);
  for (size_t i = 0; i < levels.size(); ++i)
    levels[i] = lo + (hi - lo) * double(i) / double(levels.size() - 1);
  PLFLT ticks[1] = {0};
  PLINT sub_ticks[1] = {0}, n_values[1] = {PLINT(levels.size())};
  const PLFLT* values[1] = {levels.data()};
  PLFLT cw = 0, ch = 0;
  plcolorbar(&cw, &ch, PL_COLORBAR_IMAGE, PL_POSITION_VIEWPORT | PL_POSITION_OUTSIDE | PL_POSITION_RIGHT,
             bar_gap / w, 0, bar_w / w, 1.0, 0, pl::Page::kBlack, 1, 0, 0, 0, 0, 0, nullptr, nullptr, 1,
             axis_opts, ticks, sub_ticks, n_values, values);
  const double bl = left + w + bar_gap;
  page.viewport(bl, top, bl + bar_w, top + h, 0, 1, lo, hi);
  const pl::Axis ca = pl::make_axis(lo, hi, false, 0, std::clamp(int(h / 20), 3, 8));
  plcol0(pl::Page::kBlack);
  plwidth(1.0);
  for (double v : ca.major)
    if (v >= lo && v <= hi) pljoin(1 - 3.0 / bar_w, v, 1, v);
  page.text_height(tick_px);
  for (size_t i = 0; i < ca.major.size(); ++i)
    if (ca.major[i] >= lo && ca.major[i] <= hi)
      plmtex("rv", 0.5, (ca.major[i] - lo) / (hi - lo), 0.0, ca.labels[i].c_str());
}

}  // namespace

void write_figure_png(const std::string& path, const std::vector<FigurePanel>& panels, int columns, int scale,
                      const std::string& title) {
  const std::string what = "figure " + path;
  if (panels.empty() || columns < 1 || scale < 1) throw Error(what + ": nothing to draw");
  for (size_t k = 0; k < panels.size(); ++k) {
    const auto& p = panels[k];
    if (p.rows < 1 || p.cols < 1 || int64_t(p.values.size()) != p.rows * p.cols)
      throw Error(what + ": panel " + std::to_string(k) + " has " + std::to_string(p.values.size()) +
                  " values for " + std::to_string(p.rows) + " x " + std::to_string(p.cols));
  }
  // Layout in pixels: each cell holds a field (at least 64 pixels each way) and room around it for the
  // axes (left, below), the title (above) and the colorbar (right).
  const int rows = int((panels.size() + size_t(columns) - 1) / size_t(columns));
  std::vector<double> col_w(size_t(columns), 0), row_h(size_t(rows), 0);
  double colorbar_labels = 0;
  for (size_t k = 0; k < panels.size(); ++k) {
    const auto& p = panels[k];
    col_w[k % size_t(columns)] = std::max(col_w[k % size_t(columns)], std::max(64.0, double(p.cols) * scale));
    row_h[k / size_t(columns)] = std::max(row_h[k / size_t(columns)], std::max(64.0, double(p.rows) * scale));
    double lo, hi;
    value_range(p, &lo, &hi);
    for (const auto& l : pl::make_axis(lo, hi, false, 0, 6).labels)
      colorbar_labels = std::max(colorbar_labels, pl::text_width(l, 9));
  }
  const double y_labels = pl::text_width("0000", 9);
  const double cell_left = 12 + 9 * 1.4 + y_labels, cell_right = 6 + 10 + 6 + colorbar_labels + 12;
  const double cell_top = 26, cell_bottom = 9 * 4.6, page_top = title.empty() ? 6 : 30;
  double W = 0, H = page_top;
  for (double w : col_w) W += cell_left + w + cell_right;
  for (double h : row_h) H += cell_top + h + cell_bottom;

  pl::Page page(what, int(std::ceil(W)), int(std::ceil(H)));
  set_viridis();
  if (!title.empty()) {
    page.viewport(0, 0, page.width(), page.height(), 0, 1, 0, 1);
    page.text_height(12);
    plcol0(pl::Page::kBlack);
    plmtex("t", -1.5, 0.5, 0.5, pl::text(title).c_str());
  }
  double y = page_top;
  for (int r = 0; r < rows; ++r) {
    double x = 0;
    for (int c = 0; c < columns; ++c) {
      const size_t k = size_t(r) * size_t(columns) + size_t(c);
      if (k >= panels.size()) break;
      const auto& p = panels[k];
      const double w = std::max(64.0, double(p.cols) * scale), h = std::max(64.0, double(p.rows) * scale);
      draw_panel(page, p, x + cell_left, y + cell_top, w, h);
      x += cell_left + col_w[size_t(c)] + cell_right;
    }
    y += cell_top + row_h[size_t(r)] + cell_bottom;
  }
  page.write_png(path);
}

}  // namespace leap::util
