#include "leap/models/rotary_embedding.h"

#include <ATen/ATen.h>

#include <string>

#include "leap/error.h"

namespace leap::models {

at::Tensor apply_rotary(const at::Tensor& x, const at::Tensor& angles) {
  // x viewed as (..., D/2, 2): (x0, x1) -> (x0 cos - x1 sin, x0 sin + x1 cos).
  auto shape = x.sizes().vec();
  const int64_t d = shape.back();
  shape.back() = d / 2;
  shape.push_back(2);
  at::Tensor pairs = x.reshape(shape);
  at::Tensor x0 = pairs.select(-1, 0), x1 = pairs.select(-1, 1);
  at::Tensor c = at::cos(angles), s = at::sin(angles);
  return at::stack({x0 * c - x1 * s, x0 * s + x1 * c}, -1).flatten(-2);
}

RotaryEmbeddingImpl::RotaryEmbeddingImpl(int64_t channels, int64_t spatial) {
  if (channels % 2 != 0)
    throw Error("RotaryEmbedding: channels must be even, got " + std::to_string(channels));
  const int64_t half = channels / 2;
  at::Tensor amplitude = at::pow(100.0, -at::rand({half}));
  at::Tensor direction = at::randn({spatial, half});
  direction = direction / direction.norm(2, {0}, /*keepdim=*/true).clamp_min(1e-12);
  theta = register_parameter("theta", amplitude * direction);
}

at::Tensor RotaryEmbeddingImpl::forward(const at::Tensor& coords) {
  return at::matmul(coords, theta);
}

}  // namespace leap::models
