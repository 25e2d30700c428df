// Vision transformer over (t, x, y) or (t, x, y, z) tokens (Rozet et al. 2025): spatial patches of
// the config's patch per axis (1 in latent space, 16 for the pixel-space baseline), sinusoidal
// coordinate embedding plus rotary embedding, adaptive LayerNorm modulation by the embedding of the
// diffusion noise level plus an MLP embedding of the simulation parameters theta, gated residuals and
// a skip from the initial embedding. One code path for d = spatial_dims = 2 or 3:
//
//   tokens       one per (t, i_1..i_d) cell of the patch grid, in row-major (t, x, y(, z)) order,
//                holding the C p_1..p_d values of its patch (patchify);
//   coordinates  (t, i_1..i_d) as floats, patch-grid units (ViTImpl::coordinates);
//   position     each of the 1 + d coordinates sine-encoded with `width` features (wavelengths 1 to
//                sine_omega), concatenated ((1 + d) width features) and projected to width;
//   rotary       per block, over all 1 + d coordinates (models/rotary_embedding.h: every channel pair
//                of a head turns by a learned mix of the axes, no fixed split of the head).
//
// Tensors: x (B, C_in, T, X, Y(, Z)) -> (B, C_out, T, X, Y(, Z)); each spatial size a multiple of its
// axis's patch.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <vector>

#include "leap/models/vit_config.h"

namespace leap::models {

// (B, C, T, X_1 p_1, ..., X_d p_d) -> tokens (B, T X_1..X_d, C p_1..p_d): token (t, i_1..i_d) holds
// x[b, c, t, i_1 p_1 + a_1, ..., i_d p_d + a_d] at channel c p_1..p_d + (a_1 p_2..p_d + ... + a_d)
// (row-major over (c, a_1..a_d)). d = patch.size(); x.dim() must be 3 + d.
at::Tensor patchify(const at::Tensor& x, at::IntArrayRef patch);
// The inverse: tokens (B, T X_1..X_d, C p_1..p_d) and the patch grid (T, X_1..X_d) -> (B, C, T, X_1 p_1,
// ...).
at::Tensor unpatchify(const at::Tensor& tokens, at::IntArrayRef grid, at::IntArrayRef patch);

class ViTImpl : public torch::nn::Module {
 public:
  // time_conditioned: embed a noise level (diffusion denoiser); otherwise only theta modulates.
  ViTImpl(ViTConfig cfg, int64_t in_channels, int64_t out_channels, bool time_conditioned);

  // noise: (B) noise-level input (c_noise), required iff time_conditioned; theta: (B, P) with
  // P = param_features, required iff param_features > 0.
  at::Tensor forward(const at::Tensor& x, const at::Tensor& noise = {}, const at::Tensor& theta = {});

  // Token coordinates of a (T, X', Y'(, Z')) patch grid, row-major: (T X' Y'(Z'), 1 + d) floats.
  static at::Tensor coordinates(at::IntArrayRef grid, const at::TensorOptions& options);
  static at::Tensor coordinates(int64_t t, int64_t x, int64_t y, const at::TensorOptions& options);

  const ViTConfig& config() const { return cfg_; }
  int64_t spatial_dims() const { return cfg_.spatial_dims; }
  int64_t in_channels() const { return in_channels_; }
  int64_t out_channels() const { return out_channels_; }

  torch::nn::Linear in_proj{nullptr}, out_proj{nullptr}, pos_proj{nullptr};
  torch::nn::Sequential time_embedding{nullptr}, param_embedding{nullptr};
  torch::nn::ModuleList blocks{nullptr};

 private:
  ViTConfig cfg_;
  std::vector<int64_t> patch_;
  int64_t in_channels_, out_channels_;
  bool time_conditioned_;
};
TORCH_MODULE(ViT);

}  // namespace leap::models
