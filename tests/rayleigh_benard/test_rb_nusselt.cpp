// Heat transport of steady two-dimensional convection rolls against a published value.
//
// Reference: R. M. Clever & F. H. Busse (1974), "Transition to time-dependent convection",
// J. Fluid Mech. 65, 625–645: steady 2-D rolls between rigid, perfectly conducting walls, computed
// by a Galerkin method, at Prandtl number 0.71 and roll-pair wavenumber α = 3.117 (period
// Lx = 2π/3.117): Nu = 4.245 at Ra = 5·10^4 (their table of Nusselt numbers, as tabulated for
// validation in, e.g., the MushyLayer code's Rayleigh–Bénard test).
//
// The solver starts from the conductive state plus a small perturbation of the roll-pair mode
// (perturbation_mode 1; from random noise this Ra/Pr pair may first wander through long-lived
// competing patterns), grows into one pair of rolls filling the period, and the test checks that
// pattern, that the flow has settled (Nu no longer changes), and that the wall and volume Nusselt
// numbers are within 10 % of the reference (at this 64 x 49 grid they are within about 1 %).
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <vector>

#include "rb_solver.h"

namespace {

using leap::rayleigh_benard::Nusselt;
using leap::rayleigh_benard::RBConfig;
using leap::rayleigh_benard::RBSolver;

// Sign changes of the vertical velocity along the mid-depth row, gathered to every rank.
int UpdraftDowndraftChanges(RBSolver& solver) {
  Vec vel;
  EXPECT_EQ(solver.GetVelocity(&vel), 0);
  const PetscInt nx = solver.nx(), mid = (solver.ny() - 1) / 2;
  std::vector<double> local(size_t(nx), 0.0), row(size_t(nx), 0.0);
  PetscInt xs, ys, xm, ym;
  DMDAGetCorners(solver.velocity_dm(), &xs, &ys, nullptr, &xm, &ym, nullptr);
  const PetscScalar*** v;
  DMDAVecGetArrayDOFRead(solver.velocity_dm(), vel, &v);
  if (mid >= ys && mid < ys + ym)
    for (PetscInt i = xs; i < xs + xm; ++i) local[size_t(i)] = PetscRealPart(v[mid][i][1]);
  DMDAVecRestoreArrayDOFRead(solver.velocity_dm(), vel, &v);
  MPI_Allreduce(local.data(), row.data(), int(nx), MPI_DOUBLE, MPI_SUM, PETSC_COMM_WORLD);
  int changes = 0;
  for (PetscInt i = 0; i < nx; ++i) changes += (row[size_t(i)] > 0) != (row[size_t((i + 1) % nx)] > 0);
  return changes;
}

TEST(RBNusselt, SteadyRollsMatchCleverBusse1974) {
  const double reference = 4.245;  // Clever & Busse (1974), Ra = 5e4, Pr = 0.71, α = 3.117
  RBConfig cfg;
  cfg.nx = 64;
  cfg.ny = 49;
  cfg.lx = 2 * M_PI / 3.117;
  cfg.rayleigh = 5e4;
  cfg.prandtl = 0.71;
  cfg.perturbation = 1e-2;
  cfg.perturbation_mode = 1;
  std::unique_ptr<RBSolver> solver;
  ASSERT_EQ(RBSolver::Create(PETSC_COMM_WORLD, cfg, &solver), 0);

  Nusselt before, after;
  ASSERT_EQ(solver->Advance(0.5), 0);
  ASSERT_EQ(solver->ComputeNusselt(&before), 0);
  ASSERT_EQ(solver->Advance(0.6), 0);
  ASSERT_EQ(solver->ComputeNusselt(&after), 0);
  std::printf("Nu at t = 0.6: bottom %.4f, top %.4f, volume %.4f (t = 0.5: bottom %.4f); reference %.3f\n",
              after.bottom, after.top, after.volume, before.bottom, reference);

  EXPECT_EQ(UpdraftDowndraftChanges(*solver), 2) << "one pair of rolls per period";
  EXPECT_NEAR(after.bottom / before.bottom, 1.0, 1e-3) << "the rolls have not settled";
  EXPECT_NEAR(after.bottom / reference, 1.0, 0.10) << "Nusselt number at the bottom wall";
  EXPECT_NEAR(after.top / reference, 1.0, 0.10) << "Nusselt number at the top wall";
  EXPECT_NEAR(after.volume / reference, 1.0, 0.10) << "volume-averaged Nusselt number 1 + <v b>";
}

}  // namespace
