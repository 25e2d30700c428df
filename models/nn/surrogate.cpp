#include "leap/models/surrogate.h"

#include <ATen/ATen.h>

#include <string>
#include <vector>

#include "leap/error.h"
#include "leap/models/context_mask.h"

namespace leap::models {

SurrogateImpl::SurrogateImpl(int64_t channels, ViTConfig vit) : channels_(channels) {
  // Input: known frames (unknown ones zeroed) + mask channel.
  net = register_module("net", ViT(std::move(vit), channels + 1, channels, /*time_conditioned=*/false));
}

at::Tensor SurrogateImpl::forward(const at::Tensor& context, const at::Tensor& mask,
                                  const at::Tensor& theta) {
  const int64_t rank = 3 + net->spatial_dims();  // (B, C, T, X, Y(, Z))
  if (context.dim() != rank || context.size(1) != channels_)
    throw InputError("Surrogate: expected a (B, " + std::to_string(channels_) + ", T" +
                     (rank == 6 ? ", X, Y, Z" : ", X, Y") + ") window, found " + c10::str(context.sizes()));
  const int64_t B = context.size(0), T = context.size(2);
  if (mask.dim() != 2 || mask.size(0) != B || mask.size(1) != T)
    throw InputError("Surrogate: expected a (" + std::to_string(B) + ", " + std::to_string(T) +
                     ") mask, found " + c10::str(mask.sizes()));
  const at::Tensor m = broadcast_mask(mask.to(context.device(), at::kBool), rank);
  const at::Tensor known = at::where(m, context, at::zeros({}, context.options()));
  std::vector<int64_t> channel_shape = context.sizes().vec();
  channel_shape[1] = 1;
  const at::Tensor channel = m.to(context.scalar_type()).expand(channel_shape);
  at::Tensor y = net->forward(at::cat({known, channel}, 1), at::Tensor(), theta);
  return at::where(m, context, y);
}

at::Tensor surrogate_loss(Surrogate& surrogate, const at::Tensor& x, const at::Tensor& mask,
                          const at::Tensor& theta) {
  const at::Tensor y = surrogate->forward(x, mask, theta);
  const at::Tensor unknown = broadcast_mask(at::logical_not(mask.to(x.device(), at::kBool)), x.dim())
                                 .to(x.scalar_type())
                                 .expand_as(x);
  const at::Tensor count = unknown.sum();
  if (count.item<double>() == 0) throw Error("surrogate_loss: every frame of every window is known");
  return (at::square(y - x) * unknown).sum() / count;
}

}  // namespace leap::models
