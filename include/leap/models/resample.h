// Down- and up-sampling blocks of the autoencoder. Downsample: 2x2 space-to-depth (pixel unshuffle)
// then a convolution; Upsample: a convolution then depth-to-space (pixel shuffle). Both convolutions
// start near identity (identity_init), so a fresh block is close to a pure pixel (un)shuffle.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <array>

#include "leap/models/padded_conv.h"

namespace leap::models {

class DownsampleImpl : public torch::nn::Module {
 public:
  // (B, in, H, W) -> (B, out, H/2, W/2); the convolution maps 4*in channels to out.
  DownsampleImpl(int64_t in_channels, int64_t out_channels, int64_t kernel_size, std::array<bool, 2> periodic,
                 bool identity_init = true);
  at::Tensor forward(const at::Tensor& x);
  PaddedConv2d conv{nullptr};
};
TORCH_MODULE(Downsample);

class UpsampleImpl : public torch::nn::Module {
 public:
  // (B, in, H, W) -> (B, out, 2H, 2W); the convolution maps in channels to 4*out.
  UpsampleImpl(int64_t in_channels, int64_t out_channels, int64_t kernel_size, std::array<bool, 2> periodic,
               bool identity_init = true);
  at::Tensor forward(const at::Tensor& x);
  PaddedConv2d conv{nullptr};
};
TORCH_MODULE(Upsample);

}  // namespace leap::models
