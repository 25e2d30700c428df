// Helpers shared by the 3-D Euler example's tests: small configs, a checked solver factory, the
// natural-ordered state gathered on rank 0, this rank's box, and error norms against exact
// solutions.
#pragma once

#include <gtest/gtest.h>
#include <petscdmda.h>

#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "euler/gas_state.h"
#include "euler3d/euler_config.h"
#include "euler3d/euler_solver.h"

namespace leap::euler3d::test {

using Conserved = euler::Conserved<3>;
using Primitive = euler::Primitive<3>;

inline EulerConfig SmallConfig(const std::string& initial_condition, int nx, int ny, int nz) {
  EulerConfig cfg;
  cfg.initial_condition = initial_condition;
  cfg.nx = nx;
  cfg.ny = ny;
  cfg.nz = nz;
  return cfg;
}

// Creates a solver or fails the calling test (ASSERT_NO_FATAL_FAILURE around it stops the test).
inline void MakeSolver(MPI_Comm comm, const EulerConfig& cfg, std::unique_ptr<EulerSolver>* solver) {
  ASSERT_EQ(EulerSolver::Create(comm, cfg, solver), 0);
  ASSERT_TRUE(*solver);
}

// This rank's cells: first index and count along x, y, z (from the DMDA itself).
struct Box {
  PetscInt xs = 0, ys = 0, zs = 0, xm = 0, ym = 0, zm = 0;
  size_t cells() const { return size_t(xm) * size_t(ym) * size_t(zm); }
};
inline Box OwnedBox(const EulerSolver& solver) {
  Box b;
  DMDAGetCorners(solver.dm(), &b.xs, &b.ys, &b.zs, &b.xm, &b.ym, &b.zm);
  return b;
}

// The whole state (5 dofs per cell, natural order: x fastest, dofs interleaved) on rank 0 of the
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

// Sum over the cells of |rho - exact_density(i, j, k)| * dx * dy * dz, reduced over the comm.
inline PetscErrorCode DensityL1Error(
    const EulerSolver& solver, const std::function<PetscReal(PetscInt, PetscInt, PetscInt)>& exact_density,
    PetscReal* error) {
  const Conserved*** u;
  PetscFunctionBeginUser;
  const Box b = OwnedBox(solver);
  PetscReal local = 0;
  PetscCall(DMDAVecGetArrayRead(solver.dm(), solver.solution(), &u));
  for (PetscInt k = b.zs; k < b.zs + b.zm; ++k)
    for (PetscInt j = b.ys; j < b.ys + b.ym; ++j)
      for (PetscInt i = b.xs; i < b.xs + b.xm; ++i)
        local += std::abs(u[k][j][i].rho - exact_density(i, j, k));
  PetscCall(DMDAVecRestoreArrayRead(solver.dm(), solver.solution(), &u));
  PetscCall(MPIU_Allreduce(&local, error, 1, MPIU_REAL, MPIU_SUM, PetscObjectComm((PetscObject)solver.dm())));
  *error *= solver.dx() * solver.dy() * solver.dz();
  PetscFunctionReturn(0);
}

inline double ObservedOrder(double coarse_error, double fine_error, double refinement = 2) {
  return std::log(coarse_error / fine_error) / std::log(refinement);
}

}  // namespace leap::euler3d::test
