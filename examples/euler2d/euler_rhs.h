// The semi-discrete right-hand side of the 2-D Euler equations on a DMDA (4 dofs, stencil width
// 2): cell-centred finite volumes, MUSCL reconstruction of primitive variables, HLLC fluxes.
//   dU_ij/dt = -(F_{i+1/2,j} - F_{i-1/2,j}) / dx - (G_{i,j+1/2} - G_{i,j-1/2}) / dy
// Each face flux is computed once per rank from the same ghosted data on every decomposition, so
// the result does not depend on the number of ranks, and the fluxes telescope: with periodic
// boundaries the totals of mass, momentum and energy change by round-off only.
#pragma once

#include <petscdmda.h>
#include <petscts.h>

#include <vector>

#include "euler2d/gas_state.h"
#include "euler2d/muscl_reconstruction.h"
#include "euler2d/slope_limiter.h"

namespace leap::euler2d {

struct EulerRHSContext {
  DM da = nullptr;  // not owned
  PetscReal gamma = 1.4;
  Limiter limiter = Limiter::kMC;
  PetscReal dx = 1, dy = 1;
  // Work space reused between calls.
  std::vector<Primitive> primitive;  // the ghosted box of the rank
  std::vector<Conserved> flux_x;     // (xm + 1) * ym faces normal to x
  std::vector<Conserved> flux_y;     // xm * (ym + 1) faces normal to y
  std::vector<FaceStates> faces;     // one row or column of reconstructed cells
  std::vector<FaceStates> faces_prev;
};

// TS right-hand side: F = dU/dt for the state U (global vectors of ctx->da). ctx: EulerRHSContext*.
PetscErrorCode EulerRHSFunction(TS ts, PetscReal t, Vec U, Vec F, void* ctx);

// Zero-gradient (outflow) ghost cells on every side whose DMDA boundary is not periodic: each
// ghost copies the nearest interior cell. `local` is a local (ghosted) vector of `da`.
PetscErrorCode FillOpenBoundaryGhosts(DM da, Vec local);

// Registers the "Euler2dRHS" and "Euler2dCFL" events (once per PETSc session) and returns them.
PetscErrorCode EulerLogEvents(PetscLogEvent* rhs, PetscLogEvent* cfl);

}  // namespace leap::euler2d
