// The time integrator: Shu and Osher's three-stage, third-order strong-stability-preserving
// Runge-Kutta scheme (SSPRK(3,3), SSP coefficient 1),
//   U1 = U + dt L(U),  U2 = 3/4 U + 1/4 (U1 + dt L(U1)),  U' = 1/3 U + 2/3 (U2 + dt L(U2)),
// registered with PETSc as the explicit TSRK tableau "leap_ssprk33" (Butcher form
// A = [0 0 0; 1 0 0; 1/4 1/4 0], b = [1/6 1/6 2/3], c = [0 1 1/2]).
//
// PETSc's TSSSP does not provide it: its third-order type rks3 needs n^2 stages (n >= 2) and
// refuses 3; `-ts_type ssp -ts_ssp_type rks3 -ts_ssp_nstages 4` selects Ketcheson's four-stage
// SSPRK(4,3) instead (SSP coefficient 2), which the solver also runs.
#pragma once

#include <petscts.h>

namespace leap::euler {

inline constexpr const char* kSspRk33 = "leap_ssprk33";

// Registers the tableau with TSRK (once per PETSc session; later calls do nothing).
PetscErrorCode RegisterSspRk33();

}  // namespace leap::euler
