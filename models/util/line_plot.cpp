#include "leap/util/line_plot.h"

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

const char* const kMarker = "\u25cf";  // a filled circle, centred on its point

void check(const LinePlot& plot) {
  const std::string what = "line plot '" + plot.title + "'";
  if (plot.width < 160 || plot.height < 120)
    throw Error(what + ": the image must be at least 160 x 120 pixels, not " + std::to_string(plot.width) +
                " x " + std::to_string(plot.height));
  if (plot.series.empty()) throw Error(what + ": no series to draw");
  bool any = false;
  for (const auto& s : plot.series) {
    const std::string where = what + ", series '" + s.name + "': ";
    if (s.x.size() != s.y.size())
      throw Error(where + std::to_string(s.x.size()) + " x values for " + std::to_string(s.y.size()) +
                  " y values");
    if (s.y_lo.size() != s.y_hi.size() || (!s.y_lo.empty() && s.y_lo.size() != s.y.size()))
      throw Error(where + "y_lo and y_hi must both be empty or both hold one value per point");
    auto positive = [&](double v, const char* axis, size_t i) {
      if (std::isfinite(v) && v <= 0)
        throw Error(where + "a log " + axis + " axis needs values > 0, found " + std::to_string(v) +
                    " at point " + std::to_string(i));
    };
    for (size_t i = 0; i < s.x.size(); ++i) {
      if (std::isfinite(s.x[i]) && std::isfinite(s.y[i])) any = true;
      if (plot.log_x) positive(s.x[i], "x", i);
      if (!plot.log_y) continue;
      positive(s.y[i], "y", i);
      if (!s.y_lo.empty()) positive(s.y_lo[i], "y", i), positive(s.y_hi[i], "y", i);
    }
  }
  if (!any) throw Error(what + ": no finite point to draw");
}

// Values in axis coordinates (log10 on a log axis).
std::vector<double> to_axis(const std::vector<double>& v, bool log) {
  std::vector<double> out(v);
  if (log)
    for (double& x : out) x = x > 0 ? std::log10(x) : std::nan("");
  return out;
}

// Calls draw(first, count) for each run of consecutive indices where ok(i) holds.
template <class Ok, class Draw>
void runs(size_t n, Ok ok, Draw draw) {
  size_t i = 0;
  while (i < n) {
    while (i < n && !ok(i)) ++i;
    size_t j = i;
    while (j < n && ok(j)) ++j;
    if (j > i) draw(i, j - i);
    i = j;
  }
}

struct Prepared {
  std::vector<double> x, y, lo, hi;  // axis coordinates
};

}  // namespace

Rgb plot_colour(int k) {
  static const Rgb tab10[10] = {{31, 119, 180},  {255, 127, 14}, {44, 160, 44},   {214, 39, 40},
                                {148, 103, 189}, {140, 86, 75},  {227, 119, 194}, {127, 127, 127},
                                {188, 189, 34},  {23, 190, 207}};
  return tab10[((k % 10) + 10) % 10];
}

void write_line_plot_png(const std::string& path, const LinePlot& plot) {
  check(plot);
  const int W = plot.width, H = plot.height;
  const double f = std::clamp(std::min(W / 720.0, H / 480.0), 0.6, 3.0);
  const double tick_px = 10 * f, label_px = 11 * f, title_px = 12.5 * f, legend_px = 10 * f;

  // Data in axis coordinates, and their range.
  std::vector<Prepared> data;
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  for (const auto& s : plot.series) {
    Prepared p{to_axis(s.x, plot.log_x), to_axis(s.y, plot.log_y), to_axis(s.y_lo, plot.log_y),
               to_axis(s.y_hi, plot.log_y)};
    for (size_t i = 0; i < p.x.size(); ++i) {
      if (!std::isfinite(p.x[i])) continue;
      for (double v : {p.y[i], p.lo.empty() ? NAN : p.lo[i], p.hi.empty() ? NAN : p.hi[i]})
        if (std::isfinite(v))
          x0 = std::min(x0, p.x[i]), x1 = std::max(x1, p.x[i]), y0 = std::min(y0, v), y1 = std::max(y1, v);
    }
    data.push_back(std::move(p));
  }

  // Layout (pixels): the legend to the right of the axes, when a series has a name.
  std::vector<size_t> named;
  double legend_text = 0;
  for (size_t k = 0; k < plot.series.size(); ++k)
    if (!plot.series[k].name.empty()) {
      named.push_back(k);
      legend_text = std::max(legend_text, pl::text_width(pl::text(plot.series[k].name, 80), legend_px));
    }
  const double sample_px = 32 * f;
  const double legend_w = named.empty() ? 0 : sample_px + legend_text + 2.5 * legend_px;
  const double top = (plot.title.empty() ? 1.5 : 3.0) * title_px;
  const double bottom = H - (2.4 * tick_px + (plot.xlabel.empty() ? 0.6 : 2.6) * label_px);
  const double right = W - (named.empty() ? 2 * tick_px : legend_w + 2.2 * tick_px);
  const int y_labels = std::clamp(int((bottom - top) / (4.5 * tick_px)), 2, 8);
  const pl::Axis ya = pl::make_axis(y0, y1, plot.log_y, 0.05, y_labels);
  double y_label_w = 0;
  for (const auto& l : ya.labels) y_label_w = std::max(y_label_w, pl::text_width(l, tick_px));
  const double left = 1.2 * tick_px + y_label_w + (plot.ylabel.empty() ? 0.5 : 2.4) * label_px;
  if (right - left < 40 || bottom - top < 40)
    throw Error("line plot '" + plot.title + "': " + std::to_string(W) + " x " + std::to_string(H) +
                " pixels leave no room for the data");
  // x labels: as many as fit side by side.
  pl::Axis xa;
  for (int n = 8; n >= 2; --n) {
    xa = pl::make_axis(x0, x1, plot.log_x, 0.05, n);
    double used = 0;
    for (const auto& l : xa.labels) used += pl::text_width(l, tick_px) + 2.5 * tick_px;
    if (used <= right - left) break;
  }

  pl::Page page("line plot " + path, W, H);
  page.viewport(left, top, right, bottom, xa.lo, xa.hi, ya.lo, ya.hi);
  const double widest = pl::draw_axes(page, xa, ya, tick_px, true);

  // Bands first (under every line), then lines and error bars, then markers on top.
  std::vector<int> colours, bands;
  for (const auto& s : plot.series) {
    colours.push_back(page.colour(s.colour));
    bands.push_back(page.colour(s.colour, 0.22));
  }
  for (size_t k = 0; k < data.size(); ++k) {
    const auto& p = data[k];
    if (p.lo.empty() || plot.series[k].style == SeriesStyle::markers) continue;
    plcol0(bands[k]);
    runs(
        p.x.size(),
        [&](size_t i) { return std::isfinite(p.x[i]) && std::isfinite(p.lo[i]) && std::isfinite(p.hi[i]); },
        [&](size_t i, size_t n) {
          if (n < 2) return;
          std::vector<double> px, py;
          for (size_t j = i; j < i + n; ++j) px.push_back(p.x[j]), py.push_back(p.hi[j]);
          for (size_t j = i + n; j-- > i;) px.push_back(p.x[j]), py.push_back(p.lo[j]);
          plfill(PLINT(px.size()), px.data(), py.data());
        });
  }
  for (size_t k = 0; k < data.size(); ++k) {
    const auto& p = data[k];
    const SeriesStyle style = plot.series[k].style;
    plcol0(colours[k]);
    if (style != SeriesStyle::markers) {
      plwidth(2.0 * f);
      runs(
          p.x.size(), [&](size_t i) { return std::isfinite(p.x[i]) && std::isfinite(p.y[i]); },
          [&](size_t i, size_t n) {
            if (n > 1) {
              plline(PLINT(n), &p.x[i], &p.y[i]);
            } else if (style == SeriesStyle::line) {  // a lone point of a line: a small marker
              page.text_height(5 * f);
              plstring(1, &p.x[i], &p.y[i], kMarker);
            }
          });
    } else if (!p.lo.empty()) {
      plwidth(1.5 * f);
      std::vector<double> ex, elo, ehi;
      for (size_t i = 0; i < p.x.size(); ++i)
        if (std::isfinite(p.x[i]) && std::isfinite(p.lo[i]) && std::isfinite(p.hi[i]))
          ex.push_back(p.x[i]), elo.push_back(p.lo[i]), ehi.push_back(p.hi[i]);
      if (!ex.empty()) plerry(PLINT(ex.size()), ex.data(), elo.data(), ehi.data());
    }
  }
  page.text_height(8 * f);
  for (size_t k = 0; k < data.size(); ++k) {
    const auto& p = data[k];
    if (plot.series[k].style == SeriesStyle::line) continue;
    plcol0(colours[k]);
    std::vector<double> mx, my;
    for (size_t i = 0; i < p.x.size(); ++i)
      if (std::isfinite(p.x[i]) && std::isfinite(p.y[i])) mx.push_back(p.x[i]), my.push_back(p.y[i]);
    if (!mx.empty()) plstring(PLINT(mx.size()), mx.data(), my.data(), kMarker);
  }

  // Titles.
  plcol0(pl::Page::kBlack);
  if (!plot.xlabel.empty()) {
    page.text_height(label_px);
    plmtex("b", (2.3 * tick_px) / label_px + 1.0, 0.5, 0.5, pl::text(plot.xlabel).c_str());
  }
  if (!plot.ylabel.empty()) {
    page.text_height(label_px);
    plmtex("l", (0.6 * tick_px + widest) / label_px + 1.2, 0.5, 0.5, pl::text(plot.ylabel).c_str());
  }

  if (!plot.title.empty()) {  // centred on the image: the legend is part of the figure
    page.viewport(0, 0, W, H, 0, 1, 0, 1);
    page.text_height(title_px);
    plmtex("t", -0.5 * top / title_px, 0.5, 0.5, pl::text(plot.title).c_str());
  }

  // Legend, beside the axes, its top level with theirs.
  if (!named.empty()) {
    const size_t n = named.size();
    std::vector<PLINT> opts(n), text_colours(n, pl::Page::kBlack), box_colours(n), box_patterns(n, 0),
        line_colours(n), line_styles(n, 1), symbol_colours(n), symbol_numbers(n);
    std::vector<PLFLT> box_scales(n, 0.9), box_widths(n, 0), line_widths(n, 2.0 * f), symbol_scales(n, 0.8);
    std::vector<std::string> names(n);
    std::vector<const char*> texts(n), symbols(n, kMarker);
    for (size_t e = 0; e < n; ++e) {
      const size_t k = named[e];
      const auto& s = plot.series[k];
      opts[e] = s.style == SeriesStyle::markers ? PL_LEGEND_SYMBOL
                : s.style == SeriesStyle::line  ? PL_LEGEND_LINE
                                                : PL_LEGEND_LINE | PL_LEGEND_SYMBOL;
      if (!s.y_lo.empty() && s.style != SeriesStyle::markers) opts[e] |= PL_LEGEND_COLOR_BOX;
      names[e] = pl::text(s.name, 80);
      texts[e] = names[e].c_str();
      box_colours[e] = bands[k];
      line_colours[e] = symbol_colours[e] = colours[k];
      symbol_numbers[e] = s.style == SeriesStyle::markers ? 1 : 2;
    }
    page.text_height(legend_px);
    PLFLT lw = 0, lh = 0;
    pllegend(&lw, &lh, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX,
             PL_POSITION_SUBPAGE | PL_POSITION_INSIDE | PL_POSITION_LEFT | PL_POSITION_TOP,
             (right + 1.2 * tick_px) / W, top / H, sample_px / W, 0, pl::Page::kBlack, 1, PLINT(n), 1,
             PLINT(n), opts.data(), 1.0, 1.0, 2.2, 0.0, text_colours.data(), texts.data(), box_colours.data(),
             box_patterns.data(), box_scales.data(), box_widths.data(), line_colours.data(),
             line_styles.data(), line_widths.data(), symbol_colours.data(), symbol_scales.data(),
             symbol_numbers.data(), symbols.data());
  }
  page.write_png(path);
}

}  // namespace leap::util
