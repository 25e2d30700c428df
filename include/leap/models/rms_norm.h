// Root-mean-square normalisation over the last axis, without affine parameters:
// y = x / sqrt(mean(x^2) + eps).
#pragma once

#include <ATen/core/Tensor.h>

namespace leap::models {

at::Tensor rms_norm(const at::Tensor& x, double eps = 1e-5);

}  // namespace leap::models
