#include "leap/models/channel_layer_norm.h"

#include <ATen/ATen.h>

namespace leap::models {

at::Tensor ChannelLayerNormImpl::forward(const at::Tensor& x) {
  const at::Tensor centred = x - x.mean({1}, /*keepdim=*/true);
  return centred * at::rsqrt(at::square(centred).mean({1}, /*keepdim=*/true) + eps_);
}

}  // namespace leap::models
