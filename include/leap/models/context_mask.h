// Masks of known (context) frames in a window of latent frames, as (B, T) booleans.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>

#include "leap/models/diffusion_config.h"

namespace leap::models {

// The first `context` frames known (or the last ones when at_end).
at::Tensor context_mask(int64_t batch, int64_t window, int64_t context, bool at_end = false);

// Training masks: per sample, context length uniform in [context_min, min(context_max, window - 1)],
// placed at the start of the window, or at its end with probability p_end. Uses the global
// generator (seed it with at::manual_seed for reproducibility).
at::Tensor random_context_mask(int64_t batch, int64_t window, const ContextMaskConfig& cfg = {});

// Validation masks: the law of random_context_mask without chance. Sample `first + b` (b < batch) has
// the context length cmin + i mod n (n = cmax - cmin + 1 lengths) and sits at the end of the window
// for a share p_end of the samples of each length, spread evenly, so that the validation loss scores
// the tasks trained, and the same ones at every epoch.
at::Tensor cycled_context_mask(int64_t first, int64_t batch, int64_t window,
                               const ContextMaskConfig& cfg = {});

// Whether forward leaps from `context` known frames at the window's start were trained: "" if so,
// else a sentence naming the trained range (the model still runs, on a task it has not learnt).
std::string untrained_context_note(int64_t context, int64_t window, const ContextMaskConfig& cfg);

// (B, T) mask -> (B, 1, T, 1, ..., 1) of `dims` dimensions, broadcastable against windows of that
// rank: 5 for (B, C, T, X, Y), 6 for (B, C, T, X, Y, Z). Pass the window's dim().
at::Tensor broadcast_mask(const at::Tensor& mask, int64_t dims = 5);

}  // namespace leap::models
