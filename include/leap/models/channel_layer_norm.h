// Layer normalisation over the channel axis of a (B, C, ...) tensor, without affine parameters:
// y = (x - mean_C(x)) / sqrt(var_C(x) + eps) at every position.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

namespace leap::models {

class ChannelLayerNormImpl : public torch::nn::Module {
 public:
  explicit ChannelLayerNormImpl(double eps = 1e-5) : eps_(eps) {}
  at::Tensor forward(const at::Tensor& x);

 private:
  double eps_;
};
TORCH_MODULE(ChannelLayerNorm);

}  // namespace leap::models
