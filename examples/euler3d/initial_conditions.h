// Initial conditions of the 3-D Euler example (EulerConfig::initial_condition):
//  - octants: a 3-D Riemann problem, the analogue of the 2-D multi-quadrant case: the domain is
//    split at a random point (x0, y0, z0) into eight octants, each with its own random density,
//    pressure and velocity, all fixed by cfg.seed on any rank count (euler/riemann_states.h);
//  - blast: a spherical blast wave (a sphere of high pressure in a uniform gas at rest);
//  - taylor_green: the inviscid Taylor-Green vortex at a given Mach number;
//  - sod: Sod's shock tube along one axis;
//  - density_wave: a density wave advected by a uniform flow (smooth, exact: a translation).
#pragma once

#include <petscdmda.h>

#include <array>

#include "euler/gas_state.h"
#include "euler/riemann_states.h"
#include "euler3d/euler_config.h"

namespace leap::euler3d {

using Point = std::array<PetscReal, 3>;

// The split point and the eight states, drawn from cfg.seed within cfg.octants' ranges.
euler::OrthantProblem<3> DrawOctants(const EulerConfig& cfg);

// Sod's shock tube states below and above the middle of the tube's axis (velocity zero).
euler::Primitive<3> SodLowerState();
euler::Primitive<3> SodUpperState();

// The exact density wave at the point x and time t (periodic: the wave is periodic on the domain).
euler::Primitive<3> DensityWave(const EulerConfig& cfg, const Point& x, PetscReal t);

// The Taylor-Green vortex at the point x (t = 0).
euler::Primitive<3> TaylorGreen(const EulerConfig& cfg, const Point& x);

// The fraction of the cell centred at xc with widths h inside the blast sphere (4 x 4 x 4 samples).
PetscReal BlastVolumeFraction(const EulerConfig& cfg, const Point& xc, const Point& h);

// Fills the global vector U of `da` (a 3-D DMDA with 5 dofs; cell (i, j, k) centred at
// ((i+1/2) dx, (j+1/2) dy, (k+1/2) dz)) with cfg's initial condition: cell averages for the smooth
// fields (taylor_green, density_wave), volume-weighted pressure for blast, cell-centre values for
// the piecewise-constant problems (octants, sod).
PetscErrorCode SetInitialCondition(DM da, Vec U, const EulerConfig& cfg, const Point& h);

}  // namespace leap::euler3d
