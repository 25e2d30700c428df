// Ensemble scores. With K members v_k and the reference u:
//   skill  = RMSE of the ensemble mean                   = sqrt(mean((u - vbar)^2))
//   spread = sqrt((K + 1)/(K - 1) * mean((v - vbar)^2))  (calibrated ensembles: spread/skill ~ 1)
//   CRPS   = mean_k |v_k - u| - 1/(2 K^2) sum_{k,l} |v_k - v_l|   (pointwise, then averaged)
// Members along dimension 0: ensemble [K, ..., C, X, Y], reference [..., C, X, Y]; results [..., C].
// With spatial_dims 3 the fields are [..., C, X, Y, Z].
#pragma once

#include <ATen/core/Tensor.h>

namespace leap::metrics {

at::Tensor ensemble_skill(const at::Tensor& u, const at::Tensor& ensemble, int spatial_dims = 2);
at::Tensor ensemble_spread(const at::Tensor& ensemble, int spatial_dims = 2);
at::Tensor crps(const at::Tensor& u, const at::Tensor& ensemble, int spatial_dims = 2);

}  // namespace leap::metrics
