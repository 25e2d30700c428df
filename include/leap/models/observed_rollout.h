// Rollouts of the latent diffusion emulator guided by observations of some of the frames they
// predict (data assimilation): each window whose new frames include observed ones samples with the
// MMPS or the diagonal guided denoiser (models/guidance.h) over the composition A(decode(window)),
// the others sample unguided. `leap evaluate --guidance` observes every lead; the coupling runtime
// observes the leap's last frame (sensors, a coarse field from another code).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "leap/models/denoiser.h"
#include "leap/models/observation.h"
#include "leap/models/rollout.h"
#include "leap/models/sampler.h"

namespace leap::models {

struct FrameObservations {
  ObservationOperator A;       // on decoded frames (C, X, Y(, Z)) -> (M)
  std::vector<int64_t> leads;  // the observed frames, 1-based lead times of the rollout, increasing
  at::Tensor values;           // (leads.size(), M): y = A(x_lead) + noise
  double noise_std = 0.1;      // of that noise (var_y = noise_std^2)
  std::string method = "mmps";    // mmps or diagonal
  int iterations = 1;             // of the MMPS linear solver
  std::string solver = "gmres";   // gmres or cg
  double gamma = 1e-2;            // of the diagonal guidance
};

// Maps frames in the denoiser's space (N, C', X', Y'(, Z')) to the space A observes (N, C, X, Y(, Z)),
// differentiably (e.g. latent denormalisation, then the decoder).
using FrameDecoder = std::function<at::Tensor(const at::Tensor& frames)>;

// The window function of a rollout (models::rollout with these window and context sizes) whose k-th
// call (k = 0, 1, ...) predicts leads k (w - c) + 1 .. (k + 1)(w - c). theta as diffusion_window_fn.
// InputError for leads that are not increasing and >= 1, or values that do not match them. The noise
// comes from `generator` when given (a CPU generator the caller keeps alive), as in sample_window.
WindowFn observed_diffusion_window_fn(Denoiser denoiser, Sampler sampler, int64_t window, int64_t context,
                                      at::Tensor theta, FrameDecoder decode, FrameObservations obs,
                                      at::Generator* generator = nullptr);

}  // namespace leap::models
