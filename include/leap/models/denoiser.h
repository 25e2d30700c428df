// The diffusion denoiser: a ViT wrapped with EDM preconditioning and masked (MCVD-style) context
// conditioning. The network input is the noisy window (known frames replaced by their clean value)
// concatenated with the mask channel and the clean context; known frames are returned unchanged.
// Anchored (lead_scales given, DiffusionConfig::anchor = "context"): the unknown frames are
// preconditioned as departures from their anchor a (anchor.h) with data scale s per lead,
//   D(x_t) = a + c_skip(s) (x_t - a) + c_out(s) F(c_in(s) (x_t - a), ...),
// so that the prior of an untrained network is persistence; unanchored: a = 0, s = 1.
//
// Shapes: windows (B, C, T, X, Y), or (B, C, T, X, Y, Z) for a ViT with spatial_dims 3 (one code path:
// nothing here depends on the rank beyond the ViT's check); sigma (B); mask (B, T) bool; theta (B, P)
// or undefined.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <vector>

#include "leap/models/diffusion_config.h"
#include "leap/models/schedule.h"
#include "leap/models/vit.h"
#include "leap/models/vit_config.h"

namespace leap::models {

class DenoiserImpl : public torch::nn::Module {
 public:
  // channels: latent channels C of a frame.
  // lead_scales: empty, or the anchored model's data scale of a frame k = 1 .. T - 1 frames from its anchor.
  DenoiserImpl(int64_t channels, ViTConfig vit, ScheduleConfig schedule = {},
               std::vector<double> lead_scales = {});

  // E[x | x_t]: (B, C, T, X, Y(, Z)). context holds the clean frames where mask is true (the values
  // elsewhere are ignored); the output equals context bit-for-bit on known frames.
  at::Tensor forward(const at::Tensor& x_t, const at::Tensor& sigma, const at::Tensor& mask,
                     const at::Tensor& context, const at::Tensor& theta = {});

  // The EDM loss weight of every frame, broadcastable against windows of rank `rank`: (B, 1, ..., 1)
  // unanchored, (B, 1, T, 1, ...) anchored. sigma (B).
  at::Tensor loss_weight(const at::Tensor& sigma, const at::Tensor& mask, int64_t rank) const;

  int64_t channels() const { return channels_; }
  const std::vector<double>& lead_scales() const { return lead_scales_; }
  int64_t spatial_dims() const { return net->spatial_dims(); }
  const LogLogitSchedule& schedule() const { return schedule_; }

  ViT net{nullptr};

 private:
  int64_t channels_;
  LogLogitSchedule schedule_;
  std::vector<double> lead_scales_;
  at::Tensor lead_table_;  // anchored: buffer "lead_table" (anchor.h), moved with the module
};
TORCH_MODULE(Denoiser);

}  // namespace leap::models
