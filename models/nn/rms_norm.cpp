#include "leap/models/rms_norm.h"

#include <ATen/ATen.h>
#include <torch/version.h>

namespace leap::models {

at::Tensor rms_norm(const at::Tensor& x, double eps) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
  // One fused kernel on CUDA (LibTorch >= 2.4); the same formula.
  return at::rms_norm(x, {x.size(-1)}, c10::nullopt, eps);
#else
  return x * at::rsqrt(at::mean(at::square(x), {-1}, /*keepdim=*/true) + eps);
#endif
}

}  // namespace leap::models
