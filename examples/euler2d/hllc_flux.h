// The HLLC approximate Riemann solver (Toro, Spruce & Speares 1994; Toro, "Riemann Solvers and
// Numerical Methods for Fluid Dynamics", ch. 10): the numerical flux through a face between two
// primitive states, with Einfeldt's wave-speed bounds (from Roe averages) for S_L and S_R.
#pragma once

#include "euler2d/gas_state.h"

namespace leap::euler2d {

// The physical flux of the Euler equations along x: (rho u, rho u^2 + p, rho u v, u (E + p)).
Conserved PhysicalFluxX(const Primitive& w, PetscReal gamma);

// HLLC flux through a face normal to x, from the left (w_L) and right (w_R) states.
Conserved HllcFluxX(const Primitive& left, const Primitive& right, PetscReal gamma);

// HLLC flux through a face normal to y (below, above), by rotational invariance: the roles of u
// and v, and of the x and y momentum components, swap.
Conserved HllcFluxY(const Primitive& below, const Primitive& above, PetscReal gamma);

}  // namespace leap::euler2d
