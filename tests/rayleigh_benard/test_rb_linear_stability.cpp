// Linear stability of the conductive state between rigid, fixed-temperature walls: the critical
// Rayleigh number is Ra_c = 1707.76 at wavenumber k_c = 3.117 (Chandrasekhar 1961, Hydrodynamic
// and Hydromagnetic Stability, ch. II). In a periodic box of one critical wavelength,
// Lx = 2π/3.117, a small perturbation must decay at Ra = 0.9 Ra_c and grow at Ra = 1.1 Ra_c; the
// zero crossing of the measured growth rate locates the discrete Ra_c, which must lie within 3 %
// of the theory. Near onset the growth rate of the roll amplitude is σ = ε/τ0 with ε = Ra/Ra_c - 1
// and, for rigid walls, τ0 = (Pr + 0.5117)/(19.65 Pr) thermal diffusion times (amplitude equation
// coefficients, Cross & Hohenberg 1993, Rev. Mod. Phys. 65, 851, table of Rayleigh–Bénard
// coefficients): the slope dσ/dε is checked against 1/τ0 loosely (30 %), since ε = ±0.1 is not
// infinitesimal.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "rb_solver.h"

namespace {

using leap::rayleigh_benard::RBConfig;
using leap::rayleigh_benard::RBSolver;

constexpr double kRaCritical = 1707.76;
constexpr double kCriticalWavenumber = 3.117;

// Growth rate of the perturbation amplitude, from the kinetic energy E ∝ A² between t1 and t2
// (after the faster-decaying modes have gone).
double AmplitudeGrowthRate(double rayleigh) {
  RBConfig cfg;
  cfg.nx = 24;
  cfg.ny = 25;
  cfg.lx = 2 * M_PI / kCriticalWavenumber;
  cfg.rayleigh = rayleigh;
  cfg.prandtl = 1.0;
  cfg.perturbation = 1e-4;
  cfg.seed = 7;
  std::unique_ptr<RBSolver> solver;
  EXPECT_EQ(RBSolver::Create(PETSC_COMM_WORLD, cfg, &solver), 0);
  if (!solver) return NAN;
  const double t1 = 0.4, t2 = 0.8;
  PetscReal e1 = 0, e2 = 0;
  EXPECT_EQ(solver->Advance(t1), 0);
  EXPECT_EQ(solver->KineticEnergy(&e1), 0);
  EXPECT_EQ(solver->Advance(t2), 0);
  EXPECT_EQ(solver->KineticEnergy(&e2), 0);
  EXPECT_GT(e1, 0);
  return 0.5 * std::log(e2 / e1) / (t2 - t1);
}

TEST(RBLinearStability, DecaysBelowAndGrowsAboveTheCriticalRayleighNumber) {
  const double ra_low = 0.9 * kRaCritical, ra_high = 1.1 * kRaCritical;
  const double sigma_low = AmplitudeGrowthRate(ra_low);
  const double sigma_high = AmplitudeGrowthRate(ra_high);
  EXPECT_LT(sigma_low, -0.2) << "a perturbation must decay at Ra = 0.9 Ra_c";
  EXPECT_GT(sigma_high, 0.2) << "a perturbation must grow at Ra = 1.1 Ra_c";

  const double ra_c = ra_low + (ra_high - ra_low) * (-sigma_low) / (sigma_high - sigma_low);
  EXPECT_NEAR(ra_c / kRaCritical, 1.0, 0.03) << "discrete critical Rayleigh number " << ra_c;

  const double pr = 1.0, tau0 = (pr + 0.5117) / (19.65 * pr);
  const double slope = (sigma_high - sigma_low) / 0.2;  // dσ/dε
  EXPECT_NEAR(slope * tau0, 1.0, 0.3) << "dσ/dε = " << slope << ", amplitude equation 1/τ0 = " << 1 / tau0;
  std::printf("sigma(0.9 Ra_c) = %.4f, sigma(1.1 Ra_c) = %.4f, discrete Ra_c = %.1f, dsigma/deps = %.2f\n",
              sigma_low, sigma_high, ra_c, slope);
}

}  // namespace
