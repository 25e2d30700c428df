#include "leap/models/modulated_block.h"

#include <c10/core/GradMode.h>
#include <ATen/ATen.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>

namespace leap::models {

ModulatedBlockImpl::ModulatedBlockImpl(const ModulatedBlockOptions& o) : o_(o) {
  const int64_t C = o.channels;
  if (o.mod_features > 0) {
    torch::nn::Linear last(o.mod_features, 4 * C);
    {
      c10::NoGradGuard no_grad;
      last->weight.mul_(1e-2);
    }
    ada = register_module("ada", torch::nn::Sequential(torch::nn::Linear(o.mod_features, o.mod_features),
                                                       torch::nn::SiLU(), last));
  } else {
    ada_const = register_parameter("ada_const", at::randn({4, C}) * 1e-2);
  }
  attn = register_module("attn", SelfAttention(C, o.heads, o.qk_norm));
  if (o.rope) rope = register_module("rope", RotaryEmbedding(C, o.spatial));
  ffn = register_module(
      "ffn", torch::nn::Sequential(torch::nn::Linear(C, o.ffn_factor * C), torch::nn::SiLU(),
                                   torch::nn::Dropout(o.dropout), torch::nn::Linear(o.ffn_factor * C, C)));
}

at::Tensor ModulatedBlockImpl::forward(const at::Tensor& x, const at::Tensor& mod, const at::Tensor& coords,
                                       const at::Tensor& skip) {
  const int64_t C = o_.channels;
  at::Tensor a, b, c, d;
  if (ada) {
    // (B, 4C) -> four (B, 1, C)
    at::Tensor m = ada->forward(mod).reshape({mod.size(0), 4, 1, C});
    a = m.select(1, 0), b = m.select(1, 1), c = m.select(1, 2), d = m.select(1, 3);
  } else {
    a = ada_const[0], b = ada_const[1], c = ada_const[2], d = ada_const[3];
  }
  at::Tensor angles = rope ? rope->forward(coords) : at::Tensor();
  // Modulated LayerNorm, attention, FFN, then the gated residual (x + c y) / sqrt(1 + c^2) and the
  // gated skip, each as one fused multiply-add over the tokens.
  at::Tensor y = at::addcmul(b, at::layer_norm(x, {C}), a + 1);
  y = y + attn->forward(y, angles);
  y = ffn->forward(y);
  const at::Tensor rc = at::rsqrt(1 + c * c);
  y = at::addcmul(x * rc, y, c * rc);
  if (skip.defined()) {
    const at::Tensor rd = at::rsqrt(1 + d * d);
    y = at::addcmul(y * rd, skip, d * rd);
  }
  return y;
}

}  // namespace leap::models
