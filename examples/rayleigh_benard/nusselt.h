// Heat transport of a Rayleigh–Bénard state: the Nusselt number, total vertical heat flux over the
// conductive flux (which is 1 in the solver's units, b dropping by 1 over the unit depth).
#pragma once

#include <petscdmda.h>

namespace leap::rayleigh_benard {

struct Nusselt {
  PetscReal bottom = 0;  // -<db/dy> at y = 0 (x average; one-sided second-order difference)
  PetscReal top = 0;     // -<db/dy> at y = 1
  PetscReal volume = 0;  // 1 + <v b> over the layer (x average, trapezoidal rule in y)
};

// `da`: the solver's 2-D DMDA (dof 1 is the buoyancy b) and `state` a global vector of it;
// `da_vel`/`velocity`: a compatible 2-dof DMDA holding (u, v). `hy` is the vertical grid spacing.
// Collective. In a steady state the three values agree up to discretisation error.
PetscErrorCode ComputeNusselt(DM da, Vec state, DM da_vel, Vec velocity, PetscReal hy, Nusselt* nu);

}  // namespace leap::rayleigh_benard
