// Initial conditions of the Euler example:
//  - quadrants: a multi-quadrant Riemann problem like The Well's euler_multi_quadrants: the domain
//    is split at a random point (x0, y0) into four quadrants, each with its own random density,
//    pressure and velocity. Everything is drawn from std::mt19937_64 seeded with cfg.seed, the same
//    few numbers on every rank, so the seed alone fixes the field on any rank count (the 2-D case
//    of euler/riemann_states.h);
//  - sod: Sod's shock tube along x (rho, u, p) = (1, 0, 1) left of lx/2, (0.125, 0, 0.1) right of it;
//  - vortex: Shu's isentropic vortex, a smooth exact solution (the vortex advected with the ambient
//    flow) on a periodic domain.
#pragma once

#include <petscdmda.h>

#include <array>
#include <functional>

#include "euler2d/euler_config.h"
#include "euler2d/gas_state.h"

namespace leap::euler2d {

struct QuadrantProblem {
  PetscReal x0 = 0, y0 = 0;  // the split point
  // Quadrant states: [0] x < x0, y < y0; [1] x >= x0, y < y0; [2] x < x0, y >= y0; [3] x >= x0, y >= y0.
  std::array<Primitive, 4> state{};
  Primitive At(PetscReal x, PetscReal y) const { return state[(x >= x0 ? 1 : 0) + (y >= y0 ? 2 : 0)]; }
};

// Draws the split point and the four states from cfg.seed within cfg.quadrants' ranges.
QuadrantProblem DrawQuadrants(const EulerConfig& cfg);

// Sod's shock tube states: left of x = lx/2 and right of it.
Primitive SodLeftState();
Primitive SodRightState();

// The exact isentropic-vortex solution at (x, y) and time t: the vortex of strength
// cfg.vortex.strength starting at the domain centre, advected with (u_inf, v_inf), periodic images
// taken at the nearest distance.
Primitive IsentropicVortex(const EulerConfig& cfg, PetscReal x, PetscReal y, PetscReal t);

// Average of the conserved variables of a pointwise primitive field over the cell centred at
// (xc, yc) of size dx x dy (3 x 3 Gauss-Legendre points; euler/cell_average.h).
Conserved CellAverage(const std::function<Primitive(PetscReal, PetscReal)>& field, PetscReal xc, PetscReal yc,
                      PetscReal dx, PetscReal dy, PetscReal gamma);

// Fills the global vector U of `da` (cell (i, j) centred at ((i+1/2) dx, (j+1/2) dy)) with cfg's
// initial condition: cell-centre values for the piecewise-constant problems, cell averages for the
// vortex.
PetscErrorCode SetInitialCondition(DM da, Vec U, const EulerConfig& cfg, PetscReal dx, PetscReal dy);

}  // namespace leap::euler2d
