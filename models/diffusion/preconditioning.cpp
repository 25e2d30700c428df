#include "leap/models/preconditioning.h"

#include <ATen/ATen.h>

namespace leap::models {

Preconditioning edm_preconditioning(const at::Tensor& sigma) {
  at::Tensor s2 = at::square(sigma);
  Preconditioning p;
  p.c_in = at::rsqrt(1 + s2);
  p.c_out = sigma * p.c_in;
  p.c_skip = 1 / (1 + s2);
  p.c_noise = 10 * at::log(sigma);
  return p;
}

at::Tensor edm_loss_weight(const at::Tensor& sigma) {
  return (1 + at::square(sigma)) / at::square(sigma);
}

Preconditioning edm_preconditioning(const at::Tensor& sigma, const at::Tensor& sigma_data) {
  const at::Tensor s2 = at::square(sigma_data);
  const at::Tensor r = at::rsqrt(at::square(sigma) + s2);
  Preconditioning p;
  p.c_in = r;
  p.c_out = sigma * sigma_data * r;
  p.c_skip = s2 * at::square(r);
  p.c_noise = 10 * at::log(sigma);
  return p;
}

at::Tensor edm_loss_weight(const at::Tensor& sigma, const at::Tensor& sigma_data) {
  return (at::square(sigma) + at::square(sigma_data)) / at::square(sigma * sigma_data);
}

}  // namespace leap::models
