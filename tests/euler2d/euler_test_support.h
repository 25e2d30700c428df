// Helpers shared by the Euler example's tests: small configs, a checked solver factory, the
// natural-ordered state gathered on rank 0, and error norms against exact solutions.
#pragma once

#include <gtest/gtest.h>
#include <petscdmda.h>

#include <cmath>
#include <functional>
#include <memory>
#include <vector>

#include "euler2d/euler_config.h"
#include "euler2d/euler_solver.h"
#include "euler2d/gas_state.h"

namespace leap::euler2d::test {

inline EulerConfig SmallConfig(const std::string& initial_condition, int nx, int ny) {
  EulerConfig cfg;
  cfg.initial_condition = initial_condition;
  cfg.nx = nx;
  cfg.ny = ny;
  return cfg;
}

// Creates a solver or fails the calling test (ASSERT_NO_FATAL_FAILURE around it stops the test).
inline void MakeSolver(MPI_Comm comm, const EulerConfig& cfg, std::unique_ptr<EulerSolver>* solver) {
  ASSERT_EQ(EulerSolver::Create(comm, cfg, solver), 0);
  ASSERT_TRUE(*solver);
}

// The whole state (4 dofs per cell, natural order: x fastest, dofs interleaved) on rank 0 of the
// DMDA's communicator; other ranks get an empty vector. Collective.
inline PetscErrorCode GatherNatural(DM da, Vec global, std::vector<PetscReal>* out) {
  Vec natural, gathered;
  VecScatter scatter;
  PetscFunctionBeginUser;
  PetscCall(DMDACreateNaturalVector(da, &natural));
  PetscCall(DMDAGlobalToNaturalBegin(da, global, INSERT_VALUES, natural));
  PetscCall(DMDAGlobalToNaturalEnd(da, global, INSERT_VALUES, natural));
  PetscCall(VecScatterCreateToZero(natural, &scatter, &gathered));
  PetscCall(VecScatterBegin(scatter, natural, gathered, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(scatter, natural, gathered, INSERT_VALUES, SCATTER_FORWARD));
  PetscInt n;
  const PetscScalar* a;
  PetscCall(VecGetLocalSize(gathered, &n));
  PetscCall(VecGetArrayRead(gathered, &a));
  out->assign(a, a + n);
  PetscCall(VecRestoreArrayRead(gathered, &a));
  PetscCall(VecScatterDestroy(&scatter));
  PetscCall(VecDestroy(&gathered));
  PetscCall(VecDestroy(&natural));
  PetscFunctionReturn(0);
}

// Sum over the rank's cells of |rho - exact_density(i, j)| * dx * dy, reduced over the comm.
inline PetscErrorCode DensityL1Error(const EulerSolver& solver,
                                     const std::function<PetscReal(PetscInt, PetscInt)>& exact_density,
                                     PetscReal* error) {
  const Conserved** u;
  PetscInt xs, ys, xm, ym;
  PetscFunctionBeginUser;
  PetscCall(DMDAGetCorners(solver.dm(), &xs, &ys, nullptr, &xm, &ym, nullptr));
  PetscReal local = 0;
  PetscCall(DMDAVecGetArrayRead(solver.dm(), solver.solution(), &u));
  for (PetscInt j = ys; j < ys + ym; ++j)
    for (PetscInt i = xs; i < xs + xm; ++i) local += std::abs(u[j][i].rho - exact_density(i, j));
  PetscCall(DMDAVecRestoreArrayRead(solver.dm(), solver.solution(), &u));
  PetscCall(MPIU_Allreduce(&local, error, 1, MPIU_REAL, MPIU_SUM, PetscObjectComm((PetscObject)solver.dm())));
  *error *= solver.dx() * solver.dy();
  PetscFunctionReturn(0);
}

inline double ObservedOrder(double coarse_error, double fine_error, double refinement = 2) {
  return std::log(coarse_error / fine_error) / std::log(refinement);
}

}  // namespace leap::euler2d::test
