// Transformer block with adaptive LayerNorm modulation (AdaLN-zero style, as in Rozet et al.'s ViT):
//   (a, b, c, d) = MLP(mod)                 (last layer scaled by 1e-2 at initialisation)
//   y = (1 + a) * LN(x) + b
//   y = ffn(y + attention(y))                (FFN x ffn_factor, SiLU)
//   y = (x + c * y) / sqrt(1 + c^2)          gated residual update
//   y = (y + d * skip) / sqrt(1 + d^2)       gated skip from the initial embedding
// Without a modulation vector (mod_features = 0), (a, b, c, d) are learned constants.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/pimpl.h>

#include <cstdint>

#include "leap/models/attention.h"
#include "leap/models/rotary_embedding.h"

namespace leap::models {

struct ModulatedBlockOptions {
  int64_t channels = 64;
  int64_t heads = 1;
  int64_t mod_features = 0;
  int64_t ffn_factor = 4;
  int64_t spatial = 3;  // coordinates per token: 3 for (t, x, y), 4 for (t, x, y, z)
  bool rope = true;
  bool qk_norm = true;
  double dropout = 0.0;
};

class ModulatedBlockImpl : public torch::nn::Module {
 public:
  explicit ModulatedBlockImpl(const ModulatedBlockOptions& o);
  // x, skip: (B, L, C); mod: (B, D) or undefined; coords: (L, N).
  at::Tensor forward(const at::Tensor& x, const at::Tensor& mod, const at::Tensor& coords,
                     const at::Tensor& skip);

  torch::nn::Sequential ada{nullptr};  // mod -> 4C
  at::Tensor ada_const;                // (4, C) when unmodulated
  SelfAttention attn{nullptr};
  RotaryEmbedding rope{nullptr};
  torch::nn::Sequential ffn{nullptr};

 private:
  ModulatedBlockOptions o_;
};
TORCH_MODULE(ModulatedBlock);

}  // namespace leap::models
