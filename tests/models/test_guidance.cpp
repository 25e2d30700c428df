// Guided denoisers and observation operators. A Gaussian prior x ~ N(mu, diag(s2)) has the exact
// denoiser D(x_t) = mu + s2 / (s2 + sigma^2) (x_t - mu), and with a linear A the exact posterior
// denoiser E[x | x_t, y] is Gaussian conditioning: MMPS must give it to round-off once its CG
// iterations reach the number of observations (and in one iteration where the system is a multiple
// of I); the diagonal guidance must give it where its gamma sigma^2 equals the posterior variance;
// (with either linear solver, GMRES or CG); the double-backward Jacobian product of a non-linear A must
// equal the linear one; and the AB sampler
// driven by the MMPS denoiser must draw from the posterior p(x | y) (mean and variance).
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "leap/error.h"
#include "leap/models/guidance.h"
#include "leap/models/observation.h"
#include "leap/models/sampler.h"

using namespace leap;
using namespace leap::models;

namespace {

const auto kD = at::TensorOptions().dtype(at::kDouble);

struct GaussianPrior {
  at::Tensor mu, s2;  // (1, C, X, Y)
  DenoiseFn denoiser() const {
    return [m = mu, v = s2](const at::Tensor& x, const at::Tensor& sigma) {
      const at::Tensor sg2 = sigma.pow(2).view({-1, 1, 1, 1});
      return m + v / (v + sg2) * (x - m);
    };
  }
};

GaussianPrior prior(bool isotropic, int64_t n = 4) {
  at::manual_seed(7);
  GaussianPrior p;
  p.mu = at::randn({1, 1, n, n}, kD);
  p.s2 = isotropic ? at::full({1, 1, n, n}, 1.5, kD) : 0.5 + 1.5 * at::rand({1, 1, n, n}, kD);
  return p;
}

// A's matrix (M x n), column k = A(e_k).
at::Tensor matrix_of(const ObservationOperator& A, int64_t n) {
  const at::Tensor eye = at::eye(n * n, kD).view({n * n, 1, n, n});
  return A(eye).t().contiguous();
}

// E[x | x_t, y] in closed form: precision diag(1/s2) + I/sigma^2 + A^T A / var_y.
at::Tensor exact_posterior_denoiser(const GaussianPrior& p, const at::Tensor& Am, const at::Tensor& x_t,
                                    double sigma, const at::Tensor& y, double var_y) {
  const int64_t n = p.mu.numel();
  const at::Tensor P =
      at::diag(1.0 / p.s2.flatten()) + at::eye(n, kD) / (sigma * sigma) + Am.t().mm(Am) / var_y;
  at::Tensor out = at::empty_like(x_t);
  for (int64_t b = 0; b < x_t.size(0); ++b) {
    const at::Tensor rhs =
        p.mu.flatten() / p.s2.flatten() + x_t[b].flatten() / (sigma * sigma) + Am.t().mv(y) / var_y;
    out[b] = at::linalg_solve(P, rhs).view(x_t[b].sizes());
  }
  return out;
}

TEST(Observation, OperatorsAreWhatTheySay) {
  const at::Tensor x = at::arange(2 * 4 * 6, kD).view({2, 4, 6});  // C = 2, X = 4, Y = 6
  const at::Tensor s = subsample_operator(2)(x);
  EXPECT_TRUE(at::equal(s, x.slice(1, 0, 4, 2).slice(2, 0, 6, 2).flatten()));
  EXPECT_EQ(s.numel(), 2 * 2 * 3);
  EXPECT_DOUBLE_EQ(subsample_operator(3, 1)(x)[0].item<double>(), x[0][1][1].item<double>());
  const at::Tensor d = downscale_operator(2)(x);
  EXPECT_DOUBLE_EQ(d[0].item<double>(), x[0].slice(0, 0, 2).slice(1, 0, 2).mean().item<double>());
  EXPECT_EQ(d.numel(), 2 * 2 * 3);
  const at::Tensor p = sensor_operator({{1, 3, 5}, {0, 0, 2}})(x.unsqueeze(0));
  EXPECT_EQ(p.sizes(), (at::IntArrayRef{1, 2}));
  EXPECT_DOUBLE_EQ(p[0][0].item<double>(), x[1][3][5].item<double>());
  EXPECT_DOUBLE_EQ(p[0][1].item<double>(), x[0][0][2].item<double>());
  EXPECT_THROW(downscale_operator(4)(x), Error);         // 6 is not a multiple of 4
  EXPECT_THROW(sensor_operator({{2, 0, 0}})(x), Error);  // no channel 2
  EXPECT_EQ(parse_observation_operator("subsample:32", "--guidance").name, "subsample:32");
  EXPECT_EQ(parse_observation_operator("downscale:8", "--guidance").name, "downscale:8");
  EXPECT_THROW(parse_observation_operator("downscale:x", "--guidance"), InputError);
  EXPECT_THROW(parse_observation_operator("blur:2", "--guidance"), InputError);
  EXPECT_THROW(parse_observation_operator("subsample:2:2", "--guidance"), InputError);
}

// 3-D states (..., C, X, Y, Z): every axis is subsampled or averaged in blocks, checked against the
// definitions written out index by index.
TEST(Observation, OperatorsIn3d) {
  const at::Tensor x = at::randn({2, 4, 6, 8}, kD);  // C = 2, X = 4, Y = 6, Z = 8
  const at::Tensor s = subsample_operator(2, 1, 3)(x);
  ASSERT_EQ(s.numel(), 2 * 2 * 3 * 4);
  EXPECT_DOUBLE_EQ(s[0].item<double>(), x[0][1][1][1].item<double>());
  // Flattened (C, X', Y', Z'): entry ((c X' + i) Y' + j) Z' + k is x[c][1 + 2i][1 + 2j][1 + 2k].
  EXPECT_DOUBLE_EQ(s[((1 * 2 + 1) * 3 + 2) * 4 + 3].item<double>(), x[1][3][5][7].item<double>());
  const at::Tensor d = downscale_operator(2, 3)(x);
  ASSERT_EQ(d.numel(), 2 * 2 * 3 * 4);
  EXPECT_NEAR(d[((1 * 2 + 1) * 3 + 2) * 4 + 3].item<double>(),
              x[1].slice(0, 2, 4).slice(1, 4, 6).slice(2, 6, 8).mean().item<double>(), 1e-14);
  // A batch in front: (B, C, X, Y, Z) -> (B, M).
  EXPECT_EQ(downscale_operator(2, 3)(x.unsqueeze(0).expand({3, -1, -1, -1, -1})).sizes(),
            (at::IntArrayRef{3, 2 * 2 * 3 * 4}));
  EXPECT_THROW(downscale_operator(4, 3)(x), Error);  // 6 is not a multiple of 4
  EXPECT_THROW(subsample_operator(2, 0, 4), InputError);
  EXPECT_EQ(parse_observation_operator("downscale:2", "--guidance", 3)(x).numel(), d.numel());
  const at::Tensor p = sensor_operator({{1, 3, 5, 7}, {0, 0, 2, 1}}, 3)(x.unsqueeze(0));
  EXPECT_EQ(p.sizes(), (at::IntArrayRef{1, 2}));
  EXPECT_DOUBLE_EQ(p[0][0].item<double>(), x[1][3][5][7].item<double>());
  EXPECT_DOUBLE_EQ(p[0][1].item<double>(), x[0][0][2][1].item<double>());
  EXPECT_THROW(sensor_operator({{0, 0, 0, 8}}, 3)(x), Error);      // z = 8 of 8
  EXPECT_THROW(sensor_operator({{0, 0, 0, 1}}, 2), InputError);  // a z index in 2-D
}

TEST(Guidance, MmpsIsExactGaussianConditioning) {
  const int64_t n = 4;
  const GaussianPrior p = prior(false, n);
  const double var_y = 0.05;
  for (const auto& A :
       {subsample_operator(2), downscale_operator(2), sensor_operator({{0, 1, 2}, {0, 3, 0}})}) {
    const at::Tensor Am = matrix_of(A, n);
    const int64_t M = Am.size(0);
    const at::Tensor y = at::randn({M}, kD);
    for (const double sigma : {0.05, 1.0, 30.0}) {
      const at::Tensor x_t = p.mu + sigma * at::randn({3, 1, n, n}, kD);
      const at::Tensor want = exact_posterior_denoiser(p, Am, x_t, sigma, y, var_y);
      for (const char* solver : {"gmres", "cg"}) {
        const at::Tensor got =
            mmps_denoiser(p.denoiser(), A, y, var_y, int(M), solver)(x_t, at::full({3}, sigma, kD));
        EXPECT_TRUE(at::allclose(got, want, 1e-8, 1e-8))
            << A.name << " " << solver << " sigma " << sigma << ": max error "
            << (got - want).abs().max().item<double>();
      }
    }
  }
}

TEST(Guidance, OneIterationSufficesWhenTheSystemIsScalar) {
  // Isotropic prior, A with orthonormal rows (subsampling): var_y I + sigma^2 A J_D A^T = c I.
  const int64_t n = 4;
  const GaussianPrior p = prior(true, n);
  const auto A = subsample_operator(2);
  const at::Tensor y = at::randn({4}, kD);
  const at::Tensor x_t = p.mu + 0.7 * at::randn({2, 1, n, n}, kD);
  for (const char* solver : {"gmres", "cg"}) {
    const at::Tensor got = mmps_denoiser(p.denoiser(), A, y, 0.01, 1, solver)(x_t, at::full({2}, 0.7, kD));
    EXPECT_TRUE(
        at::allclose(got, exact_posterior_denoiser(p, matrix_of(A, n), x_t, 0.7, y, 0.01), 1e-10, 1e-10))
        << solver;
  }
  // With an anisotropic prior one iteration is only an approximation (and still moves toward y).
  const GaussianPrior q = prior(false, n);
  const at::Tensor one = mmps_denoiser(q.denoiser(), A, y, 0.01, 1)(x_t, at::full({2}, 0.7, kD));
  const at::Tensor exact = exact_posterior_denoiser(q, matrix_of(A, n), x_t, 0.7, y, 0.01);
  const at::Tensor plain = q.denoiser()(x_t, at::full({2}, 0.7, kD));
  EXPECT_FALSE(at::allclose(one, exact, 1e-6, 1e-6));
  EXPECT_LT((A(one) - y).norm().item<double>(), (A(plain) - y).norm().item<double>());
}

TEST(Guidance, NonLinearOperatorsUseTheirJacobian) {
  // The same linear map declared non-linear goes through the double-backward product: same result.
  const int64_t n = 4;
  const GaussianPrior p = prior(false, n);
  const at::Tensor W = at::randn({n * n, n * n}, kD) / 4.0;
  auto f = [W](const at::Tensor& x) {
    return W.matmul(x.flatten(-3).unsqueeze(-1)).squeeze(-1).view(x.sizes());
  };
  const auto linear = compose(downscale_operator(2), f, "W", true);
  const auto nonlinear = compose(downscale_operator(2), f, "W", false);
  EXPECT_FALSE(nonlinear.linear);
  const at::Tensor y = at::randn({4}, kD), x_t = p.mu + at::randn({2, 1, n, n}, kD),
                   s = at::full({2}, 1.0, kD);
  const at::Tensor a = mmps_denoiser(p.denoiser(), linear, y, 0.02, 3)(x_t, s);
  const at::Tensor b = mmps_denoiser(p.denoiser(), nonlinear, y, 0.02, 3)(x_t, s);
  EXPECT_TRUE(at::allclose(a, b, 1e-10, 1e-10));
  // And a truly non-linear one (tanh) is exact to first order: the result moves the state toward y.
  const auto curved = compose(
      subsample_operator(2), [](const at::Tensor& x) { return at::tanh(x); }, "tanh");
  const at::Tensor plain = p.denoiser()(x_t, s);
  const at::Tensor g = mmps_denoiser(p.denoiser(), curved, at::zeros({4}, kD), 0.01, 4)(x_t, s);
  EXPECT_LT(curved(g).norm().item<double>(), curved(plain).norm().item<double>());
}

TEST(Guidance, DiagonalGuidance) {
  const int64_t n = 4;
  const GaussianPrior p = prior(true, n);  // s2 = 1.5 everywhere
  const auto A = subsample_operator(2);
  const at::Tensor y = at::randn({4}, kD), x_t = p.mu + 0.8 * at::randn({2, 1, n, n}, kD);
  const double sigma = 0.8, s2 = 1.5;
  const at::Tensor sg = at::full({2}, sigma, kD);
  // gamma sigma^2 = Var[x | x_t] = s2 sigma^2 / (s2 + sigma^2): exact.
  const double gamma = s2 / (s2 + sigma * sigma);
  const at::Tensor got = diagonal_guided_denoiser(p.denoiser(), A, y, 0.03, gamma)(x_t, sg);
  EXPECT_TRUE(
      at::allclose(got, exact_posterior_denoiser(p, matrix_of(A, n), x_t, sigma, y, 0.03), 1e-10, 1e-10));
  // Uninformative observations change nothing.
  const at::Tensor vague = diagonal_guided_denoiser(p.denoiser(), A, y, 1e14, gamma)(x_t, sg);
  EXPECT_TRUE(at::allclose(vague, p.denoiser()(x_t, sg), 1e-10, 1e-10));
  EXPECT_THROW(diagonal_guided_denoiser(p.denoiser(), A, y, 0.0, gamma), InputError);
  EXPECT_THROW(mmps_denoiser(p.denoiser(), A, y, 0.1, 0), InputError);
  EXPECT_THROW(mmps_denoiser(p.denoiser(), A, y, 0.1, 1, "lu"), InputError);
  // Observations of the wrong size are refused with both shapes named.
  EXPECT_THROW(mmps_denoiser(p.denoiser(), A, at::zeros({5}, kD), 0.1, 1)(x_t, sg), InputError);
}

TEST(Guidance, GuidedSamplerDrawsThePosterior) {
  const int64_t n = 4, B = 2000;
  const GaussianPrior p = prior(false, n);
  const auto A = downscale_operator(2);
  const at::Tensor Am = matrix_of(A, n);
  const double var_y = 0.02;
  const at::Tensor y = at::randn({4}, kD);
  // p(x | y): precision diag(1/s2) + A^T A / var_y.
  const at::Tensor P = at::diag(1.0 / p.s2.flatten()) + Am.t().mm(Am) / var_y;
  const at::Tensor cov = at::linalg_inv(P);
  const at::Tensor mean = cov.mv(p.mu.flatten() / p.s2.flatten() + Am.t().mv(y) / var_y);
  SamplerConfig sc;
  sc.steps = 32;
  Sampler sampler(sc);
  at::manual_seed(11);
  const at::Tensor x0 = sampler.init({B, 1, n, n}, kD);
  const at::Tensor x = sampler.sample(mmps_denoiser(p.denoiser(), A, y, var_y, 4), x0).flatten(1);
  const at::Tensor m = x.mean(0), v = x.var(0);
  const at::Tensor se = (cov.diagonal() / double(B)).sqrt();
  EXPECT_LT(((m - mean).abs() / se).max().item<double>(), 4.5)
      << "mean off by " << ((m - mean).abs() / se).max();
  EXPECT_LT(((v / cov.diagonal()) - 1).abs().max().item<double>(), 0.15) << v << cov.diagonal();
  // The observed block means are pinned down: their spread is far below the prior's.
  const at::Tensor observed = x.mm(Am.t());
  const at::Tensor prior_var = (Am * Am).mv(p.s2.flatten());
  EXPECT_LT((observed.var(0) / prior_var).max().item<double>(), 0.1);
}

}  // namespace
