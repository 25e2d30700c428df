// Isotropic power spectra and the spectral error of "Lost in Latent Space": the spectrum of each
// field is |FFT|^2 averaged over rings (2-D) or spherical shells (3-D) of radial frequency |k| (width
// 1/N cycles/pixel, N the largest side); the error in a
// band of frequencies is sqrt(mean over the band's rings of (1 - (p_v + eps)/(p_u + eps))^2),
// with three log-spaced bands between the lowest non-zero frequency and 0.5 cycles/pixel.
#pragma once

#include <ATen/core/Tensor.h>

#include <vector>

namespace leap::metrics {

constexpr double kSpectrumEps = 1e-6;
constexpr int kSpectrumBands = 3;

struct IsotropicSpectrum {
  at::Tensor frequency;  // [R] ring centres in cycles/pixel (1/N .. 0.5)
  at::Tensor power;      // [..., C, R]
};

// x: [..., C, X, Y], or [..., C, X, Y, Z] with spatial_dims 3 (equal sides not required: frequencies
// are in cycles/pixel along each axis)
IsotropicSpectrum isotropic_spectrum(const at::Tensor& x, int spatial_dims = 2);
// Band edges (kSpectrumBands + 1 values) for a grid of n points per side.
std::vector<double> spectrum_band_edges(int64_t n);
// u (reference), v: [..., C, X, Y] (or [..., C, X, Y, Z]) -> [..., C, kSpectrumBands]
at::Tensor spectrum_error(const at::Tensor& u, const at::Tensor& v, int spatial_dims = 2);

}  // namespace leap::metrics
