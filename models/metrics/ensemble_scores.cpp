#include "leap/metrics/ensemble_scores.h"

#include <ATen/ATen.h>

#include "leap/error.h"

namespace leap::metrics {

namespace {
std::vector<int64_t> space(int spatial_dims) {  // {-2, -1} or {-3, -2, -1}
  std::vector<int64_t> d;
  for (int64_t k = -spatial_dims; k < 0; ++k) d.push_back(k);
  return d;
}
}  // namespace

at::Tensor ensemble_skill(const at::Tensor& u, const at::Tensor& ensemble, int spatial_dims) {
  const auto mean = ensemble.to(at::kDouble).mean(0);
  return (u.to(at::kDouble) - mean).pow(2).mean(space(spatial_dims)).sqrt();
}

at::Tensor ensemble_spread(const at::Tensor& ensemble, int spatial_dims) {
  const int64_t K = ensemble.size(0);
  if (K < 2) throw InputError("ensemble spread: needs at least 2 members, found " + std::to_string(K));
  const auto e = ensemble.to(at::kDouble);
  const auto var = (e - e.mean(0, true)).pow(2).mean(0);  // biased over members
  return (double(K + 1) / double(K - 1) * var.mean(space(spatial_dims))).sqrt();
}

at::Tensor crps(const at::Tensor& u, const at::Tensor& ensemble, int spatial_dims) {
  const int64_t K = ensemble.size(0);
  const auto e = ensemble.to(at::kDouble);
  const auto term1 = (e - u.to(at::kDouble).unsqueeze(0)).abs().mean(0);
  auto pair = at::zeros_like(term1);
  for (int64_t k = 0; k < K; ++k) pair += (e - e[k].unsqueeze(0)).abs().sum(0);
  const auto point = term1 - pair / (2.0 * double(K) * double(K));
  return point.mean(space(spatial_dims));
}

}  // namespace leap::metrics
