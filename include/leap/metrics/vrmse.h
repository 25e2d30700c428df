// Variance-scaled RMSE (The Well, "Lost in Latent Space"): per field,
//   VRMSE = sqrt( mean((u - v)^2) / (var(u) + 1e-6) ),
// mean and variance over the spatial axes; u is the reference (solver), v the estimate.
#pragma once

#include <ATen/core/Tensor.h>

namespace leap::metrics {

constexpr double kVrmseEps = 1e-6;

// u, v: [..., C, X, Y] -> [..., C]
at::Tensor vrmse(const at::Tensor& u, const at::Tensor& v);
// Plain RMSE over space: [..., C, X, Y] -> [..., C]
at::Tensor rmse(const at::Tensor& u, const at::Tensor& v);

}  // namespace leap::metrics
