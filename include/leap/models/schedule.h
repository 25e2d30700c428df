// Variance-exploding noise schedule on a log-logit grid (Rozet et al. 2025):
//   x_t = x + sigma(t) eps,  sigma(t) = exp(a logit(u_min + (u_max - u_min) t) + b),  t in [0, 1],
// with u_min = s_min / (1 + s_min) and u_max = s_max / (1 + s_max), so that for a = 1, b = 0,
// sigma(0) = sigma_min and sigma(1) = sigma_max (1e-3 and 1e3 by default).
#pragma once

#include <ATen/core/Tensor.h>

#include <vector>

#include "leap/models/diffusion_config.h"

namespace leap::models {

class LogLogitSchedule {
 public:
  explicit LogLogitSchedule(const ScheduleConfig& cfg = {});

  double sigma(double t) const;
  at::Tensor sigma(const at::Tensor& t) const;
  // Noise levels of a solver with `steps` steps: sigma(t_i) for t_i = 1 - i / steps, i = 0..steps
  // (decreasing, from sigma_max to sigma_min).
  std::vector<double> sigmas(int steps) const;

  // The ends of the grid, sigma(0) and sigma(1): the config's sigma_min and sigma_max only for a = 1,
  // b = 0 (a shift multiplies both by e^b).
  double sigma_min() const { return sigma(0.0); }
  double sigma_max() const { return sigma(1.0); }
  const ScheduleConfig& config() const { return cfg_; }

 private:
  ScheduleConfig cfg_;
  double u_min_, u_max_;
};

}  // namespace leap::models
