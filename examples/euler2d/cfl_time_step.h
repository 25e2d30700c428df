// The CFL-limited time step of the explicit scheme, a global reduction over all ranks:
//   dt = cfl / max_cells( (|u| + c) / dx + (|v| + c) / dy ),
// the unsplit 2-D form of dt = cfl * dx / max(|u| + c) (the two agree in 1-D). A state with a
// non-positive or non-finite density or pressure anywhere is refused (PETSC_ERR_FP): the scheme
// cannot step from it.
#pragma once

#include <petscdmda.h>

namespace leap::euler2d {

PetscErrorCode CflTimeStep(DM da, Vec U, PetscReal gamma, PetscReal dx, PetscReal dy, PetscReal cfl,
                           PetscReal* dt);

}  // namespace leap::euler2d
