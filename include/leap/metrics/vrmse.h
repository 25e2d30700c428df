// Variance-scaled RMSE (The Well, "Lost in Latent Space"): per field,
//   VRMSE = sqrt( mean((u - v)^2) / (var(u) + 1e-6) ),
// mean and variance over the spatial axes; u is the reference (solver), v the estimate.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <vector>

namespace leap::metrics {

constexpr double kVrmseEps = 1e-6;

// u, v: [..., C, X, Y] -> [..., C]; with spatial_dims 3, [..., C, X, Y, Z] -> [..., C].
at::Tensor vrmse(const at::Tensor& u, const at::Tensor& v, int spatial_dims = 2);
// The same VRMSE, averaged over the C channels, of a field held in blocks by several processes
// (e.g. MPI ranks, each with its part of the grid): u, v are this process's cells, channel fastest
// ([cells][C]). Two passes (the mean first, then the squared deviations from it, as vrmse above), in
// double; `sum_all` sums a vector over every process in place (an MPI_Allreduce; identity for one).
double vrmse_blocks(const float* u, const float* v, int64_t cells, int64_t channels,
                    const std::function<void(std::vector<double>&)>& sum_all);

// Plain RMSE over space: [..., C, X, Y] -> [..., C] (spatial_dims as above)
at::Tensor rmse(const at::Tensor& u, const at::Tensor& v, int spatial_dims = 2);

}  // namespace leap::metrics
