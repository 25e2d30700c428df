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

}  // namespace leap::petsc
