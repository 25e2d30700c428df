// The semi-discrete right-hand side of the Euler equations on a 2-D or 3-D DMDA (D + 2 dofs,
// stencil width 2, star stencil): cell-centred finite volumes, MUSCL reconstruction of primitive
// variables, HLLC fluxes, one axis after the other with the same 1-D kernels:
//   dU/dt = -sum_a (F_a(cell + e_a/2) - F_a(cell - e_a/2)) / h_a
// Each face flux is computed once per rank from the same ghosted data on every decomposition, so
// the result does not depend on the number of ranks, and the fluxes telescope: with periodic
// boundaries the totals of mass, momentum and energy change by round-off only.
#pragma once

#include <petscdmda.h>
#include <petscts.h>

#include <array>
#include <vector>

#include "euler/gas_state.h"
#include "euler/muscl_reconstruction.h"
#include "euler/slope_limiter.h"

namespace leap::euler {

template <int D>
struct EulerRHSContext {
  DM da = nullptr;  // not owned
  PetscReal gamma = 1.4;
  Limiter limiter = Limiter::kMC;
  std::array<PetscReal, D> h{};  // cell widths along x, y(, z)
  // Work space reused between calls.
  std::vector<Primitive<D>> primitive;           // the ghosted box of the rank
  std::vector<FaceStates<D>> faces, faces_prev;  // reconstructed cells of a line or a slab
  std::vector<Conserved<D>> flux, flux_prev;     // fluxes through a line or a slab of faces
};

// TS right-hand side: F = dU/dt for the state U (global vectors of ctx->da).
// ctx: EulerRHSContext<D>*, D the dimension of the DMDA.
template <int D>
PetscErrorCode EulerRHSFunction(TS ts, PetscReal t, Vec U, Vec F, void* ctx);

// Zero-gradient (outflow) ghost cells on every side whose DMDA boundary is not periodic: each
// ghost copies the nearest interior cell along the axis. `local` is a local (ghosted) vector of
// `da`, a 2-D or 3-D DMDA with any number of dofs.
PetscErrorCode FillOpenBoundaryGhosts(DM da, Vec local);

// Registers the "Euler2dRHS" and "Euler2dCFL" (D = 2) or "Euler3dRHS" and "Euler3dCFL" (D = 3)
// events, once per PETSc session, and returns them.
template <int D>
PetscErrorCode EulerLogEvents(PetscLogEvent* rhs, PetscLogEvent* cfl);

}  // namespace leap::euler
