#include "leap/models/sampler.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <cmath>
#include <deque>
#include <string>
#include <utility>

#include "leap/error.h"

namespace leap::models {

Sampler::Sampler(const SamplerConfig& sampler, const ScheduleConfig& schedule)
    : cfg_(sampler), schedule_(schedule), sigmas_(schedule_.sigmas(sampler.steps)) {
  if (cfg_.steps < 1) throw Error("Sampler: steps must be >= 1, got " + std::to_string(cfg_.steps));
  if (cfg_.algorithm != "ab" && cfg_.algorithm != "euler" && cfg_.algorithm != "ddim" &&
      cfg_.algorithm != "heun")
    throw Error("Sampler: unknown algorithm '" + cfg_.algorithm + "' (ab, euler, ddim, heun)");
  if (cfg_.algorithm == "ab" && (cfg_.order < 1 || cfg_.order > 6))
    throw Error("Sampler: Adams-Bashforth order must be in [1, 6], got " + std::to_string(cfg_.order));
}

at::Tensor Sampler::init(at::IntArrayRef shape, const at::TensorOptions& options) const {
  return start(at::randn(shape, options));
}

at::Tensor Sampler::start(const at::Tensor& eps) const {
  // The first noise level of the grid, sigma(1): sigma_max only for the unscaled, unshifted grid.
  const double s = sigmas_.front();
  return eps * std::sqrt(1.0 + s * s);
}

std::vector<double> Sampler::adams_bashforth_weights(const std::vector<double>& nodes, double a, double b) {
  const size_t n = nodes.size();
  if (n == 0 || n > 6) throw Error("adams_bashforth_weights: 1 to 6 nodes, got " + std::to_string(n));
  // 3-point Gauss-Legendre quadrature on [a, b]: exact for the degree n - 1 <= 5 Lagrange basis.
  const double gx[3] = {-std::sqrt(0.6), 0.0, std::sqrt(0.6)};
  const double gw[3] = {5.0 / 9.0, 8.0 / 9.0, 5.0 / 9.0};
  const double half = 0.5 * (b - a), mid = 0.5 * (a + b);
  std::vector<double> w(n, 0.0);
  for (size_t j = 0; j < n; ++j) {
    for (int q = 0; q < 3; ++q) {
      const double u = mid + half * gx[q];
      double l = 1.0;
      for (size_t k = 0; k < n; ++k)
        if (k != j) l *= (u - nodes[k]) / (nodes[j] - nodes[k]);
      w[j] += half * gw[q] * l;
    }
  }
  return w;
}

at::Tensor Sampler::sample(const DenoiseFn& denoise, const at::Tensor& x_start,
                           at::Generator* generator) const {
  c10::NoGradGuard no_grad;
  const int64_t B = x_start.size(0);
  auto level = [&](double s) { return at::full({B}, s, x_start.options()); };
  auto drift = [&](const at::Tensor& x, double s) { return (x - denoise(x, level(s))) / s; };

  at::Tensor x = x_start;
  std::deque<std::pair<double, at::Tensor>> history;  // (sigma, dx/dsigma), newest last
  for (size_t i = 0; i + 1 < sigmas_.size(); ++i) {
    const double st = sigmas_[i], ss = sigmas_[i + 1];
    if (cfg_.algorithm == "euler") {
      x = x + (ss - st) * drift(x, st);
    } else if (cfg_.algorithm == "ddim") {
      const at::Tensor d = denoise(x, level(st));
      const double tau = std::min(1.0, std::max(0.0, cfg_.eta * (1.0 - (ss / st) * (ss / st))));
      x = d + ss * std::sqrt(1.0 - tau) / st * (x - d);
      if (tau > 0) {
        const at::Tensor z =  // (LibTorch's random kernels lock the generator themselves)
            generator
                ? at::randn(x.sizes(), *generator, x.options().device(generator->device())).to(x.device())
                : at::randn_like(x);
        x = x + ss * std::sqrt(tau) * z;
      }
    } else if (cfg_.algorithm == "heun") {
      const at::Tensor zt = drift(x, st);
      const at::Tensor xs = x + (ss - st) * zt;
      x = x + (ss - st) * 0.5 * (zt + drift(xs, ss));
    } else {  // Adams-Bashforth of order cfg_.order (lower while the history fills up)
      history.emplace_back(st, drift(x, st));
      if (int(history.size()) > cfg_.order) history.pop_front();
      std::vector<double> nodes;
      for (const auto& h : history) nodes.push_back(h.first);
      const std::vector<double> w = adams_bashforth_weights(nodes, st, ss);
      at::Tensor increment = w[0] * history[0].second;
      for (size_t j = 1; j < w.size(); ++j) increment = increment + w[j] * history[j].second;
      x = x + increment;
    }
  }
  return x;
}

}  // namespace leap::models
