// Domain totals of the dofs a solver conserves, and the generic way of putting them back after a leap
// (one uniform correction per dof). Every route of the leap policy that conserves totals uses these
// (LeapAttachment, the TS type `leap`), unless the solver restores its own (FluidSolver::RestoreConserved).
#pragma once

#include <petscvec.h>

#include <vector>

namespace leap::petsc {

// A dof of the solution vector whose domain total is conserved by the solver.
struct ConservedDof {
  PetscInt dof = 0;
  PetscBool multiplicative = PETSC_FALSE;  // scale (positive quantities) rather than shift
};

// The domain sums of the given dofs (collective).
PetscErrorCode LeapConservedSums(Vec u, const std::vector<ConservedDof>& dofs,
                                 std::vector<PetscScalar>* sums);
// Restores the sums of `dofs` in `u` to `target` by one uniform correction per dof: scaling for a
// multiplicative dof (when the sum and the target have the same sign, shifting otherwise),
// shifting for an additive one (collective).
PetscErrorCode LeapRestoreConservedSums(Vec u, const std::vector<ConservedDof>& dofs,
                                        const std::vector<PetscScalar>& target);

}  // namespace leap::petsc
