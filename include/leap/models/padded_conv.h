// A 2-D convolution with "same" padding chosen per spatial axis: circular on a periodic axis, zeros
// on an open one. Periodic axes are padded explicitly (F::pad, circular); open axes by the
// convolution's own zero padding, which copies nothing.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <array>

namespace leap::models {

// Per spatial axis (x = tensor dim 2, y = dim 3): true where the boundary is periodic.
using Periodicity = std::array<bool, 2>;

class PaddedConv2dImpl : public torch::nn::Module {
 public:
  // periodic[0] is the first spatial axis (tensor dim 2, x), periodic[1] the second (dim 3, y).
  PaddedConv2dImpl(int64_t in_channels, int64_t out_channels, int64_t kernel_size,
                   std::array<bool, 2> periodic);
  at::Tensor forward(const at::Tensor& x);

  // Pads x as the convolution sees it, zeros included (exposed for tests and for reuse).
  at::Tensor pad(const at::Tensor& x) const;
  // Pads the periodic axes only (what forward pads explicitly).
  at::Tensor circular_pad(const at::Tensor& x) const;
  // Identity-like initialisation: weight <- eye + scale * weight, bias <- 0, where output channel i
  // copies input channel (i mod in_channels) at the kernel centre.
  void identity_init(double scale = 1e-2);

  torch::nn::Conv2d conv{nullptr};

 private:
  int64_t in_channels_, out_channels_, kernel_size_;
  std::array<bool, 2> periodic_;
};
TORCH_MODULE(PaddedConv2d);

}  // namespace leap::models
