#include "leap/metrics/vrmse.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

namespace leap::metrics {

namespace {
// The last `spatial_dims` dimensions: {-2, -1} or {-3, -2, -1}.
std::vector<int64_t> trailing(int spatial_dims) {
  std::vector<int64_t> d;
  for (int64_t k = -spatial_dims; k < 0; ++k) d.push_back(k);
  return d;
}
}  // namespace

at::Tensor vrmse(const at::Tensor& u, const at::Tensor& v, int spatial_dims) {
  const auto ud = u.to(at::kDouble), vd = v.to(at::kDouble);
  const auto space = trailing(spatial_dims);
  const auto mse = (ud - vd).pow(2).mean(space);
  const auto var = ud.var(space, /*unbiased=*/false);
  return (mse / (var + kVrmseEps)).sqrt();
}

double vrmse_blocks(const float* u, const float* v, int64_t cells, int64_t channels,
                    const std::function<void(std::vector<double>&)>& sum_all) {
  const size_t C = size_t(channels);
  // Pass 1: per channel sum of u, and the cell count.
  std::vector<double> first(C + 1, 0.0);
  for (int64_t i = 0; i < cells; ++i)
    for (size_t c = 0; c < C; ++c) first[c] += double(u[size_t(i) * C + c]);
  first[C] = double(cells);
  sum_all(first);
  const double n = std::max(1.0, first[C]);
  // Pass 2: per channel sum of (u - mean)^2 and of (u - v)^2.
  std::vector<double> second(2 * C, 0.0);
  for (int64_t i = 0; i < cells; ++i)
    for (size_t c = 0; c < C; ++c) {
      const double a = double(u[size_t(i) * C + c]), d = a - first[c] / n,
                   e = a - double(v[size_t(i) * C + c]);
      second[2 * c] += d * d;
      second[2 * c + 1] += e * e;
    }
  sum_all(second);
  double total = 0;
  for (size_t c = 0; c < C; ++c)
    total += std::sqrt((second[2 * c + 1] / n) / (second[2 * c] / n + kVrmseEps));
  return C > 0 ? total / double(C) : 0.0;
}

at::Tensor rmse(const at::Tensor& u, const at::Tensor& v, int spatial_dims) {
  return (u.to(at::kDouble) - v.to(at::kDouble)).pow(2).mean(trailing(spatial_dims)).sqrt();
}

}  // namespace leap::metrics
