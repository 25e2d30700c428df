// Samplers of the probability-flow ODE dx/dsigma = (x - D(x, sigma)) / sigma of a
// variance-exploding diffusion, on the log-logit time grid: explicit Euler (= DDIM with eta 0),
// DDIM (eta > 0 adds noise), Heun (2nd order, two denoiser calls per step) and the n-th order
// Adams-Bashforth multi-step method (the default: order 3, 16 steps, one call per step). The
// denoiser is any callable, so an analytic E[x | x_t] can be plugged in; ensembles are batches.
#pragma once

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include <functional>
#include <vector>

#include "leap/models/diffusion_config.h"
#include "leap/models/schedule.h"

namespace leap::models {

// D(x, sigma): x (B, ...), sigma (B) -> E[x_0 | x_sigma = x], shaped like x.
using DenoiseFn = std::function<at::Tensor(const at::Tensor& x, const at::Tensor& sigma)>;

class Sampler {
 public:
  explicit Sampler(const SamplerConfig& sampler = {}, const ScheduleConfig& schedule = {});

  // A starting point at sigma_max for data of unit scale: sqrt(1 + sigma_max^2) * N(0, I).
  at::Tensor init(at::IntArrayRef shape, const at::TensorOptions& options = {}) const;
  // The same from given standard normal noise eps (init draws eps itself).
  at::Tensor start(const at::Tensor& eps) const;
  // Integrates from sigma_max (x holds x_{sigma_max}) down to sigma_min and returns x_{sigma_min}.
  // A stochastic sampler (DDIM with eta > 0) draws its fresh noise from `generator` when given (on
  // its device, then moved to x's), otherwise from the default generator of x's device.
  at::Tensor sample(const DenoiseFn& denoise, const at::Tensor& x,
                    at::Generator* generator = nullptr) const;

  // Noise levels visited, from sigma_max down to sigma_min (steps + 1 values).
  const std::vector<double>& sigmas() const { return sigmas_; }
  const SamplerConfig& config() const { return cfg_; }

  // Adams-Bashforth weights: integral over [a, b] of the Lagrange basis polynomials on `nodes`
  // (exact for any number of nodes up to 6).
  static std::vector<double> adams_bashforth_weights(const std::vector<double>& nodes, double a, double b);

 private:
  SamplerConfig cfg_;
  LogLogitSchedule schedule_;
  std::vector<double> sigmas_;
};

}  // namespace leap::models
