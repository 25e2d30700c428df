#include "leap/util/line_plot.h"

#include <stb/stb_image_write.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>

#include "leap/error.h"
#include "leap/util/atomic_file.h"

namespace leap::util {

namespace {

// ---------------------------------------------------------------- font: 5x7, one byte per row,
// bit 4 the leftmost pixel.
struct Glyph {
  char c;
  uint8_t rows[7];
};

const Glyph kGlyphs[] = {
    {'0', {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E}}, {'1', {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E}},
    {'2', {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F}}, {'3', {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E}},
    {'4', {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02}}, {'5', {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E}},
    {'6', {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E}}, {'7', {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}},
    {'8', {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E}}, {'9', {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C}},
    {'A', {0x0E, 0x11, 0x11, 0x11, 0x1F, 0x11, 0x11}}, {'B', {0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E}},
    {'C', {0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E}}, {'D', {0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C}},
    {'E', {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F}}, {'F', {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10}},
    {'G', {0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F}}, {'H', {0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11}},
    {'I', {0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E}}, {'J', {0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C}},
    {'K', {0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11}}, {'L', {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F}},
    {'M', {0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11}}, {'N', {0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11}},
    {'O', {0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}}, {'P', {0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10}},
    {'Q', {0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D}}, {'R', {0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11}},
    {'S', {0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E}}, {'T', {0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}},
    {'U', {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}}, {'V', {0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04}},
    {'W', {0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A}}, {'X', {0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11}},
    {'Y', {0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04}}, {'Z', {0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F}},
    {'a', {0x00, 0x00, 0x0E, 0x01, 0x0F, 0x11, 0x0F}}, {'b', {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x1E}},
    {'c', {0x00, 0x00, 0x0E, 0x10, 0x10, 0x11, 0x0E}}, {'d', {0x01, 0x01, 0x0D, 0x13, 0x11, 0x11, 0x0F}},
    {'e', {0x00, 0x00, 0x0E, 0x11, 0x1F, 0x10, 0x0E}}, {'f', {0x06, 0x09, 0x08, 0x1C, 0x08, 0x08, 0x08}},
    {'g', {0x00, 0x0F, 0x11, 0x11, 0x0F, 0x01, 0x0E}}, {'h', {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x11}},
    {'i', {0x04, 0x00, 0x0C, 0x04, 0x04, 0x04, 0x0E}}, {'j', {0x02, 0x00, 0x06, 0x02, 0x02, 0x12, 0x0C}},
    {'k', {0x10, 0x10, 0x12, 0x14, 0x18, 0x14, 0x12}}, {'l', {0x0C, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E}},
    {'m', {0x00, 0x00, 0x1A, 0x15, 0x15, 0x11, 0x11}}, {'n', {0x00, 0x00, 0x16, 0x19, 0x11, 0x11, 0x11}},
    {'o', {0x00, 0x00, 0x0E, 0x11, 0x11, 0x11, 0x0E}}, {'p', {0x00, 0x00, 0x1E, 0x11, 0x1E, 0x10, 0x10}},
    {'q', {0x00, 0x00, 0x0D, 0x13, 0x0F, 0x01, 0x01}}, {'r', {0x00, 0x00, 0x16, 0x19, 0x10, 0x10, 0x10}},
    {'s', {0x00, 0x00, 0x0E, 0x10, 0x0E, 0x01, 0x1E}}, {'t', {0x08, 0x08, 0x1C, 0x08, 0x08, 0x09, 0x06}},
    {'u', {0x00, 0x00, 0x11, 0x11, 0x11, 0x13, 0x0D}}, {'v', {0x00, 0x00, 0x11, 0x11, 0x11, 0x0A, 0x04}},
    {'w', {0x00, 0x00, 0x11, 0x11, 0x15, 0x15, 0x0A}}, {'x', {0x00, 0x00, 0x11, 0x0A, 0x04, 0x0A, 0x11}},
    {'y', {0x00, 0x00, 0x11, 0x11, 0x0F, 0x01, 0x0E}}, {'z', {0x00, 0x00, 0x1F, 0x02, 0x04, 0x08, 0x1F}},
    {' ', {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}}, {'.', {0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C}},
    {',', {0x00, 0x00, 0x00, 0x00, 0x0C, 0x04, 0x08}}, {'-', {0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00}},
    {'+', {0x00, 0x04, 0x04, 0x1F, 0x04, 0x04, 0x00}}, {'(', {0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02}},
    {')', {0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08}}, {':', {0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00}},
    {'/', {0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00}}, {'_', {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1F}},
    {'=', {0x00, 0x00, 0x1F, 0x00, 0x1F, 0x00, 0x00}}, {'%', {0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03}},
    {'*', {0x00, 0x04, 0x15, 0x0E, 0x15, 0x04, 0x00}}, {'[', {0x0E, 0x08, 0x08, 0x08, 0x08, 0x08, 0x0E}},
    {']', {0x0E, 0x02, 0x02, 0x02, 0x02, 0x02, 0x0E}}, {'<', {0x02, 0x04, 0x08, 0x10, 0x08, 0x04, 0x02}},
    {'>', {0x08, 0x04, 0x02, 0x01, 0x02, 0x04, 0x08}}, {'|', {0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}},
    {'?', {0x0E, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04}},
};

const uint8_t* glyph_rows(char c) {
  for (const auto& g : kGlyphs)
    if (g.c == c) return g.rows;
  for (const auto& g : kGlyphs)
    if (g.c == '?') return g.rows;
  return nullptr;
}

const Rgb kBlack{0, 0, 0};
const Rgb kGrid{225, 225, 225};
const Rgb kFrameGrey{150, 150, 150};

class Canvas {
 public:
  Canvas(int w, int h) : w_(w), h_(h), rgb_(size_t(w) * size_t(h) * 3, 255), cr_(w - 1), cb_(h - 1) {}
  int width() const { return w_; }
  int height() const { return h_; }
  std::vector<uint8_t>& data() { return rgb_; }
  // Drawing is limited to the clip rectangle (inclusive); the whole image by default.
  void clip(int l, int t, int r, int b) { cl_ = l, ct_ = t, cr_ = r, cb_ = b; }
  void unclip() { cl_ = 0, ct_ = 0, cr_ = w_ - 1, cb_ = h_ - 1; }
  bool inside(int x, int y) const { return x >= cl_ && x <= cr_ && y >= ct_ && y <= cb_; }
  void set(int x, int y, const Rgb& c) {
    if (!inside(x, y)) return;
    uint8_t* p = &rgb_[(size_t(y) * size_t(w_) + size_t(x)) * 3];
    p[0] = c[0], p[1] = c[1], p[2] = c[2];
  }
  void blend(int x, int y, const Rgb& c, double alpha) {
    if (!inside(x, y)) return;
    uint8_t* p = &rgb_[(size_t(y) * size_t(w_) + size_t(x)) * 3];
    for (int k = 0; k < 3; ++k) p[k] = uint8_t(std::lround(p[k] * (1 - alpha) + c[size_t(k)] * alpha));
  }
  void hline(int x0, int x1, int y, const Rgb& c) {
    for (int x = std::min(x0, x1); x <= std::max(x0, x1); ++x) set(x, y, c);
  }
  void vline(int x, int y0, int y1, const Rgb& c) {
    for (int y = std::min(y0, y1); y <= std::max(y0, y1); ++y) set(x, y, c);
  }
  void fill_rect(int l, int t, int r, int b, const Rgb& c) {
    for (int y = t; y <= b; ++y) hline(l, r, y, c);
  }
  // A segment two pixels thick (pixel (x, y) to (x + 1, y + 1) at each step).
  void thick_line(double x0, double y0, double x1, double y1, const Rgb& c) {
    const double n = std::ceil(std::max(std::abs(x1 - x0), std::abs(y1 - y0)));
    if (!(n < 1e5)) return;  // far off the image: nothing sensible to draw
    for (int i = 0; i <= int(n); ++i) {
      const double t = n > 0 ? i / n : 0;
      const int x = int(std::lround(x0 + t * (x1 - x0) - 0.5)),
                y = int(std::lround(y0 + t * (y1 - y0) - 0.5));
      set(x, y, c), set(x + 1, y, c), set(x, y + 1, c), set(x + 1, y + 1, c);
    }
  }
  void disc(double cx, double cy, double r, const Rgb& c) {
    for (int y = int(std::floor(cy - r)); y <= int(std::ceil(cy + r)); ++y)
      for (int x = int(std::floor(cx - r)); x <= int(std::ceil(cx + r)); ++x)
        if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r + 0.25) set(x, y, c);
  }

 private:
  int w_, h_;
  std::vector<uint8_t> rgb_;
  int cl_ = 0, ct_ = 0, cr_, cb_;
};

int text_width(const std::string& s, int scale) {
  return s.empty() ? 0 : int(s.size()) * 6 * scale - scale;
}
int text_height(int scale) {
  return 7 * scale;
}

// Text with its top-left corner at (x, y); `vertical` reads bottom to top with (x, y) the
// bottom-left corner of the rotated text.
void draw_text(Canvas& cv, int x, int y, const std::string& s, int scale, const Rgb& c,
               bool vertical = false) {
  for (size_t k = 0; k < s.size(); ++k) {
    const uint8_t* rows = glyph_rows(s[k]);
    if (!rows) continue;
    for (int gy = 0; gy < 7; ++gy)
      for (int gx = 0; gx < 5; ++gx) {
        if (!(rows[gy] & (0x10 >> gx))) continue;
        for (int sy = 0; sy < scale; ++sy)
          for (int sx = 0; sx < scale; ++sx) {
            const int u = int(k) * 6 * scale + gx * scale + sx, v = gy * scale + sy;  // along, across
            if (vertical)
              cv.set(x + v, y - u, c);
            else
              cv.set(x + u, y + v, c);
          }
      }
  }
}

// ---------------------------------------------------------------- ticks
double nice_step(double span, int target) {
  const double raw = span / std::max(1, target);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / mag;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

std::vector<double> linear_ticks(double lo, double hi, int target, double* step_out) {
  const double step = nice_step(hi - lo, target);
  std::vector<double> ticks;
  const double k0 = std::ceil(lo / step - 1e-9), k1 = std::floor(hi / step + 1e-9);
  for (double k = k0; k <= k1 && ticks.size() < 50; k += 1)
    ticks.push_back(std::abs(k) < 0.5 ? 0.0 : k * step);
  *step_out = step;
  return ticks;
}

std::string format_linear(double v, double step, double magnitude) {
  char buf[64];
  if (magnitude >= 1e5 || (magnitude > 0 && magnitude < 1e-3)) {
    const int e_mag = int(std::floor(std::log10(magnitude))),
              e_step = int(std::floor(std::log10(step) + 1e-9));
    std::snprintf(buf, sizeof buf, "%.*e", std::clamp(e_mag - e_step, 0, 4), v);
  } else {
    std::snprintf(buf, sizeof buf, "%.*f", std::clamp(-int(std::floor(std::log10(step) + 1e-9)), 0, 6), v);
  }
  return buf;
}

struct Axis {
  double lo = 0, hi = 1;      // data range (log10 for a log axis)
  std::vector<double> ticks;  // in the axis's coordinates (log10 for a log axis)
  std::vector<std::string> labels;
};

// Ticks for [lo, hi] (already padded); target: the number wanted.
void make_ticks(Axis& a, bool log, int target) {
  a.ticks.clear();
  a.labels.clear();
  char buf[64];
  if (log) {
    for (double d = std::ceil(a.lo - 1e-9); d <= std::floor(a.hi + 1e-9); d += 1) a.ticks.push_back(d);
    if (a.ticks.size() > size_t(std::max(target, 2))) {  // too many decades: every k-th
      const size_t k = (a.ticks.size() + size_t(target) - 1) / size_t(target);
      std::vector<double> kept;
      for (size_t i = 0; i < a.ticks.size(); i += k) kept.push_back(a.ticks[i]);
      a.ticks = kept;
    }
    if (a.ticks.size() >= 2) {
      for (double d : a.ticks) {
        std::snprintf(buf, sizeof buf, "%g", std::pow(10.0, d));
        a.labels.push_back(buf);
      }
      return;
    }
    // Less than two decades in view: nice ticks of the values themselves.
    const double vlo = std::pow(10.0, a.lo), vhi = std::pow(10.0, a.hi);
    double step = 0;
    a.ticks.clear();
    for (double v : linear_ticks(vlo, vhi, target, &step)) {
      if (v <= 0) continue;
      a.ticks.push_back(std::log10(v));
      a.labels.push_back(format_linear(v, step, std::max(std::abs(vlo), std::abs(vhi))));
    }
    return;
  }
  double step = 0;
  a.ticks = linear_ticks(a.lo, a.hi, target, &step);
  for (double v : a.ticks)
    a.labels.push_back(format_linear(v, step, std::max(std::abs(a.lo), std::abs(a.hi))));
}

// Padded range of the finite values (at least a small span around a single value).
void data_range(const std::vector<double>& v, double pad, double* lo, double* hi) {
  double a = std::numeric_limits<double>::infinity(), b = -a;
  for (double x : v)
    if (std::isfinite(x)) a = std::min(a, x), b = std::max(b, x);
  if (!(a < b)) {
    const double d = a != 0 ? std::abs(a) * 0.1 : 1.0;
    a -= d, b += d;
  }
  const double span = b - a;
  *lo = a - pad * span;
  *hi = b + pad * span;
}

void check(const LinePlot& plot) {
  if (plot.width < 160 || plot.height < 120)
    throw Error("line plot '" + plot.title + "': the image must be at least 160 x 120 pixels, not " +
                std::to_string(plot.width) + " x " + std::to_string(plot.height));
  if (plot.series.empty()) throw Error("line plot '" + plot.title + "': no series to draw");
  bool any = false;
  for (const auto& s : plot.series) {
    const std::string what = "line plot '" + plot.title + "', series '" + s.name + "': ";
    if (s.x.size() != s.y.size())
      throw Error(what + std::to_string(s.x.size()) + " x values for " + std::to_string(s.y.size()) +
                  " y values");
    if (s.y_lo.size() != s.y_hi.size() || (!s.y_lo.empty() && s.y_lo.size() != s.y.size()))
      throw Error(what + "y_lo and y_hi must both be empty or both hold one value per point");
    for (size_t i = 0; i < s.x.size(); ++i) {
      if (std::isfinite(s.x[i]) && std::isfinite(s.y[i])) any = true;
      if (!plot.log_y) continue;
      for (double v : {s.y[i], s.y_lo.empty() ? 1.0 : s.y_lo[i], s.y_hi.empty() ? 1.0 : s.y_hi[i]})
        if (std::isfinite(v) && v <= 0)
          throw Error(what + "a log y axis needs values > 0, found " + std::to_string(v) + " at point " +
                      std::to_string(i));
    }
  }
  if (!any) throw Error("line plot '" + plot.title + "': no finite point to draw");
}

}  // namespace

Rgb plot_colour(int k) {
  static const Rgb tab10[10] = {{31, 119, 180},  {255, 127, 14}, {44, 160, 44},   {214, 39, 40},
                                {148, 103, 189}, {140, 86, 75},  {227, 119, 194}, {127, 127, 127},
                                {188, 189, 34},  {23, 190, 207}};
  return tab10[((k % 10) + 10) % 10];
}

double PlotArea::px(double x) const {
  return left + (x - x0) / (x1 - x0) * (right - left);
}
double PlotArea::py(double y) const {
  const double v = log_y ? std::log10(y) : y;
  return bottom - (v - y0) / (y1 - y0) * (bottom - top);
}

RenderedPlot render_line_plot(const LinePlot& plot) {
  check(plot);
  const int W = plot.width, H = plot.height;
  const int S = (W >= 560 && H >= 360) ? 2 : 1;  // text scale
  auto ylog = [&](double v) { return plot.log_y ? std::log10(v) : v; };

  // Data ranges.
  std::vector<double> xs, ys;
  for (const auto& s : plot.series) {
    for (size_t i = 0; i < s.x.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
      xs.push_back(s.x[i]);
      ys.push_back(ylog(s.y[i]));
      if (!s.y_lo.empty()) {
        if (std::isfinite(s.y_lo[i])) ys.push_back(ylog(s.y_lo[i]));
        if (std::isfinite(s.y_hi[i])) ys.push_back(ylog(s.y_hi[i]));
      }
    }
  }
  Axis ax, ay;
  data_range(xs, 0.05, &ax.lo, &ax.hi);
  data_range(ys, 0.08, &ay.lo, &ay.hi);
  make_ticks(ay, plot.log_y, 6);

  // Margins: room for the y tick labels and label on the left, the x ticks and label below.
  const int tick = 5, gap = 4 * S, th = text_height(S);
  int ylab_w = 0;
  for (const auto& l : ay.labels) ylab_w = std::max(ylab_w, text_width(l, S));
  const int left = 8 + (plot.ylabel.empty() ? 0 : th + gap + 4) + ylab_w + gap + tick;
  const int top = 10 + (plot.title.empty() ? 0 : th + 2 * gap);
  const int bottom = H - 1 - (tick + gap + th + (plot.xlabel.empty() ? 0 : gap + th + 4) + 8);
  int right = W - 1 - 12 * S;
  if (right - left < 40 || bottom - top < 40)
    throw Error("line plot '" + plot.title + "': " + std::to_string(W) + " x " + std::to_string(H) +
                " pixels leave no room for the data");
  // x ticks: fewer when their labels would touch.
  for (int target = 8; target >= 2; --target) {
    make_ticks(ax, false, target);
    int widest = 0;
    for (const auto& l : ax.labels) widest = std::max(widest, text_width(l, S));
    if (ax.ticks.size() < 2 || double(widest + 4 * S) * double(ax.ticks.size()) < 0.8 * (right - left)) break;
  }
  int last_w = ax.labels.empty() ? 0 : text_width(ax.labels.back(), S);
  right = std::min(right, W - 1 - last_w / 2 - 4);

  RenderedPlot out;
  out.width = W;
  out.height = H;
  PlotArea& A = out.area;
  A.left = left, A.top = top, A.right = right, A.bottom = bottom;
  A.x0 = ax.lo, A.x1 = ax.hi, A.y0 = ay.lo, A.y1 = ay.hi, A.log_y = plot.log_y;
  auto pyv = [&](double v_axis) { return bottom - (v_axis - ay.lo) / (ay.hi - ay.lo) * (bottom - top); };

  Canvas cv(W, H);
  // Grid.
  for (double t : ax.ticks) cv.vline(int(std::lround(A.px(t))), top, bottom, kGrid);
  for (double t : ay.ticks) cv.hline(left, right, int(std::lround(pyv(t))), kGrid);

  cv.clip(left + 1, top + 1, right - 1, bottom - 1);
  // Uncertainty bands of line series: a coverage mask per series, blended once.
  for (const auto& s : plot.series) {
    if (s.y_lo.empty() || s.style == SeriesStyle::markers) continue;
    std::vector<uint8_t> mask(size_t(W) * size_t(H), 0);
    auto cover = [&](int x, double ya, double yb) {
      if (x < 0 || x >= W) return;
      const int y0 = std::max(0, int(std::lround(std::min(ya, yb)))),
                y1 = std::min(H - 1, int(std::lround(std::max(ya, yb))));
      for (int y = y0; y <= y1; ++y) mask[size_t(y) * size_t(W) + size_t(x)] = 1;
    };
    auto ok = [&](size_t i) {
      return std::isfinite(s.x[i]) && std::isfinite(s.y_lo[i]) && std::isfinite(s.y_hi[i]);
    };
    for (size_t i = 0; i < s.x.size(); ++i) {
      if (!ok(i)) continue;
      cover(int(std::lround(A.px(s.x[i]))), A.py(s.y_lo[i]), A.py(s.y_hi[i]));
      if (i + 1 >= s.x.size() || !ok(i + 1)) continue;
      double xa = A.px(s.x[i]), xb = A.px(s.x[i + 1]);
      double la = A.py(s.y_lo[i]), lb = A.py(s.y_lo[i + 1]), ha = A.py(s.y_hi[i]), hb = A.py(s.y_hi[i + 1]);
      if (xb < xa) std::swap(xa, xb), std::swap(la, lb), std::swap(ha, hb);
      for (int x = int(std::ceil(xa)); x <= int(std::floor(xb)); ++x) {
        const double t = xb > xa ? (x - xa) / (xb - xa) : 0;
        cover(x, la + t * (lb - la), ha + t * (hb - ha));
      }
    }
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x)
        if (mask[size_t(y) * size_t(W) + size_t(x)]) cv.blend(x, y, s.colour, 0.25);
  }
  // Lines, then error bars, then markers (on top).
  for (const auto& s : plot.series) {
    if (s.style == SeriesStyle::markers) continue;
    for (size_t i = 0; i + 1 < s.x.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i]) || !std::isfinite(s.x[i + 1]) ||
          !std::isfinite(s.y[i + 1]))
        continue;
      cv.thick_line(A.px(s.x[i]), A.py(s.y[i]), A.px(s.x[i + 1]), A.py(s.y[i + 1]), s.colour);
    }
  }
  const double r = 2.0 + S;
  for (const auto& s : plot.series) {
    const bool bars = !s.y_lo.empty() && s.style == SeriesStyle::markers;
    const bool dots = s.style != SeriesStyle::line || s.x.size() == 1;
    for (size_t i = 0; i < s.x.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
      const double x = A.px(s.x[i]);
      if (bars && std::isfinite(s.y_lo[i]) && std::isfinite(s.y_hi[i])) {
        const int xi = int(std::lround(x)), lo = int(std::lround(A.py(s.y_lo[i]))),
                  hi = int(std::lround(A.py(s.y_hi[i])));
        cv.vline(xi, lo, hi, s.colour);
        cv.hline(xi - int(r), xi + int(r), lo, s.colour);
        cv.hline(xi - int(r), xi + int(r), hi, s.colour);
      }
      if (dots) cv.disc(x, A.py(s.y[i]), r, s.colour);
    }
  }
  cv.unclip();

  // Frame, ticks, tick labels.
  cv.hline(left, right, top, kBlack);
  cv.hline(left, right, bottom, kBlack);
  cv.vline(left, top, bottom, kBlack);
  cv.vline(right, top, bottom, kBlack);
  for (size_t k = 0; k < ax.ticks.size(); ++k) {
    const int x = int(std::lround(A.px(ax.ticks[k])));
    cv.vline(x, bottom, bottom + tick, kBlack);
    draw_text(cv, x - text_width(ax.labels[k], S) / 2, bottom + tick + gap, ax.labels[k], S, kBlack);
  }
  for (size_t k = 0; k < ay.ticks.size(); ++k) {
    const int y = int(std::lround(pyv(ay.ticks[k])));
    cv.hline(left - tick, left, y, kBlack);
    draw_text(cv, left - tick - gap - text_width(ay.labels[k], S), y - th / 2, ay.labels[k], S, kBlack);
  }
  // Axis labels and title.
  if (!plot.xlabel.empty())
    draw_text(cv, (left + right) / 2 - text_width(plot.xlabel, S) / 2, bottom + tick + gap + th + gap + 4,
              plot.xlabel, S, kBlack);
  if (!plot.ylabel.empty())
    draw_text(cv, 8, (top + bottom) / 2 + text_width(plot.ylabel, S) / 2, plot.ylabel, S, kBlack, true);
  if (!plot.title.empty())
    draw_text(cv, std::max(2, W / 2 - text_width(plot.title, S) / 2), 10, plot.title, S, kBlack);

  // Legend in the upper corner (left or right) that covers fewer data points.
  std::vector<const LineSeries*> named;
  int name_w = 0;
  for (const auto& s : plot.series)
    if (!s.name.empty()) named.push_back(&s), name_w = std::max(name_w, text_width(s.name, S));
  if (!named.empty()) {
    const int sample = 12 * S, pad = 3 * S, row = th + 3 * S;
    const int lw = pad + sample + pad + name_w + pad, lh = pad + int(named.size()) * row - 3 * S + pad;
    auto covered = [&](int l) {
      int n = 0;
      for (const auto& s : plot.series)
        for (size_t i = 0; i < s.x.size(); ++i) {
          if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
          const double x = A.px(s.x[i]);
          double y0 = A.py(s.y[i]), y1 = y0;  // the point and its error bar
          if (!s.y_hi.empty() && std::isfinite(s.y_hi[i])) y0 = std::min(y0, A.py(s.y_hi[i]));
          if (!s.y_lo.empty() && std::isfinite(s.y_lo[i])) y1 = std::max(y1, A.py(s.y_lo[i]));
          n += (x >= l - 8 && x <= l + lw + 8 && y1 >= top && y0 <= top + 6 + lh + 8);
        }
      return n;
    };
    const int l_left = left + 6, l_right = right - 6 - lw;
    const int l = covered(l_right) <= covered(l_left) ? l_right : l_left, t = top + 6;
    if (l >= left && lw < right - left && lh < bottom - top) {
      cv.fill_rect(l, t, l + lw, t + lh, Rgb{255, 255, 255});
      cv.hline(l, l + lw, t, kFrameGrey), cv.hline(l, l + lw, t + lh, kFrameGrey);
      cv.vline(l, t, t + lh, kFrameGrey), cv.vline(l + lw, t, t + lh, kFrameGrey);
      for (size_t k = 0; k < named.size(); ++k) {
        const LineSeries& s = *named[k];
        const int y = t + pad + int(k) * row, yc = y + th / 2;
        if (s.style != SeriesStyle::markers) cv.thick_line(l + pad, yc, l + pad + sample, yc, s.colour);
        if (s.style != SeriesStyle::line) cv.disc(l + pad + sample / 2.0, yc, r, s.colour);
        draw_text(cv, l + pad + sample + pad, y, s.name, S, kBlack);
      }
    }
  }
  out.rgb = std::move(cv.data());
  return out;
}

void write_line_plot_png(const std::string& path, const LinePlot& plot) {
  const RenderedPlot img = render_line_plot(plot);
  const std::string tmp = partial_path(path);
  if (!stbi_write_png(tmp.c_str(), img.width, img.height, 3, img.rgb.data(), img.width * 3)) {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    throw Error("line plot " + path + ": cannot write " + tmp);
  }
  commit_file(tmp, path);
}

}  // namespace leap::util
