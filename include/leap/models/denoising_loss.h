// EDM-weighted denoising loss on windows with known frames: t ~ U(0, 1), sigma = schedule(t),
// x_t = x + sigma eps, loss = mean over unknown entries of (1 + sigma^2)/sigma^2 (D(x_t) - x)^2.
#pragma once

#include <ATen/core/Tensor.h>

#include "leap/models/denoiser.h"

namespace leap::models {

// x: clean windows (B, C, T, X, Y(, Z)); mask: (B, T) known frames (at least one unknown per sample).
at::Tensor denoising_loss(Denoiser& denoiser, const at::Tensor& x, const at::Tensor& mask,
                          const at::Tensor& theta = {});

// The same loss for given noise levels and noise (deterministic; used by denoising_loss and tests).
at::Tensor denoising_loss(Denoiser& denoiser, const at::Tensor& x, const at::Tensor& mask,
                          const at::Tensor& theta, const at::Tensor& sigma, const at::Tensor& noise);

}  // namespace leap::models
