#include "leap/models/resample.h"

#include <ATen/ATen.h>

#include "leap/error.h"

namespace leap::models {

at::Tensor space_to_depth(const at::Tensor& x, int64_t r) {
  const int64_t d = x.dim() - 2;
  if (d < 1) throw Error("space_to_depth: expected (B, C, spatial...), found shape " + c10::str(x.sizes()));
  // (B, C, X, Y, ...) -> (B, C, X/r, r, Y/r, r, ...) -> (B, C, r, r, ..., X/r, Y/r, ...)
  std::vector<int64_t> split{x.size(0), x.size(1)}, order{0, 1}, out{x.size(0), x.size(1)};
  for (int64_t a = 0; a < d; ++a) {
    const int64_t n = x.size(2 + a);
    if (n % r != 0)
      throw Error("space_to_depth: axis of " + std::to_string(n) + " cells, not a multiple of " +
                  std::to_string(r));
    split.insert(split.end(), {n / r, r});
    order.push_back(3 + 2 * a);
    out[1] *= r;
  }
  for (int64_t a = 0; a < d; ++a) {
    order.push_back(2 + 2 * a);
    out.push_back(x.size(2 + a) / r);
  }
  return x.reshape(split).permute(order).reshape(out);
}

at::Tensor depth_to_space(const at::Tensor& x, int64_t r) {
  const int64_t d = x.dim() - 2;
  int64_t block = 1;
  for (int64_t a = 0; a < d; ++a) block *= r;
  if (d < 1 || x.size(1) % block != 0)
    throw Error("depth_to_space: expected (B, C r^d, spatial...), found shape " + c10::str(x.sizes()));
  // (B, C r^d, X, Y, ...) -> (B, C, r, r, ..., X, Y, ...) -> (B, C, X, r, Y, r, ...)
  std::vector<int64_t> split{x.size(0), x.size(1) / block}, order{0, 1}, out{x.size(0), x.size(1) / block};
  for (int64_t a = 0; a < d; ++a) split.push_back(r);
  for (int64_t a = 0; a < d; ++a) {
    split.push_back(x.size(2 + a));
    order.insert(order.end(), {2 + d + a, 2 + a});
    out.push_back(x.size(2 + a) * r);
  }
  return x.reshape(split).permute(order).reshape(out);
}

DownsampleImpl::DownsampleImpl(int64_t in_channels, int64_t out_channels, int64_t kernel_size,
                               Periodicity periodic, bool identity_init) {
  const int64_t block = periodic.size() == 3 ? 8 : 4;
  conv = register_module("conv",
                         PaddedConv(block * in_channels, out_channels, kernel_size, std::move(periodic)));
  if (identity_init) conv->identity_init();
}

at::Tensor DownsampleImpl::forward(const at::Tensor& x) {
  return conv->forward(space_to_depth(x, 2));
}

UpsampleImpl::UpsampleImpl(int64_t in_channels, int64_t out_channels, int64_t kernel_size,
                           Periodicity periodic, bool identity_init) {
  const int64_t block = periodic.size() == 3 ? 8 : 4;
  conv = register_module("conv",
                         PaddedConv(in_channels, block * out_channels, kernel_size, std::move(periodic)));
  if (identity_init) conv->identity_init();
}

at::Tensor UpsampleImpl::forward(const at::Tensor& x) {
  return depth_to_space(conv->forward(x), 2);
}

}  // namespace leap::models
