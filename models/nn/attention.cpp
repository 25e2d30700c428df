#include "leap/models/attention.h"

#include <ATen/ATen.h>

#include <atomic>
#include <cmath>
#include <string>

#include "leap/error.h"
#include "leap/models/rms_norm.h"
#include "leap/models/rotary_embedding.h"

namespace leap::models {

at::Tensor attention_fallback(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
  const double scale = 1.0 / std::sqrt(double(q.size(-1)));
  at::Tensor weights = at::softmax(at::matmul(q, k.transpose(-2, -1)) * scale, -1);
  return at::matmul(weights, v);
}

namespace {
std::atomic<AttentionKernel> g_kernel{AttentionKernel::sdpa};
}  // namespace

void set_attention_kernel(AttentionKernel kernel) {
  g_kernel = kernel;
}

AttentionKernel attention_kernel() {
  return g_kernel;
}

bool attention_uses_sdpa() {
  return g_kernel == AttentionKernel::sdpa;
}

at::Tensor attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
  if (g_kernel == AttentionKernel::sdpa) return at::scaled_dot_product_attention(q, k, v);
  return attention_fallback(q, k, v);
}

SelfAttentionImpl::SelfAttentionImpl(int64_t channels, int64_t heads, bool qk_norm)
    : channels_(channels), heads_(heads), qk_norm_(qk_norm) {
  if (heads < 1 || channels % heads != 0)
    throw Error("SelfAttention: heads (" + std::to_string(heads) + ") must divide channels (" +
                std::to_string(channels) + ")");
  qkv =
      register_module("qkv", torch::nn::Linear(torch::nn::LinearOptions(channels, 3 * channels).bias(false)));
  out = register_module("out", torch::nn::Linear(channels, channels));
}

at::Tensor SelfAttentionImpl::forward(const at::Tensor& x, const at::Tensor& angles) {
  const int64_t B = x.size(0), L = x.size(1), d = channels_ / heads_;
  // (B, L, 3C) -> (3, B, H, L, d)
  at::Tensor t = qkv->forward(x).reshape({B, L, 3, heads_, d}).permute({2, 0, 3, 1, 4});
  at::Tensor q = t[0], k = t[1], v = t[2];
  if (qk_norm_) {
    q = rms_norm(q);
    k = rms_norm(k);
  }
  if (angles.defined()) {
    // (L, C/2) -> (H, L, d/2), broadcast over the batch.
    at::Tensor a = angles.reshape({L, heads_, d / 2}).permute({1, 0, 2});
    q = apply_rotary(q, a);
    k = apply_rotary(k, a);
  }
  at::Tensor y = attention(q, k, v);  // (B, H, L, d)
  return out->forward(y.permute({0, 2, 1, 3}).reshape({B, L, channels_}));
}

}  // namespace leap::models
