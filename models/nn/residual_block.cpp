#include "leap/models/residual_block.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

namespace leap::models {

ResidualBlockImpl::ResidualBlockImpl(int64_t channels, int64_t kernel_size, Periodicity periodic,
                                     double dropout_rate) {
  norm = register_module("norm", ChannelLayerNorm());
  conv1 = register_module("conv1", PaddedConv(channels, channels, kernel_size, periodic));
  conv2 = register_module("conv2", PaddedConv(channels, channels, kernel_size, periodic));
  dropout = register_module("dropout", torch::nn::Dropout(dropout_rate));
  c10::NoGradGuard no_grad;
  conv2->weight().mul_(1e-2);
}

at::Tensor ResidualBlockImpl::forward(const at::Tensor& x) {
  at::Tensor y = conv1->forward(norm->forward(x));
  y = dropout->forward(at::silu(y));
  return x + conv2->forward(y);
}

}  // namespace leap::models
