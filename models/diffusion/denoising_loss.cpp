#include "leap/models/denoising_loss.h"

#include <ATen/ATen.h>

#include <vector>

#include "leap/error.h"
#include "leap/models/context_mask.h"
#include "leap/models/preconditioning.h"

namespace leap::models {

at::Tensor denoising_loss(Denoiser& denoiser, const at::Tensor& x, const at::Tensor& mask,
                          const at::Tensor& theta, const at::Tensor& sigma, const at::Tensor& noise) {
  std::vector<int64_t> scalar_shape(size_t(x.dim()), 1);  // (B, 1, ..., 1) for any window rank
  scalar_shape[0] = x.size(0);
  const at::Tensor s = sigma.reshape(scalar_shape).to(x.scalar_type());
  const at::Tensor x_t = x + s * noise;
  const at::Tensor d = denoiser->forward(x_t, sigma, mask, x, theta);
  const at::Tensor unknown = broadcast_mask(at::logical_not(mask.to(x.device(), at::kBool)), x.dim())
                                 .to(x.scalar_type())
                                 .expand_as(x);
  const at::Tensor count = unknown.sum();
  if (count.item<double>() == 0) throw Error("denoising_loss: every frame of every window is known");
  return (denoiser->loss_weight(sigma.reshape({-1}).to(x.scalar_type()), mask, x.dim()) * at::square(d - x) *
          unknown)
             .sum() /
         count;
}

at::Tensor denoising_loss(Denoiser& denoiser, const at::Tensor& x, const at::Tensor& mask,
                          const at::Tensor& theta) {
  const at::Tensor t = at::rand({x.size(0)}, x.options());
  const at::Tensor sigma = denoiser->schedule().sigma(t);
  return denoising_loss(denoiser, x, mask, theta, sigma, at::randn_like(x));
}

}  // namespace leap::models
