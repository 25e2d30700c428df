// The deterministic baseline ("neural solver"): the same ViT used as a direct predictor of the
// unknown frames of a window from the known ones (no noise level), trained with MSE. In latent
// space (patch 1) or in pixel space (channels = physical fields, patch_size > 1, e.g. 16).
// The input is the window with unknown frames zeroed, concatenated with the mask channel; known
// frames are returned unchanged.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <cstdint>

#include "leap/models/vit.h"
#include "leap/models/vit_config.h"

namespace leap::models {

class SurrogateImpl : public torch::nn::Module {
 public:
  SurrogateImpl(int64_t channels, ViTConfig vit);

  // context: (B, C, T, X, Y(, Z)) (the ViT's spatial_dims) with clean values where mask (B, T) is true ->
  // predicted window.
  at::Tensor forward(const at::Tensor& context, const at::Tensor& mask, const at::Tensor& theta = {});

  int64_t channels() const { return channels_; }
  int64_t spatial_dims() const { return net->spatial_dims(); }
  ViT net{nullptr};

 private:
  int64_t channels_;
};
TORCH_MODULE(Surrogate);

// Mean squared error over the unknown frames of the window.
at::Tensor surrogate_loss(Surrogate& surrogate, const at::Tensor& x, const at::Tensor& mask,
                          const at::Tensor& theta = {});

}  // namespace leap::models
