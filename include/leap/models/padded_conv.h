// A 2-D or 3-D convolution with "same" padding chosen per spatial axis: circular on a periodic
// axis, zeros on an open one. Periodic axes are padded explicitly (F::pad, circular); open axes by
// the convolution's own zero padding, which copies nothing. The number of spatial axes is the
// length of the periodicity (2: (B, C, X, Y) tensors, 3: (B, C, X, Y, Z)); the weights are the
// submodule "conv" (a Conv2d or a Conv3d), so 2-D checkpoints keep their parameter names.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <vector>

namespace leap::models {

// Per spatial axis (x = tensor dim 2, y = dim 3, z = dim 4): true where the boundary is periodic.
using Periodicity = std::vector<bool>;

class PaddedConvImpl : public torch::nn::Module {
 public:
  // periodic[a] is spatial axis a (tensor dim 2 + a); 2 or 3 axes.
  PaddedConvImpl(int64_t in_channels, int64_t out_channels, int64_t kernel_size, Periodicity periodic);
  at::Tensor forward(const at::Tensor& x);

  // Pads x as the convolution sees it, zeros included (exposed for tests and for reuse).
  at::Tensor pad(const at::Tensor& x) const;
  // Pads the periodic axes only (what forward pads explicitly).
  at::Tensor circular_pad(const at::Tensor& x) const;
  // Identity-like initialisation: weight <- eye + scale * weight, bias <- 0, where output channel i
  // copies input channel (i mod in_channels) at the kernel centre.
  void identity_init(double scale = 1e-2);

  int spatial_dims() const { return int(periodic_.size()); }
  at::Tensor& weight();
  at::Tensor& bias();

 private:
  int64_t in_channels_, out_channels_, kernel_size_;
  Periodicity periodic_;
  torch::nn::Conv2d conv2d_{nullptr};
  torch::nn::Conv3d conv3d_{nullptr};
};
TORCH_MODULE(PaddedConv);

}  // namespace leap::models
