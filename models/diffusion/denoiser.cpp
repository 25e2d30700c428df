#include "leap/models/denoiser.h"

#include <ATen/ATen.h>

#include <string>
#include <utility>
#include <vector>

#include "leap/error.h"
#include "leap/models/anchor.h"
#include "leap/models/context_mask.h"
#include "leap/models/preconditioning.h"

namespace leap::models {

DenoiserImpl::DenoiserImpl(int64_t channels, ViTConfig vit, ScheduleConfig schedule,
                           std::vector<double> lead_scales)
    : channels_(channels), schedule_(schedule), lead_scales_(std::move(lead_scales)) {
  for (double s : lead_scales_)
    if (!(s > 0)) throw InputError("Denoiser: lead scales must be positive, found " + std::to_string(s));
  if (!lead_scales_.empty()) lead_table_ = register_buffer("lead_table", lead_table(lead_scales_));
  // Input: noisy window (C) + mask (1) + clean context (C).
  net = register_module("net", ViT(std::move(vit), 2 * channels + 1, channels, /*time_conditioned=*/true));
}

at::Tensor DenoiserImpl::forward(const at::Tensor& x_t, const at::Tensor& sigma, const at::Tensor& mask,
                                 const at::Tensor& context, const at::Tensor& theta) {
  const int64_t rank = 3 + net->spatial_dims();  // (B, C, T, X, Y(, Z))
  if (x_t.dim() != rank || x_t.size(1) != channels_ || !context.sizes().equals(x_t.sizes()))
    throw InputError("Denoiser: expected x_t and context of shape (B, " + std::to_string(channels_) + ", T" +
                     (rank == 6 ? ", X, Y, Z" : ", X, Y") + "), found " + c10::str(x_t.sizes()) + " and " +
                     c10::str(context.sizes()));
  const int64_t B = x_t.size(0), T = x_t.size(2);
  if (mask.dim() != 2 || mask.size(0) != B || mask.size(1) != T)
    throw InputError("Denoiser: expected a (" + std::to_string(B) + ", " + std::to_string(T) +
                     ") mask, found " + c10::str(mask.sizes()));
  std::vector<int64_t> scalar_shape(size_t(rank), 1), channel_shape = x_t.sizes().vec();
  scalar_shape[0] = B;
  channel_shape[1] = 1;
  const at::Tensor sigma_b = sigma.reshape({-1}).to(x_t.scalar_type()).expand({B});
  const at::Tensor m = broadcast_mask(mask.to(x_t.device(), at::kBool), rank);
  const at::Tensor clean = at::where(m, context, at::zeros({}, x_t.options()));
  const at::Tensor channel = m.to(x_t.scalar_type()).expand(channel_shape);
  if (lead_scales_.empty()) {
    const Preconditioning pc = edm_preconditioning(sigma_b);
    auto per_sample = [&scalar_shape](const at::Tensor& c) { return c.reshape(scalar_shape); };
    const at::Tensor noisy = at::where(m, context, per_sample(pc.c_in) * x_t);
    const at::Tensor f = net->forward(at::cat({noisy, channel, clean}, 1), pc.c_noise, theta);
    const at::Tensor d = per_sample(pc.c_skip) * x_t + per_sample(pc.c_out) * f;
    return at::where(m, context, d);
  }
  const at::Tensor a = anchor_frame(mask, context);
  const at::Tensor s = anchor_scale(mask, rank, lead_table_, x_t.options());
  const Preconditioning pc = edm_preconditioning(sigma_b.reshape(scalar_shape), s);
  const at::Tensor departure = x_t - a;
  const at::Tensor noisy = at::where(m, context, pc.c_in * departure);
  const at::Tensor f = net->forward(at::cat({noisy, channel, clean}, 1), 10 * at::log(sigma_b), theta);
  const at::Tensor d = a + pc.c_skip * departure + pc.c_out * f;
  return at::where(m, context, d);
}

at::Tensor DenoiserImpl::loss_weight(const at::Tensor& sigma, const at::Tensor& mask, int64_t rank) const {
  std::vector<int64_t> scalar_shape(size_t(rank), 1);
  scalar_shape[0] = sigma.numel();
  const at::Tensor s = sigma.reshape(scalar_shape);
  if (lead_scales_.empty()) return edm_loss_weight(s);
  return edm_loss_weight(s, anchor_scale(mask, rank, lead_table_, sigma.options()));
}

}  // namespace leap::models
