// Masks of known (context) frames in a window of latent frames, as (B, T) booleans.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>

#include "leap/models/diffusion_config.h"

namespace leap::models {

// The first `context` frames known (or the last ones when at_end).
at::Tensor context_mask(int64_t batch, int64_t window, int64_t context, bool at_end = false);

// Training masks: per sample, context length uniform in [context_min, min(context_max, window - 1)],
// placed at the start of the window, or at its end with probability p_end. Uses the global
// generator (seed it with at::manual_seed for reproducibility).
at::Tensor random_context_mask(int64_t batch, int64_t window, const ContextMaskConfig& cfg = {});

// (B, T) mask -> (B, 1, T, 1, 1), broadcastable against (B, C, T, X, Y) windows.
at::Tensor broadcast_mask(const at::Tensor& mask);

}  // namespace leap::models
