// EDM preconditioning for a variance-exploding process with unit data scale (Karras et al. 2022,
// as used by Rozet et al.): D(x_t) = c_skip x_t + c_out F(c_in x_t, c_noise) with
//   c_in = 1 / sqrt(1 + sigma^2), c_out = sigma / sqrt(1 + sigma^2), c_skip = 1 / (1 + sigma^2),
//   c_noise = 10 log(sigma),
// and the EDM loss weight 1 / c_out^2 = (1 + sigma^2) / sigma^2.
#pragma once

#include <ATen/core/Tensor.h>

namespace leap::models {

struct Preconditioning {
  at::Tensor c_in, c_out, c_skip, c_noise;  // each shaped like sigma
};

Preconditioning edm_preconditioning(const at::Tensor& sigma);
at::Tensor edm_loss_weight(const at::Tensor& sigma);

}  // namespace leap::models
