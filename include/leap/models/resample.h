// Down- and up-sampling blocks of the autoencoder, in 2-D or 3-D. Downsample: 2x2(x2) space-to-depth
// then a convolution; Upsample: a convolution then depth-to-space. Both convolutions start near
// identity (identity_init), so a fresh block is close to a pure space-to-depth (or its inverse).
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include "leap/models/padded_conv.h"

namespace leap::models {

// (B, C, X, Y(, Z)) -> (B, C r^d, X/r, Y/r(, Z/r)) for d spatial axes: channel c r^d + offset, the
// offset of the cell in its r^d block in row-major (x, y(, z)) order, as pixel_unshuffle in 2-D.
at::Tensor space_to_depth(const at::Tensor& x, int64_t r);
// Its inverse: (B, C r^d, X, Y(, Z)) -> (B, C, r X, r Y(, r Z)), as pixel_shuffle in 2-D.
at::Tensor depth_to_space(const at::Tensor& x, int64_t r);

class DownsampleImpl : public torch::nn::Module {
 public:
  // (B, in, X, Y(, Z)) -> (B, out, X/2, Y/2(, Z/2)); the convolution maps 2^d in channels to out.
  DownsampleImpl(int64_t in_channels, int64_t out_channels, int64_t kernel_size, Periodicity periodic,
                 bool identity_init = true);
  at::Tensor forward(const at::Tensor& x);
  PaddedConv conv{nullptr};
};
TORCH_MODULE(Downsample);

class UpsampleImpl : public torch::nn::Module {
 public:
  // (B, in, X, Y(, Z)) -> (B, out, 2X, 2Y(, 2Z)); the convolution maps in channels to 2^d out.
  UpsampleImpl(int64_t in_channels, int64_t out_channels, int64_t kernel_size, Periodicity periodic,
               bool identity_init = true);
  at::Tensor forward(const at::Tensor& x);
  PaddedConv conv{nullptr};
};
TORCH_MODULE(Upsample);

}  // namespace leap::models
