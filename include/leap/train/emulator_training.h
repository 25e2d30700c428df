// `leap train emulator` (latent diffusion: the ViT denoiser with EDM preconditioning, trained with
// the EDM-weighted denoising loss under random context masks) and `leap train surrogate` (the same
// ViT as a deterministic predictor trained with MSE), on windows of `window` frames of a latent
// dataset written by `leap encode` (or of a pixel dataset, for the pixel-space surrogate).
#pragma once

#include <string>

#include "leap/models/diffusion_config.h"
#include "leap/models/vit_config.h"
#include "leap/train/autoencoder_training.h"

namespace leap::train {

struct EmulatorTrainConfig {
  int64_t seed = 0;
  int64_t window = 5;
  int64_t stride = 1;
  DataOptions data;
  models::ViTConfig model;
  models::DiffusionConfig diffusion;  // schedule, sampler (stored for inference), context masks
  OptimConfig optim;
  template <class V>
  void visit(V& v) {
    v("seed", seed, "seed of weights, data order, masks and noise", config::at_least<int64_t>(0));
    v("window", window, "frames per training window (context + predicted)", config::at_least<int64_t>(2));
    v("stride", stride, "frames between the starts of consecutive windows", config::at_least<int64_t>(1));
    v("data", data, "data loading");
    v("model", model, "the ViT");
    v("diffusion", diffusion, "noise schedule, sampler and context masks (the surrogate uses the masks only)");
    v("optim", optim, "optimisation");
  }
};

// kind: "denoiser" (leap train emulator) or "surrogate" (leap train surrogate).
TrainResult train_emulator(const EmulatorTrainConfig& cfg, const std::string& kind, const RunOptions& run);

}  // namespace leap::train
