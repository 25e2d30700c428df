#include "leap/models/padded_conv.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <torch/nn/functional/padding.h>

#include "leap/error.h"

namespace leap::models {

namespace F = torch::nn::functional;

PaddedConvImpl::PaddedConvImpl(int64_t in_channels, int64_t out_channels, int64_t kernel_size,
                               Periodicity periodic)
    : in_channels_(in_channels),
      out_channels_(out_channels),
      kernel_size_(kernel_size),
      periodic_(std::move(periodic)) {
  if (kernel_size % 2 == 0)
    throw Error("PaddedConv: kernel size must be odd, got " + std::to_string(kernel_size));
  if (periodic_.size() == 2)
    conv2d_ = register_module(
        "conv",
        torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels, kernel_size).padding(0)));
  else if (periodic_.size() == 3)
    conv3d_ = register_module(
        "conv",
        torch::nn::Conv3d(torch::nn::Conv3dOptions(in_channels, out_channels, kernel_size).padding(0)));
  else
    throw Error("PaddedConv: 2 or 3 spatial axes, got " + std::to_string(periodic_.size()));
}

at::Tensor& PaddedConvImpl::weight() {
  return conv2d_ ? conv2d_->weight : conv3d_->weight;
}
at::Tensor& PaddedConvImpl::bias() {
  return conv2d_ ? conv2d_->bias : conv3d_->bias;
}

// F::pad's list runs from the last dimension backwards: {last_lo, last_hi, ..., first_lo, first_hi}.
namespace {
std::vector<int64_t> pad_list(const Periodicity& periodic, int64_t p, bool on_periodic) {
  std::vector<int64_t> v;
  for (auto a = periodic.size(); a-- > 0;) {
    const int64_t q = periodic[a] == on_periodic ? p : 0;
    v.insert(v.end(), {q, q});
  }
  return v;
}
bool any(const std::vector<int64_t>& v) {
  for (const auto x : v)
    if (x) return true;
  return false;
}
}  // namespace

at::Tensor PaddedConvImpl::pad(const at::Tensor& x) const {
  const int64_t p = kernel_size_ / 2;
  if (p == 0) return x;
  at::Tensor y = circular_pad(x);
  const auto zeros = pad_list(periodic_, p, false);
  if (any(zeros)) y = F::pad(y, F::PadFuncOptions(zeros).mode(torch::kConstant).value(0.0));
  return y;
}

at::Tensor PaddedConvImpl::circular_pad(const at::Tensor& x) const {
  const int64_t p = kernel_size_ / 2;
  if (p == 0) return x;
  const auto wrap = pad_list(periodic_, p, true);
  if (!any(wrap)) return x;
  return F::pad(x, F::PadFuncOptions(wrap).mode(torch::kCircular));
}

at::Tensor PaddedConvImpl::forward(const at::Tensor& x) {
  // Zeros on open axes come from the convolution's own padding (no copy of the input); only the
  // periodic axes are padded explicitly.
  const int64_t p = kernel_size_ / 2;
  std::vector<int64_t> zeros, ones(periodic_.size(), 1);
  for (const bool per : periodic_) zeros.push_back(per ? 0 : p);
  if (conv2d_) return at::conv2d(circular_pad(x), conv2d_->weight, conv2d_->bias, ones, zeros);
  return at::conv3d(circular_pad(x), conv3d_->weight, conv3d_->bias, ones, zeros);
}

void PaddedConvImpl::identity_init(double scale) {
  c10::NoGradGuard no_grad;
  at::Tensor& w = weight();  // (out, in, k, k(, k))
  const int64_t c = kernel_size_ / 2;
  at::Tensor eye = at::zeros_like(w);
  for (int64_t i = 0; i < out_channels_; ++i) {
    at::Tensor centre = eye[i][i % in_channels_];
    for (size_t a = 0; a < periodic_.size(); ++a) centre = centre[c];
    centre.fill_(1.0);
  }
  w.mul_(scale).add_(eye);
  if (bias().defined()) bias().zero_();
}

}  // namespace leap::models
