// Multi-head self-attention with QK RMS-normalisation and rotary embedding. The kernel is
// at::scaled_dot_product_attention where LibTorch >= 2 has it, a plain softmax(q k^T / sqrt(d)) v
// otherwise (attention_fallback, always available and tested against a direct computation).
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <cstdint>

namespace leap::models {

// q, k, v: (B, H, L, d) -> (B, H, L, d).
at::Tensor attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v);
at::Tensor attention_fallback(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v);
// True when attention() uses at::scaled_dot_product_attention.
bool attention_uses_sdpa();

// Which kernel attention() calls: sdpa (at::scaled_dot_product_attention, flash attention on CUDA
// for bf16/fp16 inputs; LibTorch >= 2) or math (attention_fallback). The default is sdpa where it
// exists. Process-wide; benchmarks switch it to compare the two.
enum class AttentionKernel { sdpa, math };
void set_attention_kernel(AttentionKernel kernel);
AttentionKernel attention_kernel();

class SelfAttentionImpl : public torch::nn::Module {
 public:
  SelfAttentionImpl(int64_t channels, int64_t heads, bool qk_norm = true);
  // x: (B, L, C); angles: (L, C/2) rotary angles or undefined -> (B, L, C).
  at::Tensor forward(const at::Tensor& x, const at::Tensor& angles = {});

  torch::nn::Linear qkv{nullptr}, out{nullptr};

 private:
  int64_t channels_, heads_;
  bool qk_norm_;
};
TORCH_MODULE(SelfAttention);

}  // namespace leap::models
