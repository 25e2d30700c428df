#include "leap/metrics/power_spectrum.h"

#include <ATen/ATen.h>

#include <cmath>

namespace leap::metrics {

namespace {

// Radial frequency |k| in cycles/pixel of every FFT coefficient of an X x Y grid.
at::Tensor radial_frequency(int64_t X, int64_t Y) {
  const auto opts = at::TensorOptions().dtype(at::kDouble);
  const auto fx = at::fft_fftfreq(X, 1.0, opts).view({X, 1});
  const auto fy = at::fft_fftfreq(Y, 1.0, opts).view({1, Y});
  return (fx.pow(2) + fy.pow(2)).sqrt();
}

}  // namespace

IsotropicSpectrum isotropic_spectrum(const at::Tensor& x) {
  const int64_t X = x.size(-2), Y = x.size(-1);
  const int64_t n = std::max(X, Y);
  const auto f = at::fft_fft2(x.to(at::kDouble), c10::nullopt, {-2, -1});
  const auto p = at::abs(f).pow(2) / double(X * Y);
  const auto k = radial_frequency(X, Y);
  // Ring r holds frequencies in [(r + 0.5)/n, (r + 1.5)/n): ring centres (r + 1)/n, r = 0 .. n/2 - 1.
  const int64_t R = n / 2;
  const auto ring = at::floor(k * double(n) - 0.5).to(at::kLong);  // -1 for the DC term
  auto lead = p.sizes().vec();
  lead.pop_back();
  lead.pop_back();
  const auto flat = p.reshape({-1, X * Y});
  const auto ring_flat = ring.reshape({X * Y});
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

at::Tensor spectrum_error(const at::Tensor& u, const at::Tensor& v) {
  const auto su = isotropic_spectrum(u), sv = isotropic_spectrum(v);
  const auto ratio = (sv.power + kSpectrumEps) / (su.power + kSpectrumEps);
  const auto sq = (1.0 - ratio).pow(2);
  const auto edges = spectrum_band_edges(std::max(u.size(-2), u.size(-1)));
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
