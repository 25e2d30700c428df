// Residual block of the autoencoder: x + conv(dropout(silu(conv(layernorm_C(x))))), the last
// convolution scaled by 1e-2 at initialisation so the block starts near identity.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/pimpl.h>

#include "leap/models/channel_layer_norm.h"
#include "leap/models/padded_conv.h"

namespace leap::models {

class ResidualBlockImpl : public torch::nn::Module {
 public:
  ResidualBlockImpl(int64_t channels, int64_t kernel_size, Periodicity periodic, double dropout);
  at::Tensor forward(const at::Tensor& x);

  ChannelLayerNorm norm{nullptr};
  PaddedConv conv1{nullptr}, conv2{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(ResidualBlock);

}  // namespace leap::models
