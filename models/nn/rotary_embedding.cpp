#include "leap/models/rotary_embedding.h"

#include <ATen/ATen.h>

#include <string>

#include "leap/error.h"

namespace leap::models {

at::Tensor apply_rotary(const at::Tensor& x, const at::Tensor& angles) {
  // Pairs (x0, x1) -> (x0 cos - x1 sin, x1 cos + x0 sin), written as x * C + swap(x) * S with
  // C = (cos, cos) and S = (-sin, sin) per pair: three passes over x (swap, product, addcmul).
  // Angles in fp32 (bf16 would lose ~0.05 rad at a coordinate of 16); the rotation in x's type.
  const at::Tensor a = angles.to(at::kFloat);
  const at::Tensor cos = at::cos(a), sin = at::sin(a);
  const at::Tensor C = at::stack({cos, cos}, -1).flatten(-2).to(x.scalar_type());
  const at::Tensor S = at::stack({-sin, sin}, -1).flatten(-2).to(x.scalar_type());
  auto shape = x.sizes().vec();
  shape.back() /= 2;
  shape.push_back(2);
  const at::Tensor swapped = x.reshape(shape).flip(-1).flatten(-2);
  return at::addcmul(x * C, swapped, S);
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
  // An elementwise product and sum rather than a matmul: autocast leaves it in fp32.
  return (coords.to(at::kFloat).unsqueeze(-1) * theta.to(at::kFloat)).sum(-2);
}

}  // namespace leap::models
