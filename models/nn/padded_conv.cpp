#include "leap/models/padded_conv.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <torch/nn/functional/padding.h>

#include "leap/error.h"

namespace leap::models {

namespace F = torch::nn::functional;

PaddedConv2dImpl::PaddedConv2dImpl(int64_t in_channels, int64_t out_channels, int64_t kernel_size,
                                   std::array<bool, 2> periodic)
    : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size), periodic_(periodic) {
  if (kernel_size % 2 == 0)
    throw Error("PaddedConv2d: kernel size must be odd, got " + std::to_string(kernel_size));
  conv = register_module(
      "conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels, kernel_size).padding(0)));
}

at::Tensor PaddedConv2dImpl::pad(const at::Tensor& x) const {
  const int64_t p = kernel_size_ / 2;
  if (p == 0) return x;
  at::Tensor y = circular_pad(x);
  const int64_t px = periodic_[0] ? 0 : p, py = periodic_[1] ? 0 : p;
  // Pad list order: last dim first, i.e. {y_left, y_right, x_left, x_right}.
  if (px || py) y = F::pad(y, F::PadFuncOptions({py, py, px, px}).mode(torch::kConstant).value(0.0));
  return y;
}

at::Tensor PaddedConv2dImpl::circular_pad(const at::Tensor& x) const {
  const int64_t p = kernel_size_ / 2;
  if (p == 0) return x;
  if (periodic_[0] && periodic_[1])  // both axes in one call
    return F::pad(x, F::PadFuncOptions({p, p, p, p}).mode(torch::kCircular));
  if (periodic_[0]) return F::pad(x, F::PadFuncOptions({0, 0, p, p}).mode(torch::kCircular));
  if (periodic_[1]) return F::pad(x, F::PadFuncOptions({p, p, 0, 0}).mode(torch::kCircular));
  return x;
}

at::Tensor PaddedConv2dImpl::forward(const at::Tensor& x) {
  // Zeros on open axes come from the convolution's own padding (no copy of the input); only the
  // periodic axes are padded explicitly.
  const int64_t p = kernel_size_ / 2;
  const int64_t px = periodic_[0] ? 0 : p, py = periodic_[1] ? 0 : p;
  return at::conv2d(circular_pad(x), conv->weight, conv->bias, /*stride=*/{1, 1}, /*padding=*/{px, py});
}

void PaddedConv2dImpl::identity_init(double scale) {
  c10::NoGradGuard no_grad;
  auto& w = conv->weight;  // (out, in, k, k)
  const int64_t c = kernel_size_ / 2;
  at::Tensor eye = at::zeros_like(w);
  for (int64_t i = 0; i < out_channels_; ++i) eye[i][i % in_channels_][c][c] = 1.0;
  w.mul_(scale).add_(eye);
  if (conv->bias.defined()) conv->bias.zero_();
}

}  // namespace leap::models
