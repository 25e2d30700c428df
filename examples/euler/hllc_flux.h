// The HLLC approximate Riemann solver (Toro, Spruce & Speares 1994; Toro, "Riemann Solvers and
// Numerical Methods for Fluid Dynamics", ch. 10): the numerical flux through a face between two
// primitive states, with Einfeldt's wave-speed bounds (from Roe averages) for S_L and S_R.
//
// Written once for the face normal to any axis of a D-dimensional state (rotational invariance):
// kAxis picks the normal velocity and momentum; the other components are tangential, carried by
// the contact. HllcFlux<2, kY>(below, above) is the flux of the 2-D y faces.
#pragma once

#include "euler/gas_state.h"

namespace leap::euler {

// The physical flux of the Euler equations along kAxis = n:
//   (rho u_n, rho u_n u + p e_n, u_n (E + p)).
template <int D, int kAxis>
Conserved<D> PhysicalFlux(const Primitive<D>& w, PetscReal gamma);

// HLLC flux through a face normal to kAxis, from the state on its lower side (`left`) and on its
// upper side (`right`).
template <int D, int kAxis>
Conserved<D> HllcFlux(const Primitive<D>& left, const Primitive<D>& right, PetscReal gamma);

}  // namespace leap::euler
