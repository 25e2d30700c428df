// Sinusoidal encoding of scalars: e = [sin(x w_0..w_{D/2-1}), cos(x w_0..w_{D/2-1})] with
// frequencies w_i = omega^(-i / (D/2 - 1)), i.e. wavelengths from 1 to omega (log-spaced).
// Coordinates (L, N) (the ViT's (t, x, y) or (t, x, y, z)) encode as (L, N, D): each axis separately.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace leap::models {

// x: any shape (*); returns (*, features). features must be even.
at::Tensor sine_encoding(const at::Tensor& x, int64_t features, double omega = 1e3);

}  // namespace leap::models
