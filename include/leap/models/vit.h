// Vision transformer over (t, x, y) tokens (Rozet et al. 2025): spatial patches of patch_size
// (1 in latent space, 16 for the pixel-space baseline), sinusoidal coordinate embedding plus
// rotary embedding, adaptive LayerNorm modulation by the embedding of the diffusion noise level
// plus an MLP embedding of the simulation parameters theta, gated residuals and a skip from the
// initial embedding.
//
// Tensors: x (B, C_in, T, X, Y) -> (B, C_out, T, X, Y); X and Y multiples of patch_size.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <cstdint>

#include "leap/models/vit_config.h"

namespace leap::models {

class ViTImpl : public torch::nn::Module {
 public:
  // time_conditioned: embed a noise level (diffusion denoiser); otherwise only theta modulates.
  ViTImpl(ViTConfig cfg, int64_t in_channels, int64_t out_channels, bool time_conditioned);

  // noise: (B) noise-level input (c_noise), required iff time_conditioned; theta: (B, P) with
  // P = param_features, required iff param_features > 0.
  at::Tensor forward(const at::Tensor& x, const at::Tensor& noise = {}, const at::Tensor& theta = {});

  // Token coordinates (t, x, y) of a (T, X', Y') grid, as (T*X'*Y', 3) floats.
  static at::Tensor coordinates(int64_t t, int64_t x, int64_t y, const at::TensorOptions& options);

  const ViTConfig& config() const { return cfg_; }
  int64_t in_channels() const { return in_channels_; }
  int64_t out_channels() const { return out_channels_; }

  torch::nn::Linear in_proj{nullptr}, out_proj{nullptr}, pos_proj{nullptr};
  torch::nn::Sequential time_embedding{nullptr}, param_embedding{nullptr};
  torch::nn::ModuleList blocks{nullptr};

 private:
  ViTConfig cfg_;
  int64_t in_channels_, out_channels_;
  bool time_conditioned_;
};
TORCH_MODULE(ViT);

}  // namespace leap::models
