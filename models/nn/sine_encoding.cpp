#include "leap/models/sine_encoding.h"

#include <ATen/ATen.h>

#include <string>

#include "leap/error.h"

namespace leap::models {

at::Tensor sine_encoding(const at::Tensor& x, int64_t features, double omega) {
  if (features < 2 || features % 2 != 0)
    throw Error("sine_encoding: features must be even and >= 2, got " + std::to_string(features));
  const int64_t half = features / 2;
  at::Tensor exponent = at::linspace(0.0, 1.0, half, x.options().dtype(at::kDouble));
  at::Tensor freqs = at::pow(omega, -exponent).to(x.scalar_type());
  at::Tensor angles = x.unsqueeze(-1) * freqs;
  return at::cat({at::sin(angles), at::cos(angles)}, -1);
}

}  // namespace leap::models
