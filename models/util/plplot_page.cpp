#include "plplot_page.h"

#include <plplot/plplot.h>
#include <stb/stb_image_write.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "leap/error.h"
#include "leap/util/atomic_file.h"

namespace leap::util::plplot {

namespace {

std::mutex& plplot_mutex() {
  static std::mutex m;
  return m;
}

// The first warning PLplot gave on the current page (guarded by plplot_mutex).
std::string& first_warning() {
  static std::string w;
  return w;
}

void on_abort(const char* message) {
  if (first_warning().empty()) first_warning() = message && *message ? message : "unspecified warning";
}

// PLplot calls this before exit() on an error it cannot recover from: an exception keeps the process.
int on_exit(const char* message) {
  throw Error(std::string("PLplot: ") + (message ? message : "fatal error"));
}

bool has_device(const char* name) {
  int n = 128;
  std::vector<const char*> menus(size_t(n), nullptr), names(size_t(n), nullptr);
  const char** m = menus.data();
  const char** d = names.data();
  plgDevs(&m, &d, &n);
  for (int i = 0; i < n && i < 128; ++i)
    if (d[i] && std::string(d[i]) == name) return true;
  return false;
}

}  // namespace

Page::Page(std::string what, int width, int height)
    : lock_(plplot_mutex()), what_(std::move(what)), width_(width), height_(height) {
  if (width < 16 || height < 16 || width > 16384 || height > 16384)
    throw Error(what_ + ": an image of " + std::to_string(width) + " x " + std::to_string(height) +
                " pixels (expected 16 to 16384 each way)");
  rgb_.assign(size_t(width) * size_t(height) * 3, 255);
  first_warning().clear();
  plsabort(on_abort);
  plsexit(on_exit);
  if (!has_device("memcairo")) {
    plsabort(nullptr);
    plsexit(nullptr);
    throw Error(what_ +
                ": PLplot's cairo driver (device memcairo) is not installed; on Debian: apt-get install "
                "plplot-driver-cairo");
  }
  PLINT previous = 0, stream = -1;
  plgstrm(&previous);
  previous_stream_ = previous;
  plmkstrm(&stream);
  stream_ = stream;
  try {
    if (stream_ < 0) throw Error(what_ + ": PLplot could not create a stream");
    plsdev("memcairo");
    plsmem(width, height, rgb_.data());
    plscmap0n(256);
    plscol0(0, 255, 255, 255);
    plscol0(kBlack, 0, 0, 0);
    plscol0(kGrid, 225, 225, 225);
    plinit();
    pladv(0);
    PLFLT x0 = 0, x1 = 0, y0 = 0, y1 = 0;
    plgspa(&x0, &x1, &y0, &y1);
    if (!(x1 > x0)) throw Error(what_ + ": PLplot reports an empty page");
    mm_per_px_ = (x1 - x0) / width;
    check();
  } catch (...) {
    end();
    throw;
  }
}

Page::~Page() {
  end();
}

void Page::end() {
  if (ended_) return;
  ended_ = true;
  if (stream_ >= 0) {
    plsstrm(stream_);
    plend1();  // renders into rgb_ and frees the stream
    plsstrm(previous_stream_);
  }
  plsabort(nullptr);
  plsexit(nullptr);
}

int Page::colour(const Rgb& rgb, double alpha) {
  alpha = std::clamp(std::isfinite(alpha) ? alpha : 1.0, 0.0, 1.0);
  for (int i = 1; i < next_colour_; ++i) {
    PLINT r, g, b;
    PLFLT a;
    plgcol0a(i, &r, &g, &b, &a);
    if (r == rgb[0] && g == rgb[1] && b == rgb[2] && std::abs(a - alpha) < 1e-9) return i;
  }
  if (next_colour_ >= 256) return kBlack;  // a page never needs as many; stays drawable
  plscol0a(next_colour_, rgb[0], rgb[1], rgb[2], alpha);
  return next_colour_++;
}

void Page::text_height(double px) {
  plschr(px * mm_per_px_, 1.0);
}

void Page::viewport(double left, double top, double right, double bottom, double x0, double x1, double y0,
                    double y1) {
  plsvpa(left * mm_per_px_, right * mm_per_px_, (height_ - bottom) * mm_per_px_,
         (height_ - top) * mm_per_px_);
  plwind(x0, x1, y0, y1);
  vp_ = {left, top, right, bottom};
}

void Page::check() const {
  if (!first_warning().empty()) throw Error(what_ + ": PLplot: " + first_warning());
}

void Page::write_png(const std::string& path) {
  end();
  check();
  const std::string tmp = partial_path(path);
  if (!stbi_write_png(tmp.c_str(), width_, height_, 3, rgb_.data(), width_ * 3)) {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    throw Error(what_ + ": cannot write " + tmp);
  }
  commit_file(tmp, path);
}

std::string text(const std::string& s, size_t max_chars) {
  std::string out;
  for (char c : s) {
    if (out.size() + 2 > max_chars) break;
    if (c == '#') out += '#';
    out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  }
  return out;
}

double text_width(const std::string& label, double height_px) {
  // Advance widths of DejaVu Sans (the cairo driver's "Sans" on Debian), in ems; an em is about 1.3
  // character heights.
  double ems = 0;
  for (size_t i = 0; i < label.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(label[i]);
    if (c == '#' && i + 1 < label.size() && label[i + 1] != '#') {
      ++i;  // an escape: #u, #d take no room
      continue;
    }
    if ((c & 0xC0) == 0x80) continue;  // a UTF-8 continuation byte
    if (std::strchr("ijl'|!.,:; ", c))
      ems += 0.31;
    else if (std::strchr("ftr()[]/-\\\"", c))
      ems += 0.40;
    else if (std::strchr("mw", c))
      ems += 0.92;
    else if (std::strchr("+=<>~%MW@", c))
      ems += 0.88;
    else if (std::isupper(c))
      ems += 0.72;
    else if (c >= 0x80)
      ems += 0.8;
    else
      ems += 0.62;  // other letters, digits, _
  }
  return ems * 1.3 * height_px;
}

namespace {

// The step in {1, 2, 2.5, 5} x 10^k nearest above span / intervals.
double nice_step(double span, int intervals) {
  const double raw = span / std::max(1, intervals);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double r = raw / mag;
  return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 2.5 ? 2.5 : r <= 5 ? 5 : 10) * mag;
}

// Decimals that show multiples of `step` exactly.
int decimals_for(double step) {
  for (int d = 0; d < 12; ++d) {
    const double s = step * std::pow(10.0, d);
    if (std::abs(s - std::round(s)) < 1e-6 * std::max(1.0, s)) return d;
  }
  return 12;
}

std::string fixed(double v, int decimals) {
  if (std::abs(v) < 1e-12) v = 0;  // no "-0"
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// m x 10^e, with m at the given decimals.
std::string scientific(double v, int mantissa_decimals) {
  if (v == 0) return "0";
  const int e = int(std::floor(std::log10(std::abs(v)) + 1e-9));
  std::string m = fixed(v / std::pow(10.0, e), mantissa_decimals);
  if (m == "1" || m == "-1") return (m == "-1" ? "-" : "") + std::string("10#u") + std::to_string(e) + "#d";
  return m + "\u00d710#u" + std::to_string(e) + "#d";
}

std::string decade(int e) {
  return "10#u" + std::to_string(e) + "#d";
}

// Linear ticks of values in [lo, hi], with labels.
void linear_ticks(double lo, double hi, int max_labels, std::vector<double>* major,
                  std::vector<double>* minor, std::vector<std::string>* labels) {
  const double step = nice_step(hi - lo, std::max(1, max_labels - 1));
  const double mantissa = step / std::pow(10.0, std::floor(std::log10(step) + 1e-9));
  const double minor_step = step / (std::abs(mantissa - 2) < 1e-6 ? 4 : 5);
  const double k0 = std::ceil(lo / minor_step - 1e-9);
  for (int i = 0; i < 200 && (k0 + i) * minor_step <= hi + 1e-9 * (hi - lo); ++i)
    minor->push_back((k0 + i) * minor_step);
  double biggest = 0;
  const double m0 = std::ceil(lo / step - 1e-9);
  for (int i = 0; i < 50 && (m0 + i) * step <= hi + 1e-9 * (hi - lo); ++i) {
    const double v = m0 + i == 0 ? 0.0 : (m0 + i) * step;
    major->push_back(v);
    biggest = std::max(biggest, std::abs(v));
  }
  const bool sci = biggest >= 1e5 || (biggest > 0 && biggest < 1e-3);
  const int d = decimals_for(step);
  for (double v : *major) {
    if (!sci) {
      labels->push_back(fixed(v, d));
    } else {
      const int e = int(std::floor(std::log10(std::abs(v == 0 ? 1 : v)) + 1e-9));
      labels->push_back(scientific(v, std::max(0, decimals_for(step / std::pow(10.0, e)))));
    }
  }
}

}  // namespace

Axis make_axis(double lo, double hi, bool log, double pad, int max_labels) {
  Axis a;
  a.log = log;
  max_labels = std::max(2, max_labels);
  double span = hi - lo;
  if (!(span > 1e-9 * std::max(std::abs(lo), std::abs(hi)))) {  // one value (to rounding): a range around it
    const double half = log ? 0.5 : (lo != 0 ? 0.1 * std::abs(lo) : 0.5);
    lo -= half, hi += half, span = hi - lo;
  } else {
    lo -= pad * span, hi += pad * span, span = hi - lo;
  }
  a.lo = lo, a.hi = hi;
  if (!log) {
    linear_ticks(lo, hi, max_labels, &a.major, &a.minor, &a.labels);
    return a;
  }
  // Log: labels at m x 10^e for the densest set of m that leaves room, or at every k-th decade; at values in
  // linear steps when the range holds too few of either.
  static const std::vector<std::vector<int>> sets = {
      {1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 5, 7}, {1, 2, 5}, {1}};
  const int e0 = int(std::floor(lo)), e1 = int(std::ceil(hi));
  for (const auto& set : sets) {
    const bool decades = set.size() == 1;
    const int stride = decades ? std::max(1, int(std::ceil(span / max_labels))) : 1;
    std::vector<std::pair<double, double>> at;  // (position, value)
    for (int e = e0; e <= e1; ++e)
      for (int m : set) {
        const double p = e + std::log10(double(m));
        if (p >= lo - 1e-9 && p <= hi + 1e-9 && e % stride == 0) at.emplace_back(p, m * std::pow(10.0, e));
      }
    double gap = INFINITY;
    for (size_t i = 1; i < at.size(); ++i) gap = std::min(gap, at[i].first - at[i - 1].first);
    if (at.size() < (decades ? 2u : 3u) || int(at.size()) > max_labels || gap < 0.5 * span / max_labels)
      continue;
    const bool plain = !decades && at.front().second >= 1e-3 && at.back().second < 1e5;
    for (const auto& [p, v] : at) {
      a.major.push_back(p);
      a.labels.push_back(decades ? decade(int(std::lround(p)))
                         : plain ? fixed(v, decimals_for(v))
                                 : scientific(v, 0));
    }
    for (int e = e0; e <= e1; ++e)
      for (int m = 1; m <= 9 && (m == 1 || stride == 1); ++m) {
        const double p = e + std::log10(double(m));
        const bool labelled = std::find(set.begin(), set.end(), m) != set.end() && e % stride == 0;
        if (p >= lo && p <= hi && !labelled) a.minor.push_back(p);
      }
    return a;
  }
  std::vector<double> major, minor;
  linear_ticks(std::pow(10.0, lo), std::pow(10.0, hi), max_labels, &major, &minor, &a.labels);
  for (double v : major) a.major.push_back(std::log10(v));
  for (double v : minor)
    if (v > 0) a.minor.push_back(std::log10(v));
  return a;
}

double draw_axes(Page& page, const Axis& x, const Axis& y, double label_px, bool grid) {
  const auto& vp = page.viewport_px();
  const double w = vp[2] - vp[0], h = vp[3] - vp[1];
  // World units per pixel, each way.
  const double ux = (x.hi - x.lo) / std::max(1.0, w), uy = (y.hi - y.lo) / std::max(1.0, h);
  const double major_px = std::max(4.0, 0.6 * label_px), minor_px = 0.6 * major_px;
  auto inside_x = [&](double v) { return v >= std::min(x.lo, x.hi) && v <= std::max(x.lo, x.hi); };
  auto inside_y = [&](double v) { return v >= std::min(y.lo, y.hi) && v <= std::max(y.lo, y.hi); };
  if (grid) {
    plcol0(Page::kGrid);
    plwidth(0.8);
    for (double v : x.major)
      if (inside_x(v)) pljoin(v, y.lo, v, y.hi);
    for (double v : y.major)
      if (inside_y(v)) pljoin(x.lo, v, x.hi, v);
  }
  plcol0(Page::kBlack);
  plwidth(1.0);
  plbox("bc", 0, 0, "bc", 0, 0);
  auto ticks_x = [&](const std::vector<double>& at, double len) {
    for (double v : at)
      if (inside_x(v)) pljoin(v, y.lo, v, y.lo + len * uy), pljoin(v, y.hi, v, y.hi - len * uy);
  };
  auto ticks_y = [&](const std::vector<double>& at, double len) {
    for (double v : at)
      if (inside_y(v)) pljoin(x.lo, v, x.lo + len * ux, v), pljoin(x.hi, v, x.hi - len * ux, v);
  };
  ticks_x(x.major, major_px);
  ticks_x(x.minor, minor_px);
  ticks_y(y.major, major_px);
  ticks_y(y.minor, minor_px);
  page.text_height(label_px);
  double widest = 0;
  for (size_t i = 0; i < x.major.size() && i < x.labels.size(); ++i)
    if (inside_x(x.major[i])) plmtex("b", 1.6, (x.major[i] - x.lo) / (x.hi - x.lo), 0.5, x.labels[i].c_str());
  for (size_t i = 0; i < y.major.size() && i < y.labels.size(); ++i)
    if (inside_y(y.major[i])) {
      plmtex("lv", 0.6, (y.major[i] - y.lo) / (y.hi - y.lo), 1.0, y.labels[i].c_str());
      widest = std::max(widest, text_width(y.labels[i], label_px));
    }
  return widest;
}

}  // namespace leap::util::plplot
