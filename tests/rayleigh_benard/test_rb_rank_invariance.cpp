// Rank invariance: a short run on PETSC_COMM_WORLD (1, 2 or 4 ranks) ends in the same state as the
// same run on one rank, done inside the test on PETSC_COMM_SELF: the distributed state is gathered
// in natural order to rank 0 (DMDAGlobalToNatural + VecScatterCreateToZero) and compared there,
// max |difference| <= 1e-12. The streamfunction solve is direct by default (Cholesky, redundant on
// several ranks), so only round-off differs between rank counts; the run is short enough that it
// is not amplified. The initial perturbation is large, so advection and buoyancy both act.
#include <gtest/gtest.h>
#include <petscdmda.h>

#include <cmath>
#include <memory>

#include "rb_solver.h"

namespace {

using leap::rayleigh_benard::RBConfig;
using leap::rayleigh_benard::RBSolver;

// Gathers a DMDA global vector, in natural order, onto rank 0 (`*out` is empty elsewhere).
PetscErrorCode GatherNatural(DM da, Vec global, Vec* out) {
  Vec natural;
  VecScatter to_zero;
  PetscFunctionBeginUser;
  PetscCall(DMDACreateNaturalVector(da, &natural));
  PetscCall(DMDAGlobalToNaturalBegin(da, global, INSERT_VALUES, natural));
  PetscCall(DMDAGlobalToNaturalEnd(da, global, INSERT_VALUES, natural));
  PetscCall(VecScatterCreateToZero(natural, &to_zero, out));
  PetscCall(VecScatterBegin(to_zero, natural, *out, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(to_zero, natural, *out, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterDestroy(&to_zero));
  PetscCall(VecDestroy(&natural));
  PetscFunctionReturn(0);
}

double MaxAbsDifference(Vec a, Vec b) {
  PetscInt n = 0, m = 0;
  const PetscScalar *x, *y;
  VecGetLocalSize(a, &n);
  VecGetLocalSize(b, &m);
  if (n != m) return INFINITY;
  VecGetArrayRead(a, &x);
  VecGetArrayRead(b, &y);
  double worst = 0;
  for (PetscInt i = 0; i < n; ++i) worst = std::fmax(worst, std::fabs(PetscRealPart(x[i] - y[i])));
  VecRestoreArrayRead(b, &y);
  VecRestoreArrayRead(a, &x);
  return worst;
}

TEST(RBRankInvariance, EveryRankCountGivesTheOneRankFields) {
  RBConfig cfg;
  cfg.nx = 36;  // splits unevenly over 4 ranks
  cfg.ny = 21;
  cfg.lx = 2.0;
  cfg.rayleigh = 1e5;
  cfg.prandtl = 1.0;
  cfg.perturbation = 0.3;
  cfg.seed = 11;
  const double t_end = 8e-3;  // about 20 steps

  std::unique_ptr<RBSolver> parallel;
  ASSERT_EQ(RBSolver::Create(PETSC_COMM_WORLD, cfg, &parallel), 0);
  ASSERT_EQ(parallel->Advance(t_end), 0);
  PetscInt steps = 0;
  TSGetStepNumber(parallel->ts(), &steps);
  EXPECT_GE(steps, 15);
  Vec state, psi, vel;
  ASSERT_EQ(GatherNatural(parallel->dm(), parallel->solution(), &state), 0);
  Vec psi_global, vel_global;
  ASSERT_EQ(parallel->GetStreamfunction(&psi_global), 0);
  ASSERT_EQ(parallel->GetVelocity(&vel_global), 0);
  ASSERT_EQ(GatherNatural(parallel->streamfunction_dm(), psi_global, &psi), 0);
  ASSERT_EQ(GatherNatural(parallel->velocity_dm(), vel_global, &vel), 0);

  int rank = 0;
  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  if (rank == 0) {
    std::unique_ptr<RBSolver> serial;
    ASSERT_EQ(RBSolver::Create(PETSC_COMM_SELF, cfg, &serial), 0);
    ASSERT_EQ(serial->Advance(t_end), 0);
    PetscInt serial_steps = 0;
    TSGetStepNumber(serial->ts(), &serial_steps);
    EXPECT_EQ(serial_steps, steps);
    Vec s_psi, s_vel;
    ASSERT_EQ(serial->GetStreamfunction(&s_psi), 0);
    ASSERT_EQ(serial->GetVelocity(&s_vel), 0);
    PetscReal vmax = 0;
    VecNorm(s_vel, NORM_INFINITY, &vmax);
    EXPECT_GT(vmax, 1.0) << "the flow must be well developed for the comparison to mean something";
    // On one rank the global vector is in natural order.
    EXPECT_LE(MaxAbsDifference(serial->solution(), state), 1e-12) << "vorticity and buoyancy";
    EXPECT_LE(MaxAbsDifference(s_psi, psi), 1e-12) << "streamfunction";
    EXPECT_LE(MaxAbsDifference(s_vel, vel), 1e-12) << "velocity";
    std::printf("max |difference|: state %.3g, streamfunction %.3g, velocity %.3g (|u|max %.3g)\n",
                MaxAbsDifference(serial->solution(), state), MaxAbsDifference(s_psi, psi),
                MaxAbsDifference(s_vel, vel), double(vmax));
  }
  VecDestroy(&vel);
  VecDestroy(&psi);
  VecDestroy(&state);
}

}  // namespace
