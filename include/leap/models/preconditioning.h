// EDM preconditioning for a variance-exploding process with unit data scale (Karras et al. 2022,
// as used by Rozet et al.): D(x_t) = c_skip x_t + c_out F(c_in x_t, c_noise) with
//   c_in = 1 / sqrt(1 + sigma^2), c_out = sigma / sqrt(1 + sigma^2), c_skip = 1 / (1 + sigma^2),
//   c_noise = 10 log(sigma),
// and the EDM loss weight 1 / c_out^2 = (1 + sigma^2) / sigma^2.
// With a data scale s (sigma_data, a tensor broadcastable against sigma: the anchored denoiser's
// scale of each frame's departure from its anchor): c_in = 1 / sqrt(sigma^2 + s^2),
// c_out = sigma s / sqrt(sigma^2 + s^2), c_skip = s^2 / (sigma^2 + s^2), loss weight
// (sigma^2 + s^2) / (sigma s)^2; s = 1 gives the unit-scale coefficients.
#pragma once

#include <ATen/core/Tensor.h>

namespace leap::models {

struct Preconditioning {
  at::Tensor c_in, c_out, c_skip, c_noise;  // each shaped like sigma
};

Preconditioning edm_preconditioning(const at::Tensor& sigma);
at::Tensor edm_loss_weight(const at::Tensor& sigma);
Preconditioning edm_preconditioning(const at::Tensor& sigma, const at::Tensor& sigma_data);
at::Tensor edm_loss_weight(const at::Tensor& sigma, const at::Tensor& sigma_data);

}  // namespace leap::models
