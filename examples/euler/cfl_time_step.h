// The CFL-limited time step of the explicit scheme, a global reduction over all ranks:
//   dt = cfl / max_cells sum_a (|u_a| + c) / h_a,
// the unsplit multi-dimensional form of dt = cfl * dx / max(|u| + c) (the two agree in 1-D). A
// state with a non-positive or non-finite density or pressure anywhere is refused (PETSC_ERR_FP):
// the scheme cannot step from it.
#pragma once

#include <petscdmda.h>

#include <array>

namespace leap::euler {

// U: a global vector of `da`, D + 2 dofs per cell; h: the cell widths along x, y(, z).
template <int D>
PetscErrorCode CflTimeStep(DM da, Vec U, PetscReal gamma, const std::array<PetscReal, D>& h, PetscReal cfl,
                           PetscReal* dt);

}  // namespace leap::euler
