// Convergence of the Euler solver against exact solutions:
//  - Sod's shock tube (a 1-D Riemann problem along x) against the exact Riemann solution: the L1
//    density error falls at the first-order-like rate of a problem with a shock and a contact;
//  - the isentropic vortex (smooth, advected): second order.
#include <gtest/gtest.h>

#include <cstdio>
#include <vector>

#include "euler/exact_riemann.h"
#include "euler2d/initial_conditions.h"
#include "euler_test_support.h"

namespace leap::euler2d {
namespace {

using test::DensityL1Error;
using test::MakeSolver;
using test::ObservedOrder;

// L1 density error of Sod's problem at t = 0.2 on nx x 4 cells (open boundaries, which the waves
// do not reach by then).
double SodError(int nx, const std::string& limiter) {
  EulerConfig cfg = test::SmallConfig("sod", nx, 4);
  cfg.boundary = "open";
  cfg.limiter = limiter;
  cfg.gamma = 1.4;
  const double t = 0.2;
  std::unique_ptr<EulerSolver> solver;
  MakeSolver(PETSC_COMM_WORLD, cfg, &solver);
  if (!solver) return -1;
  EXPECT_EQ(solver->Advance(t), 0);
  EXPECT_DOUBLE_EQ(solver->time(), t);
  const ExactRiemannSolver exact(SodLeftState(), SodRightState(), cfg.gamma);
  const double dx = solver->dx();
  // Cell averages of the exact density (midpoint rule on 64 sub-cells).
  std::vector<double> exact_avg(size_t(nx), 0.0);
  for (int i = 0; i < nx; ++i) {
    for (int k = 0; k < 64; ++k) {
      const double x = (i + (k + 0.5) / 64) * dx;
      exact_avg[size_t(i)] += exact.Sample((x - 0.5 * cfg.lx) / t).rho / 64;
    }
  }
  PetscReal error = -1;
  EXPECT_EQ(DensityL1Error(
                *solver, [&](PetscInt i, PetscInt) { return exact_avg[size_t(i)]; }, &error),
            0);
  return error / cfg.ly;  // per unit length of the tube
}

TEST(Euler2dConvergence, SodShockTubeMatchesTheExactRiemannSolution) {
  for (const std::string limiter : {"mc", "minmod"}) {
    std::vector<double> errors;
    for (int nx : {100, 200, 400}) errors.push_back(SodError(nx, limiter));
    const double order1 = ObservedOrder(errors[0], errors[1]), order2 = ObservedOrder(errors[1], errors[2]);
    std::printf("[ Sod/%-6s] L1(density) 100: %.4e  200: %.4e  400: %.4e   observed orders %.3f, %.3f\n",
                limiter.c_str(), errors[0], errors[1], errors[2], order1, order2);
    EXPECT_GT(order1, 0.6) << limiter;
    EXPECT_LT(order1, 1.2) << limiter;
    EXPECT_GT(order2, 0.6) << limiter;
    EXPECT_LT(order2, 1.2) << limiter;
    // A wrong wave speed or star state leaves an O(1) error that does not fall with resolution.
    EXPECT_LT(errors[2], limiter == "mc" ? 1.5e-3 : 2.7e-3) << limiter;
  }
}

// L1 density error of the isentropic vortex on [0, 10]^2 (periodic) after t = 1.
double VortexError(int n) {
  EulerConfig cfg = test::SmallConfig("vortex", n, n);
  cfg.lx = cfg.ly = 10;
  cfg.boundary = "periodic";
  cfg.limiter = "mc";
  const double t = 1.0;
  std::unique_ptr<EulerSolver> solver;
  MakeSolver(PETSC_COMM_WORLD, cfg, &solver);
  if (!solver) return -1;
  EXPECT_EQ(solver->Advance(t), 0);
  EXPECT_DOUBLE_EQ(solver->time(), t);
  const double dx = solver->dx(), dy = solver->dy();
  const auto exact = [&](PetscReal x, PetscReal y) { return IsentropicVortex(cfg, x, y, t); };
  PetscReal error = -1;
  EXPECT_EQ(DensityL1Error(
                *solver,
                [&](PetscInt i, PetscInt j) {
                  return CellAverage(exact, (i + 0.5) * dx, (j + 0.5) * dy, dx, dy, cfg.gamma).rho;
                },
                &error),
            0);
  return error / (cfg.lx * cfg.ly);
}

TEST(Euler2dConvergence, IsentropicVortexIsSecondOrder) {
  std::vector<double> errors;
  for (int n : {32, 64, 128}) errors.push_back(VortexError(n));
  const double order1 = ObservedOrder(errors[0], errors[1]), order2 = ObservedOrder(errors[1], errors[2]);
  std::printf("[ vortex   ] L1(density) 32^2: %.4e  64^2: %.4e  128^2: %.4e   observed orders %.3f, %.3f\n",
              errors[0], errors[1], errors[2], order1, order2);
  EXPECT_GE(order2, 1.8);
  EXPECT_GE(order1, 1.5);
}

}  // namespace
}  // namespace leap::euler2d
