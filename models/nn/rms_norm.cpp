#include "leap/models/rms_norm.h"

#include <ATen/ATen.h>

namespace leap::models {

at::Tensor rms_norm(const at::Tensor& x, double eps) {
  return x * at::rsqrt(at::mean(at::square(x), {-1}, /*keepdim=*/true) + eps);
}

}  // namespace leap::models
