// Properties every run of the 3-D Euler solver must keep:
//  - boundaries periodic along every axis conserve total mass, momentum and energy to round-off
//    (a blast wave that crosses the boundaries, and the Taylor-Green vortex);
//  - density and pressure stay positive on blast waves (up to a pressure ratio of 10^4) and on
//    random octant problems (several gammas, both limiters, open and periodic boundaries);
//  - a blast wave centred in a cube keeps the cube's symmetries (axis permutations and
//    reflections) to round-off.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "euler3d_test_support.h"

namespace leap::euler3d {
namespace {

using test::GatherNatural;
using test::MakeSolver;

// The integral of the magnitude of each conserved variable: the scale of its total (the momentum
// totals are near zero).
EulerSolver::Totals MagnitudeIntegrals(const EulerSolver& solver) {
  EulerSolver::Totals scale;
  Vec a;
  PetscScalar sums[5];
  VecDuplicate(solver.solution(), &a);
  VecCopy(solver.solution(), a);
  VecAbs(a);
  VecStrideSumAll(a, sums);
  for (size_t c = 0; c < 5; ++c) scale[c] = sums[c] * solver.dx() * solver.dy() * solver.dz();
  VecDestroy(&a);
  return scale;
}

// Runs cfg to t_end and checks the change of each of the five totals against the larger of the
// magnitude integrals at the start and at the end (a gas at rest has no momentum to start with).
void ExpectConserved(const EulerConfig& cfg, double t_end, PetscInt min_steps) {
  std::unique_ptr<EulerSolver> solver;
  ASSERT_NO_FATAL_FAILURE(MakeSolver(PETSC_COMM_WORLD, cfg, &solver));
  EulerSolver::Totals before, after;
  ASSERT_EQ(solver->ConservedTotals(&before), 0);
  const EulerSolver::Totals scale_before = MagnitudeIntegrals(*solver);
  ASSERT_EQ(solver->Advance(t_end), 0);
  EXPECT_GE(solver->steps(), min_steps);
  ASSERT_EQ(solver->ConservedTotals(&after), 0);
  const EulerSolver::Totals scale_after = MagnitudeIntegrals(*solver);
  const char* names[5] = {"mass", "momentum_x", "momentum_y", "momentum_z", "energy"};
  for (size_t c = 0; c < 5; ++c) {
    const double scale = std::max(scale_before[c], scale_after[c]);
    ASSERT_GT(scale, 0) << names[c];
    const double rel = std::abs(after[c] - before[c]) / scale;
    std::printf("[ conserve ] %-12s %-10s before % .15e after % .15e  relative change %.2e (%d steps)\n",
                cfg.initial_condition.c_str(), names[c], before[c], after[c], rel, int(solver->steps()));
    EXPECT_LE(rel, 1e-13) << cfg.initial_condition << " " << names[c];
  }
}

TEST(Euler3dRobustness, PeriodicBoundariesConserveMassMomentumAndEnergy) {
  // A blast wave off the centre (a non-cubic box: the waves cross the boundaries at different times).
  EulerConfig blast = test::SmallConfig("blast", 20, 16, 12);
  blast.lx = 1.25;
  blast.lz = 0.75;
  blast.blast.radius = 0.15;
  ExpectConserved(blast, 0.3, 100);
  // The Taylor-Green vortex at Mach 0.5.
  EulerConfig tg = test::SmallConfig("taylor_green", 16, 16, 16);
  tg.taylor_green.mach = 0.5;
  tg.limiter = "minmod";
  ExpectConserved(tg, 0.5, 120);
}

// Runs cfg to t_end in four legs and returns the smallest density and pressure seen at their ends.
void RunAndTrackMinima(const EulerConfig& cfg, double t_end, PetscReal* worst_rho, PetscReal* worst_p,
                       std::unique_ptr<EulerSolver>* out = nullptr) {
  std::unique_ptr<EulerSolver> solver;
  ASSERT_NO_FATAL_FAILURE(MakeSolver(PETSC_COMM_WORLD, cfg, &solver));
  *worst_rho = *worst_p = PETSC_MAX_REAL;
  for (int k = 1; k <= 4; ++k) {
    // Every step also checks the whole state (the CFL step refuses a non-positive one).
    ASSERT_EQ(solver->Advance(0.25 * t_end * k), 0) << cfg.initial_condition << " seed " << cfg.seed;
    PetscReal rho_min, p_min;
    ASSERT_EQ(solver->MinDensityPressure(&rho_min, &p_min), 0);
    *worst_rho = std::min(*worst_rho, rho_min);
    *worst_p = std::min(*worst_p, p_min);
  }
  std::printf("[ positive ] %-8s seed %3d gamma %.3f %-6s: %4d steps, min density %.4e, min pressure %.4e\n",
              cfg.initial_condition.c_str(), int(cfg.seed), cfg.gamma, cfg.limiter.c_str(),
              int(solver->steps()), *worst_rho, *worst_p);
  if (out) *out = std::move(solver);
}

TEST(Euler3dRobustness, BlastWavesStayPositiveAndSymmetric) {
  // Pressure ratio 100 (the classic setup) on a cube with open boundaries, past the point where the
  // shock leaves the domain.
  EulerConfig cfg = test::SmallConfig("blast", 24, 24, 24);
  cfg.boundary = {"open", "open", "open"};
  cfg.blast.radius = 0.15;
  std::unique_ptr<EulerSolver> solver;
  PetscReal rho_min = -1, p_min = -1;
  ASSERT_NO_FATAL_FAILURE(RunAndTrackMinima(cfg, 0.2, &rho_min, &p_min, &solver));
  EXPECT_GT(rho_min, 0);
  EXPECT_GT(p_min, 0);
  // The symmetries of the cube: rho(i, j, k) = rho(j, i, k) = rho(k, j, i) = rho(n-1-i, j, k).
  std::vector<PetscReal> s;
  ASSERT_EQ(GatherNatural(solver->dm(), solver->solution(), &s), 0);
  if (!s.empty()) {
    const int n = 24;
    const auto rho = [&](int i, int j, int k) { return s[size_t(((k * n + j) * n + i) * 5)]; };
    double worst = 0, range = 0;
    for (int k = 0; k < n; ++k)
      for (int j = 0; j < n; ++j)
        for (int i = 0; i < n; ++i) {
          const double r = rho(i, j, k);
          worst = std::max({worst, std::abs(r - rho(j, i, k)), std::abs(r - rho(k, j, i)),
                            std::abs(r - rho(n - 1 - i, j, k)), std::abs(r - rho(i, n - 1 - j, n - 1 - k))});
          range = std::max(range, std::abs(r - 1));
        }
    std::printf(
        "[ symmetry ] blast at t = %.2f: density differs from its mirror images by %.2e (range %.3f)\n",
        double(solver->time()), worst, range);
    EXPECT_LE(worst, 1e-12);
    EXPECT_GT(range, 0.1);  // a real wave
  }

  // A strong blast: pressure ratio 10^4, low density, periodic.
  cfg = test::SmallConfig("blast", 20, 20, 20);
  cfg.blast = {0.1, 100.0, 0.01, 0.1};
  cfg.gamma = 5.0 / 3;
  ASSERT_NO_FATAL_FAILURE(RunAndTrackMinima(cfg, 0.04, &rho_min, &p_min));
  EXPECT_GT(rho_min, 0);
  EXPECT_GT(p_min, 0);
}

TEST(Euler3dRobustness, DensityAndPressureStayPositiveOnRandomOctants) {
  const double gammas[4] = {1.13, 1.4, 1.597, 1.76};
  for (int seed = 0; seed < 4; ++seed) {
    EulerConfig cfg = test::SmallConfig("octants", 20, 20, 20);
    cfg.seed = 200 + seed;
    cfg.gamma = gammas[seed];
    const std::string bc = seed % 2 ? "open" : "periodic";
    cfg.boundary = {bc, bc, bc};
    cfg.limiter = seed < 2 ? "mc" : "minmod";
    cfg.octants.density_min = 0.05;
    cfg.octants.pressure_min = 0.05;
    cfg.octants.velocity_max = 1.5;
    PetscReal rho_min = -1, p_min = -1;
    ASSERT_NO_FATAL_FAILURE(RunAndTrackMinima(cfg, 0.15, &rho_min, &p_min));
    EXPECT_GT(rho_min, 0) << "seed " << cfg.seed;
    EXPECT_GT(p_min, 0) << "seed " << cfg.seed;
  }
}

}  // namespace
}  // namespace leap::euler3d
