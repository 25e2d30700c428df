#include "leap/metrics/power_spectrum.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "leap/error.h"

namespace leap::metrics {

namespace {

// The last `spatial_dims` dimensions of x and their sizes; refuses anything but 2 or 3.
std::vector<int64_t> spatial_axes(const at::Tensor& x, int spatial_dims) {
  if ((spatial_dims != 2 && spatial_dims != 3) || x.dim() < spatial_dims + 1)
    throw InputError("power spectrum: expected [..., C, X, Y] (2-D) or [..., C, X, Y, Z] (3-D), got a " +
                     std::to_string(x.dim()) + "-d tensor with spatial_dims " + std::to_string(spatial_dims));
  std::vector<int64_t> axes;
  for (int64_t k = -spatial_dims; k < 0; ++k) axes.push_back(k);
  return axes;
}

// Radial frequency |k| in cycles/pixel of every FFT coefficient of a grid of these sizes (the
// spectrum's rings in 2-D, its spherical shells in 3-D).
at::Tensor radial_frequency(const std::vector<int64_t>& sizes) {
  const auto opts = at::TensorOptions().dtype(at::kDouble);
  at::Tensor k2;
  for (size_t a = 0; a < sizes.size(); ++a) {
    std::vector<int64_t> shape(sizes.size(), 1);
    shape[a] = sizes[a];
    const auto f = at::fft_fftfreq(sizes[a], 1.0, opts).view(shape).pow(2);
    k2 = k2.defined() ? k2 + f : f;
  }
  return k2.sqrt();
}

int64_t largest_side(const at::Tensor& x, int spatial_dims) {
  int64_t n = 0;
  for (int64_t k = -spatial_dims; k < 0; ++k) n = std::max(n, x.size(k));
  return n;
}

}  // namespace

IsotropicSpectrum isotropic_spectrum(const at::Tensor& x, int spatial_dims) {
  const std::vector<int64_t> axes = spatial_axes(x, spatial_dims);
  std::vector<int64_t> sizes;
  int64_t cells = 1;
  for (const int64_t a : axes) {
    sizes.push_back(x.size(a));
    cells *= x.size(a);
  }
  const int64_t n = largest_side(x, spatial_dims);
  const auto f = at::fft_fftn(x.to(at::kDouble), c10::nullopt, axes);
  const auto p = at::abs(f).pow(2) / double(cells);
  const auto k = radial_frequency(sizes);
  // Ring (shell) r holds frequencies in [(r + 0.5)/n, (r + 1.5)/n): centres (r + 1)/n, r = 0 .. n/2 - 1.
  const int64_t R = n / 2;
  const auto ring = at::floor(k * double(n) - 0.5).to(at::kLong);  // -1 for the DC term
  auto lead = p.sizes().vec();
  lead.resize(lead.size() - size_t(spatial_dims));
  const auto flat = p.reshape({-1, cells});
  const auto ring_flat = ring.reshape({cells});
  std::vector<at::Tensor> rings;
  for (int64_t r = 0; r < R; ++r) {
    const auto mask = (ring_flat == r);
    rings.push_back(flat.index({at::indexing::Slice(), mask}).mean(-1));
  }
  auto power = at::stack(rings, -1);
  lead.push_back(R);
  IsotropicSpectrum out;
  out.power = power.reshape(lead);
  out.frequency = (at::arange(R, at::TensorOptions().dtype(at::kDouble)) + 1.0) / double(n);
  return out;
}

std::vector<double> spectrum_band_edges(int64_t n) {
  const double lo = std::log(1.0 / double(n)), hi = std::log(0.5);
  std::vector<double> edges;
  for (int b = 0; b <= kSpectrumBands; ++b) edges.push_back(std::exp(lo + (hi - lo) * b / kSpectrumBands));
  return edges;
}

at::Tensor spectrum_error(const at::Tensor& u, const at::Tensor& v, int spatial_dims) {
  const auto su = isotropic_spectrum(u, spatial_dims), sv = isotropic_spectrum(v, spatial_dims);
  const auto ratio = (sv.power + kSpectrumEps) / (su.power + kSpectrumEps);
  const auto sq = (1.0 - ratio).pow(2);
  const auto edges = spectrum_band_edges(largest_side(u, spatial_dims));
  std::vector<at::Tensor> bands;
  for (int b = 0; b < kSpectrumBands; ++b) {
    // Rings whose centre lies in [edge_b, edge_b+1] (the last band includes 0.5).
    auto in = (su.frequency >= edges[b] * (1 - 1e-12)) &
              (b + 1 == kSpectrumBands ? su.frequency <= edges[b + 1] * (1 + 1e-12) : su.frequency < edges[b + 1]);
    if (!in.any().item<bool>()) in = (su.frequency - edges[b]).abs() == (su.frequency - edges[b]).abs().min();
    bands.push_back(sq.index({at::indexing::Ellipsis, in}).mean(-1).sqrt());
  }
  return at::stack(bands, -1);
}

}  // namespace leap::metrics
