#include "leap/models/resample.h"

#include <ATen/ATen.h>

namespace leap::models {

DownsampleImpl::DownsampleImpl(int64_t in_channels, int64_t out_channels, int64_t kernel_size,
                               std::array<bool, 2> periodic, bool identity_init) {
  conv = register_module("conv", PaddedConv2d(4 * in_channels, out_channels, kernel_size, periodic));
  if (identity_init) conv->identity_init();
}

at::Tensor DownsampleImpl::forward(const at::Tensor& x) {
  return conv->forward(at::pixel_unshuffle(x, 2));
}

UpsampleImpl::UpsampleImpl(int64_t in_channels, int64_t out_channels, int64_t kernel_size,
                           std::array<bool, 2> periodic, bool identity_init) {
  conv = register_module("conv", PaddedConv2d(in_channels, 4 * out_channels, kernel_size, periodic));
  if (identity_init) conv->identity_init();
}

at::Tensor UpsampleImpl::forward(const at::Tensor& x) {
  return at::pixel_shuffle(conv->forward(x), 2);
}

}  // namespace leap::models
