// Autoregressive emulation in latent space. A window function maps c known frames to a window of
// w frames whose first c are those frames; each call yields w - c new frames, and the last c frames
// of the trajectory so far become the next context. Any horizon; ensembles are batches.
// rollout() is the one autoregressive loop: `leap evaluate` runs it with a checkpoint's window
// function, the hybrid emulator through EmulationEngine::rollout, and `leap bench` through that
// emulator (LatentDiffusionEmulator::leap). Frames have 2 or 3 spatial axes: every shape below is
// (B, C, T, X, Y) or (B, C, T, X, Y, Z), handled by the same code.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>

#include "leap/models/denoiser.h"
#include "leap/models/sampler.h"
#include "leap/models/surrogate.h"

namespace leap::models {

// context (B, C, c, X, Y(, Z)) -> window (B, C, w, X, Y(, Z)) starting with the context frames.
using WindowFn = std::function<at::Tensor(const at::Tensor& context)>;

// initial: (B, C, c0, X, Y(, Z)) with c0 >= context (its last `context` frames start the rollout).
// Returns the `horizon` new frames (B, C, horizon, X, Y(, Z)).
at::Tensor rollout(const WindowFn& step, const at::Tensor& initial, int64_t context, int64_t window,
                   int64_t horizon);

// A transformation of the window's denoiser, e.g. guidance by observations (models/guidance.h).
using Guide = std::function<DenoiseFn(const DenoiseFn& denoise)>;

// One window from the diffusion model: samples the w - c unknown frames given the c known ones
// (with the denoiser `guide` makes of the model's, when given). The known frames of the result are
// the context, bit-for-bit. The noise comes from `generator` when given (a CPU generator: drawn on
// the CPU, then moved to the context's device), otherwise from the device's default generator.
at::Tensor sample_window(Denoiser& denoiser, const Sampler& sampler, const at::Tensor& context,
                         int64_t window, const at::Tensor& theta = {}, const Guide& guide = {},
                         at::Generator* generator = nullptr);
// One window from the deterministic surrogate.
at::Tensor predict_window(Surrogate& surrogate, const at::Tensor& context, int64_t window,
                          const at::Tensor& theta = {});

// Window functions for rollout(). theta: (B, P) parameters, one row per window of the batch, or one
// row per sample when the batch is an ensemble_repeat of B samples; undefined when unconditioned.
WindowFn diffusion_window_fn(Denoiser denoiser, Sampler sampler, int64_t window, at::Tensor theta = {});
WindowFn surrogate_window_fn(Surrogate surrogate, int64_t window, at::Tensor theta = {});

// Parameters for a batch of `batch` windows: theta has one row per window (returned as it is), or one
// row per sample of an ensemble laid out as ensemble_repeat does (batch = rows * members); undefined
// stays undefined.
at::Tensor parameters_for(const at::Tensor& theta, int64_t batch);

// Ensemble of `members` per sample: (B, ...) -> (B * members, ...), each sample repeated
// consecutively (member k of sample b at row b * members + k).
at::Tensor ensemble_repeat(const at::Tensor& x, int64_t members);

}  // namespace leap::models
