// Guided denoisers: E[x | x_t, y] for observations y = A(x) + N(0, var_y I), from an unconditional
// denoiser D(x_t, sigma) ~ E[x | x_t] of a variance-exploding diffusion (x_t = x + sigma eps). The
// result is again a DenoiseFn, so every sampler (AB included), ensembles (batches) and masked
// context work unchanged.
//
// MMPS (moment matching posterior sampling, Rozet et al. 2024): with Tweedie's covariance
// Cov[x | x_t] = sigma^2 dD/dx_t, the Gaussian conditioning
//   E[x | x_t, y] = D + sigma^2 J_D^T J_A^T v,   (var_y I + sigma^2 J_A J_D J_A^T) v = y - A(D),
// the linear system solved by a few GMRES or conjugate-gradient iterations (each a vector-Jacobian
// product through the denoiser and A, and a Jacobian-vector product of A). Exact for a Gaussian prior
// and a linear A when the iterations reach the number of observations.
// Diagonal guidance (score-based data assimilation, Rozet & Louppe 2023): Cov[x | x_t] ~ gamma sigma^2 I,
//   E[x | x_t, y] = D + sigma^2 J_D^T J_A^T (y - A(D)) / (var_y + gamma sigma^2).
// A batch of B samples takes y of shape (B, M) or (M) (the same observations for every member).
#pragma once

#include <ATen/core/Tensor.h>

#include <string>

#include "leap/models/observation.h"
#include "leap/models/sampler.h"

namespace leap::models {

// solver: "gmres" (the default: tolerates the slightly non-symmetric Jacobian of a trained network)
// or "cg" (conjugate gradient, for a symmetric positive definite system); `iterations` of it.
DenoiseFn mmps_denoiser(DenoiseFn denoise, ObservationOperator A, at::Tensor y, double var_y,
                        int iterations = 1, const std::string& solver = "gmres");

DenoiseFn diagonal_guided_denoiser(DenoiseFn denoise, ObservationOperator A, at::Tensor y, double var_y,
                                   double gamma = 1e-2);

}  // namespace leap::models
