#include "leap/metrics/vrmse.h"

#include <ATen/ATen.h>

namespace leap::metrics {

at::Tensor vrmse(const at::Tensor& u, const at::Tensor& v) {
  const auto ud = u.to(at::kDouble), vd = v.to(at::kDouble);
  const auto mse = (ud - vd).pow(2).mean({-2, -1});
  const auto var = ud.var({-2, -1}, /*unbiased=*/false);
  return (mse / (var + kVrmseEps)).sqrt();
}

at::Tensor rmse(const at::Tensor& u, const at::Tensor& v) {
  return (u.to(at::kDouble) - v.to(at::kDouble)).pow(2).mean({-2, -1}).sqrt();
}

}  // namespace leap::metrics
