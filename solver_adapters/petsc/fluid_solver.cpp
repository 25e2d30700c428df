#include "leap/petsc/fluid_solver.h"

#include "leap/petsc/dmda_layout.h"

namespace leap::petsc {

PetscReal FluidSolver::time() const {
  PetscReal t = 0;
  TSGetTime(ts(), &t);
  return t;
}

PetscErrorCode FluidSolver::GetBlock(data::Block* block) const {
  PetscFunctionBeginUser;
  PetscCall(LeapDMDAGetBlock(dm(), block));
  PetscFunctionReturn(0);
}

PetscErrorCode FluidSolver::RestoreConserved(const std::vector<PetscScalar>& target, PetscBool* ok) {
  PetscFunctionBeginUser;
  PetscCall(LeapRestoreConservedSums(solution(), ConservedDofs(), target));
  *ok = PETSC_TRUE;
  PetscFunctionReturn(0);
}

PetscErrorCode FluidSolver::Admissible(PetscBool* ok, std::string*) const {
  PetscFunctionBeginUser;
  *ok = PETSC_TRUE;
  PetscFunctionReturn(0);
}

PetscErrorCode FluidSolver::KineticEnergy(PetscReal*) const {
  PetscFunctionBeginUser;
  SETERRQ(PetscObjectComm((PetscObject)dm()), PETSC_ERR_SUP, "this solver (%s) defines no kinetic energy",
          dataset_name().c_str());
}

}  // namespace leap::petsc
