// Samplers of the probability-flow ODE with a known answer: for Gaussian data N(mu, Sigma) and for
// a two-component Gaussian mixture the ideal denoiser E[x | x_sigma] is analytic, so the samples'
// mean and covariance must match the target within sampling error, and the solvers can be compared
// with the exact (Gaussian) or a many-step reference (mixture) solution from the same noise.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <cmath>

#include "leap/models/sampler.h"
#include "leap/models/schedule.h"

namespace {

using namespace leap::models;

const bool kThreads = [] {
  at::set_num_threads(2);
  return true;
}();

const auto kDouble = at::TensorOptions().dtype(at::kDouble);

SamplerConfig sampler_config(const std::string& algorithm, int steps, double eta = 0.0) {
  SamplerConfig c;
  c.algorithm = algorithm;
  c.steps = steps;
  c.eta = eta;
  return c;
}

// N(mu, Sigma) in 3 dimensions; E[x | x_s] = mu + Sigma (Sigma + s^2 I)^-1 (x_s - mu).
struct Gaussian {
  at::Tensor mu, cov;
  Gaussian() {
    mu = at::tensor({1.0, -2.0, 0.5}, kDouble);
    at::Tensor a = at::tensor({0.9, 0.0, 0.0, 0.4, 0.6, 0.0, -0.3, 0.2, 0.3}, kDouble).reshape({3, 3});
    cov = at::matmul(a, a.t()) + 0.05 * at::eye(3, kDouble);
  }
  DenoiseFn denoiser() const {
    return [mu = mu, cov = cov](const at::Tensor& x, const at::Tensor& sigma) {
      const double s = sigma[0].item<double>();
      at::Tensor gain = at::matmul(cov, at::inverse(cov + s * s * at::eye(3, kDouble)));
      return mu + at::matmul(x - mu, gain.t());
    };
  }
  // Exact flow from sigma_a to sigma_b: x_b = mu + V diag(sqrt((l + b^2) / (l + a^2))) V^T (x_a - mu).
  at::Tensor exact_flow(const at::Tensor& xa, double a, double b) const {
    auto [l, v] = at::linalg_eigh(cov);
    at::Tensor scale = at::sqrt((l + b * b) / (l + a * a));
    at::Tensor m = at::matmul(v * scale, v.t());
    return mu + at::matmul(xa - mu, m.t());
  }
};

// pi_1 N(m_1, S_1) + pi_2 N(m_2, S_2) in 2 dimensions.
struct Mixture {
  std::vector<double> pi{0.3, 0.7};
  std::vector<at::Tensor> m, S;
  Mixture() {
    m = {at::tensor({-2.0, 0.0}, kDouble), at::tensor({2.0, 1.0}, kDouble)};
    S = {at::tensor({0.3, 0.0, 0.0, 0.5}, kDouble).reshape({2, 2}),
         at::tensor({0.4, 0.1, 0.1, 0.2}, kDouble).reshape({2, 2})};
  }
  at::Tensor mean() const { return pi[0] * m[0] + pi[1] * m[1]; }
  at::Tensor cov() const {
    at::Tensor mu = mean();
    at::Tensor c = -at::outer(mu, mu);
    for (int k = 0; k < 2; ++k) c = c + pi[k] * (S[k] + at::outer(m[k], m[k]));
    return c;
  }
  // Log-responsibilities of each component for x_s (N, 2) at noise s.
  at::Tensor log_weights(const at::Tensor& x, double s) const {
    std::vector<at::Tensor> logs;
    for (int k = 0; k < 2; ++k) {
      at::Tensor c = S[k] + s * s * at::eye(2, kDouble);
      at::Tensor d = x - m[k];
      at::Tensor q = (at::matmul(d, at::inverse(c)) * d).sum(1);
      logs.push_back(std::log(pi[k]) - 0.5 * q - 0.5 * std::log(at::det(c).item<double>()));
    }
    at::Tensor l = at::stack(logs, 1);
    return l - at::logsumexp(l, {1}, true);
  }
  DenoiseFn denoiser() const {
    return [this](const at::Tensor& x, const at::Tensor& sigma) {
      const double s = sigma[0].item<double>();
      at::Tensor w = at::exp(log_weights(x, s));
      at::Tensor out = at::zeros_like(x);
      for (int k = 0; k < 2; ++k) {
        at::Tensor gain = at::matmul(S[k], at::inverse(S[k] + s * s * at::eye(2, kDouble)));
        out = out + w.select(1, k).unsqueeze(1) * (m[k] + at::matmul(x - m[k], gain.t()));
      }
      return out;
    };
  }
};

at::Tensor sample_cov(const at::Tensor& x) {
  at::Tensor d = x - x.mean(0);
  return at::matmul(d.t(), d) / double(x.size(0) - 1);
}

// Checks mean and covariance of samples against the target, within `k` standard errors estimated
// from the samples' own second and fourth moments.
void expect_moments(const at::Tensor& x, const at::Tensor& mu, const at::Tensor& cov, double k,
                    const std::string& what) {
  const int64_t n = x.size(0), d = x.size(1);
  at::Tensor mean = x.mean(0);
  at::Tensor c = sample_cov(x);
  at::Tensor dev = x - mean;
  for (int64_t i = 0; i < d; ++i) {
    const double se = std::sqrt(c[i][i].item<double>() / double(n));
    EXPECT_NEAR(mean[i].item<double>(), mu[i].item<double>(), k * se) << what << " mean[" << i << "]";
    for (int64_t j = 0; j < d; ++j) {
      const double se_c = std::sqrt((dev.select(1, i) * dev.select(1, j)).var().item<double>() / double(n));
      EXPECT_NEAR(c[i][j].item<double>(), cov[i][j].item<double>(), k * se_c)
          << what << " cov[" << i << "][" << j << "]";
    }
  }
}

double rms(const at::Tensor& a) {
  return at::sqrt(at::square(a).mean()).item<double>();
}

TEST(Schedule, LogLogitEndpointsAndMonotone) {
  LogLogitSchedule s;
  EXPECT_NEAR(s.sigma(0.0), 1e-3, 1e-12);
  EXPECT_NEAR(s.sigma(1.0), 1e3, 1e-6);
  EXPECT_NEAR(s.sigma(0.5), 1.0, 1e-12);  // symmetric logit grid
  auto sig = s.sigmas(16);
  ASSERT_EQ(sig.size(), 17u);
  for (size_t i = 0; i + 1 < sig.size(); ++i) EXPECT_GT(sig[i], sig[i + 1]);
  at::Tensor t = at::linspace(0, 1, 11, kDouble);
  at::Tensor st = s.sigma(t);
  for (int i = 0; i <= 10; ++i)
    EXPECT_NEAR(st[i].item<double>(), s.sigma(i / 10.0), 1e-9 * s.sigma(i / 10.0));
  // log sigma is the logit of the interpolated u: check one interior point by hand.
  const double umin = 1e-3 / 1.001, umax = 1e3 / 1001.0, u = umin + 0.3 * (umax - umin);
  EXPECT_NEAR(s.sigma(0.3), u / (1 - u), 1e-12);
}

TEST(Sampler, AdamsBashforthWeights) {
  // Order 1 is Euler; AB weights integrate polynomials of degree < n exactly.
  auto w1 = Sampler::adams_bashforth_weights({3.0}, 3.0, 2.0);
  ASSERT_EQ(w1.size(), 1u);
  EXPECT_NEAR(w1[0], -1.0, 1e-14);
  // Classic AB3 on a uniform grid (h = 1): x_{n+1} = x_n + h (23 f_n - 16 f_{n-1} + 5 f_{n-2}) / 12,
  // nodes ordered oldest first.
  auto w3 = Sampler::adams_bashforth_weights({0.0, 1.0, 2.0}, 2.0, 3.0);
  EXPECT_NEAR(w3[0], 5.0 / 12, 1e-13);
  EXPECT_NEAR(w3[1], -16.0 / 12, 1e-13);
  EXPECT_NEAR(w3[2], 23.0 / 12, 1e-13);
  // Non-uniform, decreasing nodes: exact for u^2.
  std::vector<double> nodes{10.0, 4.0, 1.5};
  auto w = Sampler::adams_bashforth_weights(nodes, 1.5, 0.4);
  double integral = 0;
  for (size_t j = 0; j < 3; ++j) integral += w[j] * nodes[j] * nodes[j];
  EXPECT_NEAR(integral, (std::pow(0.4, 3) - std::pow(1.5, 3)) / 3, 1e-12);
}

TEST(Sampler, GaussianMomentsMatchTarget) {
  Gaussian g;
  at::manual_seed(10);
  const int64_t n = 20000;
  // The default sampler (Adams-Bashforth 3, 16 steps) and the others with more steps.
  for (const auto& [alg, steps] :
       std::vector<std::pair<std::string, int>>{{"ab", 16}, {"heun", 64}, {"euler", 64}}) {
    Sampler sampler(sampler_config(alg, steps));
    at::Tensor x = sampler.sample(g.denoiser(), sampler.init({n, 3}, kDouble));
    expect_moments(x, g.mu, g.cov, 5.0, alg);
  }
  // Stochastic DDIM (eta = 1, DDPM-like) also targets the same law as its steps increase.
  Sampler ddpm(sampler_config("ddim", 256, 1.0));
  expect_moments(ddpm.sample(g.denoiser(), ddpm.init({n, 3}, kDouble)), g.mu, g.cov, 5.0, "ddim eta=1");
}

// A scaled and shifted grid starts at sigma(1), not at the config's sigma_max: the initial noise must
// have that level, or the solver starts off its own grid and the samples keep the excess noise.
TEST(Sampler, ShiftedScheduleStartsAtItsFirstLevel) {
  Gaussian g;
  at::manual_seed(13);
  for (const auto& [scale, shift] : std::vector<std::pair<double, double>>{{1.0, -1.0}, {1.2, 0.5}}) {
    ScheduleConfig sc;
    sc.scale = scale;
    sc.shift = shift;
    const LogLogitSchedule schedule(sc);
    EXPECT_NEAR(schedule.sigma_max(), std::exp(scale * std::log(1e3) + shift), 1e-9 * schedule.sigma_max());
    EXPECT_NEAR(schedule.sigma_min(), std::exp(scale * std::log(1e-3) + shift), 1e-9 * schedule.sigma_min());
    Sampler sampler(sampler_config("ab", 64), sc);
    EXPECT_NEAR(sampler.sigmas().front(), schedule.sigma_max(), 1e-9 * schedule.sigma_max());
    const at::Tensor x = sampler.sample(g.denoiser(), sampler.init({20000, 3}, kDouble));
    expect_moments(x, g.mu, g.cov, 5.0,
                   "scale " + std::to_string(scale) + ", shift " + std::to_string(shift));
  }
}

TEST(Sampler, AdamsBashforthBeatsEulerOnGaussian) {
  Gaussian g;
  at::manual_seed(11);
  Sampler ab(sampler_config("ab", 16)), euler(sampler_config("euler", 16)), ddim(sampler_config("ddim", 16));
  Sampler heun(sampler_config("heun", 16)), reference(sampler_config("heun", 1024));
  at::Tensor x1 = ab.init({2000, 3}, kDouble);
  // Exact solution of the probability-flow ODE from the same noise.
  at::Tensor exact = g.exact_flow(x1, ab.sigmas().front(), ab.sigmas().back());
  // The many-step reference agrees with the exact flow (validates both).
  EXPECT_LT(rms(reference.sample(g.denoiser(), x1) - exact), 1e-4);
  const double e_ab = rms(ab.sample(g.denoiser(), x1) - exact);
  const double e_euler = rms(euler.sample(g.denoiser(), x1) - exact);
  const double e_ddim = rms(ddim.sample(g.denoiser(), x1) - exact);
  const double e_heun = rms(heun.sample(g.denoiser(), x1) - exact);
  std::printf("Gaussian, 16 steps, RMS error vs exact flow: AB3 %.3g, Euler %.3g, Heun %.3g\n", e_ab, e_euler,
              e_heun);
  EXPECT_LT(e_ab, 0.5 * e_euler);
  // Heun's trapezoid is poor on the first, very long step of the log-logit grid (sigma 1e3 -> 15)
  // but it converges at second order.
  Sampler heun64(sampler_config("heun", 64)), heun256(sampler_config("heun", 256));
  const double e_heun64 = rms(heun64.sample(g.denoiser(), x1) - exact);
  EXPECT_LT(e_heun64, e_heun / 4);
  EXPECT_LT(rms(heun256.sample(g.denoiser(), x1) - exact), e_heun64 / 4);
  EXPECT_NEAR(e_ddim, e_euler, 1e-9);  // DDIM with eta = 0 is Euler in sigma
  // Convergence with the number of steps.
  Sampler ab64(sampler_config("ab", 64));
  EXPECT_LT(rms(ab64.sample(g.denoiser(), x1) - exact), e_ab);
}

TEST(Sampler, MixtureMomentsAndAccuracy) {
  Mixture mix;
  at::manual_seed(12);
  const int64_t n = 20000;
  Sampler ab(sampler_config("ab", 16)), ab64(sampler_config("ab", 64));
  at::Tensor x1 = ab.init({n, 2}, kDouble);
  at::Tensor x = ab64.sample(mix.denoiser(), x1);
  expect_moments(x, mix.mean(), mix.cov(), 5.0, "mixture ab64");
  // Component occupancy: the fraction of samples attributed to component 2 is pi_2.
  at::Tensor w2 = at::exp(mix.log_weights(x, 0.0)).select(1, 1);
  const double frac = (w2 > 0.5).to(at::kDouble).mean().item<double>();
  EXPECT_NEAR(frac, 0.7, 5 * std::sqrt(0.21 / n));

  // Against a many-step reference from the same noise, AB3 beats Euler at 16 steps.
  at::Tensor x1s = x1.narrow(0, 0, 2000);
  Sampler reference(sampler_config("heun", 1024)), euler(sampler_config("euler", 16));
  at::Tensor ref = reference.sample(mix.denoiser(), x1s);
  const double e_ab = rms(ab.sample(mix.denoiser(), x1s) - ref);
  const double e_euler = rms(euler.sample(mix.denoiser(), x1s) - ref);
  std::printf("Mixture, 16 steps, RMS error vs 1024-step Heun: AB3 %.3g, Euler %.3g\n", e_ab, e_euler);
  EXPECT_LT(e_ab, 0.5 * e_euler);
}

TEST(Sampler, RefusesBadConfig) {
  EXPECT_THROW(Sampler(sampler_config("rk4", 16)), leap::Error);
  EXPECT_THROW(Sampler(sampler_config("ab", 0)), leap::Error);
}

}  // namespace
