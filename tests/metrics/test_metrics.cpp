// Metrics against values computed by hand.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>

#include "leap/error.h"
#include "leap/metrics/ensemble_scores.h"
#include "leap/metrics/power_spectrum.h"
#include "leap/metrics/vrmse.h"

using namespace leap::metrics;

TEST(Vrmse, HandComputed) {
  // One field, 2x2: u = {0,1,2,3} has variance 1.25; v = u + 1 has MSE 1.
  const auto u = at::arange(4, at::kDouble).view({1, 2, 2});
  const auto v = u + 1.0;
  EXPECT_NEAR(vrmse(u, v).item<double>(), std::sqrt(1.0 / (1.25 + 1e-6)), 1e-12);
  EXPECT_NEAR(rmse(u, v).item<double>(), 1.0, 1e-12);
  // Two fields, batch of 3: shape [3, 2] and identical estimates give 0.
  const auto w = at::randn({3, 2, 8, 8}, at::kDouble);
  EXPECT_EQ(vrmse(w, w).sizes(), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(vrmse(w, w).abs().max().item<double>(), 0.0);
  // Scale invariance of the reference: VRMSE(a u, a v) == VRMSE(u, v) (up to eps).
  const auto w2 = w + 0.1 * at::randn_like(w);
  EXPECT_NEAR((vrmse(10 * w, 10 * w2) - vrmse(w, w2)).abs().max().item<double>(), 0.0, 1e-5);
}

TEST(Vrmse, ThreeSpatialAxes) {
  // One field, 2x2x2: u = {0..7} has variance 5.25; v = u + 2 has MSE 4. Per channel over all three axes.
  const auto u = at::arange(8, at::kDouble).view({1, 2, 2, 2});
  EXPECT_NEAR(vrmse(u, u + 2.0, 3).item<double>(), std::sqrt(4.0 / (5.25 + 1e-6)), 1e-12);
  EXPECT_NEAR(rmse(u, u + 2.0, 3).item<double>(), 2.0, 1e-12);
  // [B, C, X, Y, Z] -> [B, C]; the channel whose estimate is off is the one reported.
  const auto w = at::randn({3, 2, 4, 5, 6}, at::kDouble);
  auto w2 = w.clone();
  w2.select(1, 1).add_(0.5);
  const auto r = vrmse(w, w2, 3);
  ASSERT_EQ(r.sizes(), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(r.select(1, 0).abs().max().item<double>(), 0.0);
  EXPECT_GT(r.select(1, 1).min().item<double>(), 0.1);
}

TEST(PowerSpectrum, SingleModePeaksAtItsFrequency) {
  const int64_t n = 32;
  const auto i = at::arange(n, at::kDouble).view({n, 1}).expand({n, n});
  const auto field = at::cos(2 * M_PI * 4.0 * i / double(n)).view({1, n, n});  // 4 cycles along x
  const auto s = isotropic_spectrum(field);
  ASSERT_EQ(s.frequency.size(0), n / 2);
  EXPECT_NEAR(s.frequency[0].item<double>(), 1.0 / n, 1e-15);
  EXPECT_NEAR(s.frequency[n / 2 - 1].item<double>(), 0.5, 1e-15);
  const int64_t peak = s.power[0].argmax().item<int64_t>();
  EXPECT_NEAR(s.frequency[peak].item<double>(), 4.0 / n, 1e-15);
  const auto others = s.power[0].clone();
  others[peak] = 0;
  EXPECT_LT(others.abs().max().item<double>(), 1e-20);
}

TEST(PowerSpectrum, BandsAndErrors) {
  const auto e = spectrum_band_edges(64);
  ASSERT_EQ(e.size(), 4u);
  EXPECT_NEAR(e[0], 1.0 / 64, 1e-15);
  EXPECT_NEAR(e[1], std::pow(32.0, 1.0 / 3.0) / 64, 1e-12);
  EXPECT_NEAR(e[3], 0.5, 1e-15);
  at::manual_seed(0);
  const auto u = at::randn({2, 3, 64, 64}, at::kDouble);
  const auto err0 = spectrum_error(u, u);
  EXPECT_EQ(err0.sizes(), (std::vector<int64_t>{2, 3, 3}));
  EXPECT_EQ(err0.abs().max().item<double>(), 0.0);
  // Doubling a field multiplies its power by 4: error |1 - 4| = 3 in every band (power >> eps).
  EXPECT_NEAR((spectrum_error(u, 2 * u) - 3.0).abs().max().item<double>(), 0.0, 1e-4);
  // Smoothing a field removes high frequencies: the error grows with frequency.
  const auto smooth = (u + u.roll(1, -1) + u.roll(-1, -1) + u.roll(1, -2) + u.roll(-1, -2)) / 5.0;
  const at::Tensor es = spectrum_error(u, smooth).mean(at::IntArrayRef{0, 1});
  EXPECT_LT(es[0].item<double>(), es[1].item<double>());
  EXPECT_LT(es[1].item<double>(), es[2].item<double>());
}

// 3-D: spherical shells. A plane wave cos(2 pi (2x + 2y + z)/n) has |k| = 3/n: its power, 2 coefficients
// of |F|^2/cells = cells/4 each, is averaged over the coefficients of shell 2 (|k| n in [2.5, 3.5)),
// counted here by integer arithmetic; every other shell is empty.
TEST(PowerSpectrum, SphericalShellsIn3d) {
  const int64_t n = 16, cells = n * n * n;
  const auto ax = [&](int a) {
    std::vector<int64_t> shape(3, 1);
    shape[size_t(a)] = n;
    return at::arange(n, at::kDouble).view(shape);
  };
  const auto field = at::cos(2 * M_PI * (2.0 * ax(0) + 2.0 * ax(1) + ax(2)) / double(n)).unsqueeze(0);
  const auto s = isotropic_spectrum(field, 3);
  ASSERT_EQ(s.power.sizes(), (std::vector<int64_t>{1, n / 2}));
  int64_t in_shell = 0;
  for (int64_t i = -n / 2; i < n / 2; ++i)
    for (int64_t j = -n / 2; j < n / 2; ++j)
      for (int64_t k = -n / 2; k < n / 2; ++k) {
        const int64_t r2 = i * i + j * j + k * k;  // 2.5^2 <= r2 < 3.5^2
        if (4 * r2 >= 25 && 4 * r2 < 49) ++in_shell;
      }
  EXPECT_NEAR(s.power[0][2].item<double>(), 2.0 * (double(cells) / 4.0) / double(in_shell), 1e-9);
  const auto others = s.power[0].clone();
  others[2] = 0;
  EXPECT_LT(others.abs().max().item<double>(), 1e-18);
  // A 2-D call on the same tensor would see 16 fields of 16 x 16: spatial_dims matters.
  EXPECT_EQ(isotropic_spectrum(field, 2).power.sizes(), (std::vector<int64_t>{1, 16, 8}));
}

// Shells do not depend on the axes' order (a cube's axes permuted), and the 3-D spectral error is 0
// for equal fields and |1 - 4| = 3 for a doubled one, as in 2-D.
TEST(PowerSpectrum, IsotropicAndErrorsIn3d) {
  at::manual_seed(3);
  const auto u = at::randn({2, 12, 12, 12}, at::kDouble);
  const auto a = isotropic_spectrum(u, 3).power, b = isotropic_spectrum(u.permute({0, 2, 3, 1}), 3).power;
  EXPECT_LT((a - b).abs().max().item<double>(), 1e-9 * a.abs().max().item<double>());
  EXPECT_EQ(spectrum_error(u, u, 3).sizes(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(spectrum_error(u, u, 3).abs().max().item<double>(), 0.0);
  EXPECT_NEAR((spectrum_error(u, 2 * u, 3) - 3.0).abs().max().item<double>(), 0.0, 1e-4);
  EXPECT_THROW(isotropic_spectrum(u, 4), leap::InputError);
}

TEST(EnsembleScores, HandComputed3d) {
  const auto u = at::arange(8, at::kDouble).view({1, 2, 2, 2});
  const auto ens = at::stack({u + 1.0, u - 1.0});
  EXPECT_EQ(ensemble_skill(u, ens, 3).sizes(), (std::vector<int64_t>{1}));
  EXPECT_NEAR(ensemble_skill(u, ens, 3).item<double>(), 0.0, 1e-15);
  EXPECT_NEAR(ensemble_spread(ens, 3).item<double>(), std::sqrt(3.0), 1e-12);
  EXPECT_NEAR(crps(u, ens, 3).item<double>(), 0.5, 1e-12);
}

TEST(EnsembleScores, HandComputed) {
  const auto u = at::arange(4, at::kDouble).view({1, 2, 2});
  const auto ens = at::stack({u + 1.0, u - 1.0});  // K = 2, mean = u
  EXPECT_NEAR(ensemble_skill(u, ens).item<double>(), 0.0, 1e-15);
  // Biased member variance 1, (K+1)/(K-1) = 3.
  EXPECT_NEAR(ensemble_spread(ens).item<double>(), std::sqrt(3.0), 1e-12);
  // CRPS: mean |v - u| = 1; sum_{k,l} |v_k - v_l| = 4, / (2 K^2) = 0.5.
  EXPECT_NEAR(crps(u, ens).item<double>(), 0.5, 1e-12);
  // One member: CRPS is the mean absolute error.
  const auto one = (u + 0.5).unsqueeze(0);
  EXPECT_NEAR(crps(u, one).item<double>(), 0.5, 1e-12);
  EXPECT_NEAR(ensemble_skill(u, one).item<double>(), 0.5, 1e-12);
}

TEST(EnsembleScores, CalibratedEnsembleHasRatioNearOne) {
  // Truth and members drawn from the same distribution: spread/skill -> 1.
  at::manual_seed(1);
  const int64_t K = 8;
  const auto center = at::randn({1, 64, 64}, at::kDouble);
  const auto u = center + at::randn({1, 64, 64}, at::kDouble);
  const auto ens = center.unsqueeze(0) + at::randn({K, 1, 64, 64}, at::kDouble);
  const double ratio = (ensemble_spread(ens) / ensemble_skill(u, ens)).item<double>();
  EXPECT_NEAR(ratio, 1.0, 0.05);
}
