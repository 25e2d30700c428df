// Properties every run of the Euler solver must keep:
//  - periodic boundaries conserve total mass, momentum and energy to round-off over many steps;
//  - density and pressure stay positive on random multi-quadrant problems (gammas of The Well's
//    euler_multi_quadrants, both boundary kinds, both limiters);
//  - InjectWellFields(ExtractWellField(...)) reproduces the state to float precision.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "euler_test_support.h"

namespace leap::euler2d {
namespace {

using test::MakeSolver;

TEST(Euler2dRobustness, PeriodicBoundariesConserveMassMomentumAndEnergy) {
  EulerConfig cfg = test::SmallConfig("quadrants", 40, 32);
  cfg.boundary = "periodic";
  cfg.seed = 3;
  cfg.ly = 0.8;
  std::unique_ptr<EulerSolver> solver;
  ASSERT_NO_FATAL_FAILURE(MakeSolver(PETSC_COMM_WORLD, cfg, &solver));
  std::array<PetscReal, 4> before, after;
  ASSERT_EQ(solver->ConservedTotals(&before), 0);
  // The scale of each total: the integral of its absolute value (momentum totals may be near 0).
  std::array<PetscReal, 4> scale;
  {
    Vec a;
    PetscScalar sums[4];
    VecDuplicate(solver->solution(), &a);
    VecCopy(solver->solution(), a);
    VecAbs(a);
    VecStrideSumAll(a, sums);
    for (int c = 0; c < 4; ++c) scale[size_t(c)] = sums[c] * solver->dx() * solver->dy();
    VecDestroy(&a);
  }
  ASSERT_EQ(solver->Advance(0.6), 0);
  EXPECT_GE(solver->steps(), 300);
  ASSERT_EQ(solver->ConservedTotals(&after), 0);
  const char* names[4] = {"mass", "momentum_x", "momentum_y", "energy"};
  for (size_t c = 0; c < 4; ++c) {
    const double rel = std::abs(after[c] - before[c]) / scale[c];
    std::printf("[ conserve ] %-10s before % .15e after % .15e  relative change %.2e (%d steps)\n", names[c],
                before[c], after[c], rel, int(solver->steps()));
    EXPECT_LE(rel, 1e-12) << names[c];
  }
}

// Runs cfg to t_end in four legs and returns the smallest density and pressure seen at their ends.
void RunAndTrackMinima(const EulerConfig& cfg, double t_end, PetscReal* worst_rho, PetscReal* worst_p) {
  std::unique_ptr<EulerSolver> solver;
  ASSERT_NO_FATAL_FAILURE(MakeSolver(PETSC_COMM_WORLD, cfg, &solver));
  *worst_rho = *worst_p = PETSC_MAX_REAL;
  for (int k = 1; k <= 4; ++k) {
    // Every step also checks the whole state (the CFL step refuses a non-positive one).
    ASSERT_EQ(solver->Advance(0.25 * t_end * k), 0) << "seed " << cfg.seed;
    PetscReal rho_min, p_min;
    ASSERT_EQ(solver->MinDensityPressure(&rho_min, &p_min), 0);
    *worst_rho = std::min(*worst_rho, rho_min);
    *worst_p = std::min(*worst_p, p_min);
  }
  std::printf("[ positive ] seed %3d gamma %.3f %-8s %-6s: %4d steps, min density %.4e, min pressure %.4e\n",
              int(cfg.seed), cfg.gamma, cfg.boundary.c_str(), cfg.limiter.c_str(), int(solver->steps()),
              *worst_rho, *worst_p);
}

TEST(Euler2dRobustness, DensityAndPressureStayPositiveOnRandomQuadrants) {
  // Gammas of The Well's euler_multi_quadrants (from its ten values).
  const double gammas[8] = {1.13, 1.22, 1.3, 1.4, 1.453, 1.597, 1.76, 1.33};
  for (int seed = 0; seed < 8; ++seed) {
    EulerConfig cfg = test::SmallConfig("quadrants", 64, 64);
    cfg.seed = 100 + seed;
    cfg.gamma = gammas[seed];
    cfg.boundary = seed % 2 ? "open" : "periodic";
    cfg.limiter = seed % 4 < 2 ? "mc" : "minmod";
    PetscReal rho_min = -1, p_min = -1;
    ASSERT_NO_FATAL_FAILURE(RunAndTrackMinima(cfg, 0.2, &rho_min, &p_min));
    EXPECT_GT(rho_min, 0) << "seed " << cfg.seed;
    EXPECT_GT(p_min, 0) << "seed " << cfg.seed;
  }
}

// Harsher than the defaults: near-vacuum quadrants (density and pressure down to 0.01) colliding
// and separating at up to twice the default speeds, which drive the pressure to ~1e-3.
TEST(Euler2dRobustness, DensityAndPressureStayPositiveNearVacuum) {
  for (int seed : {3, 4}) {
    EulerConfig cfg = test::SmallConfig("quadrants", 64, 64);
    cfg.seed = seed;
    cfg.gamma = 1.76;
    cfg.boundary = "open";
    cfg.quadrants.density_min = 0.01;
    cfg.quadrants.pressure_min = 0.01;
    cfg.quadrants.velocity_max = 2.0;
    PetscReal rho_min = -1, p_min = -1;
    ASSERT_NO_FATAL_FAILURE(RunAndTrackMinima(cfg, 0.3, &rho_min, &p_min));
    EXPECT_GT(rho_min, 0) << "seed " << cfg.seed;
    EXPECT_GT(p_min, 0) << "seed " << cfg.seed;
  }
}

}  // namespace
}  // namespace leap::euler2d
