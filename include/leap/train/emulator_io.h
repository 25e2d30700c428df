// A trained emulator loaded from its checkpoint: the latent diffusion denoiser (`leap train
// emulator`) or the deterministic surrogate (`leap train surrogate`, latent or pixel space), with
// what it needs to be used on its own: the normaliser of the data it learned from, the names of
// those channels and of its conditioning vector, its window, and (diffusion) its sampler.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "leap/data/normalizer.h"
#include "leap/models/denoiser.h"
#include "leap/models/diffusion_config.h"
#include "leap/models/rollout.h"
#include "leap/models/surrogate.h"
#include "leap/train/checkpoint.h"

namespace leap::train {

struct LoadedEmulator {
  std::string kind;                       // "denoiser" or "surrogate"
  models::Denoiser denoiser{nullptr};     // kind denoiser
  models::Surrogate surrogate{nullptr};   // kind surrogate
  models::DiffusionConfig diffusion;      // sampler and schedule (denoiser), context masks
  data::Normalizer normalizer;            // of the data it was trained on (latent or pixel)
  std::vector<std::string> channels;      // names of those channels (z0, z1, ... in latent space)
  std::vector<std::string> theta_names;   // conditioning; empty when unconditioned
  int64_t window = 0;
  CheckpointInfo info;

  int64_t channel_count() const { return int64_t(normalizer.channels()); }
  // Window function for models::rollout (theta: (B, P) rows, or undefined when unconditioned).
  models::WindowFn window_fn(const at::Tensor& theta) const;
  // Moves the network (eval mode) to a device.
  void to(const at::Device& device);
};

// kind: "denoiser", "surrogate", or "" for either. InputError for any other checkpoint or a
// malformed description; the network is in eval mode with its EMA weights, on the CPU.
LoadedEmulator load_emulator(const std::string& path, const std::string& kind = "");

}  // namespace leap::train
