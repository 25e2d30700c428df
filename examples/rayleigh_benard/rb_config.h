// Configuration of one Rayleigh–Bénard case (YAML, read with leap::config): grid, box, Rayleigh and
// Prandtl numbers, initial perturbation, time step and the streamfunction solver's tolerance.
// The PETSc options database may still override the grid (-da_grid_x, -da_grid_y), the time stepper
// (-ts_*) and the Poisson solver (-ksp_*, -pc_*) after the config is applied.
#pragma once

#include <cstdint>
#include <string>

#include "leap/config/schema.h"

namespace leap::rayleigh_benard {

struct RBConfig {
  int nx = 256;                 // grid points along x (periodic: x_i = i Lx / nx)
  int ny = 65;                  // grid points along y, both walls included (y_j = j / (ny - 1))
  double lx = 4.0;              // horizontal period in layer depths (aspect ratio); The Well uses 4
  double rayleigh = 1e6;        // Ra = g alpha dT H^3 / (nu kappa)
  double prandtl = 1.0;         // Pr = nu / kappa
  double perturbation = 1e-3;   // amplitude of the random initial buoyancy perturbation
  int64_t seed = 0;             // seed of that perturbation (same field on every rank count)
  int perturbation_mode = 0;    // 0: random perturbation; m > 0: one roll mode, m roll pairs per period
  double cfl = 1.5;             // time step = cfl / (advective + diffusive + buoyancy rates), see rb_solver.h
  double dt = 0;                // fixed time step instead of the CFL rule when > 0
  double t_end = 0.1;           // end time of the leap-rayleigh-benard run (diffusion times H^2/kappa)
  double poisson_rtol = 1e-10;  // relative tolerance of the streamfunction solve

  template <class V>
  void visit(V& v) {
    v("nx", nx, "grid points along x (periodic)", config::at_least(4));
    v("ny", ny, "grid points along y, both walls included", config::at_least(5));
    v("lx", lx, "horizontal period in layer depths (aspect ratio Lx/H)", config::greater_than(0.0));
    v("rayleigh", rayleigh, "Rayleigh number Ra", config::greater_than(0.0));
    v("prandtl", prandtl, "Prandtl number Pr", config::greater_than(0.0));
    v("perturbation", perturbation, "amplitude of the random initial buoyancy perturbation",
      config::at_least(0.0));
    v("seed", seed, "seed of the initial perturbation", config::at_least<int64_t>(0));
    v("perturbation_mode", perturbation_mode,
      "0: random initial perturbation (from seed); m > 0: the single mode sin(pi y) cos(2 pi m x / lx)",
      config::at_least(0));
    v("cfl", cfl, "time step factor of the stability rule (classical RK4 is stable to about 2.5)",
      config::in_range(1e-3, 2.5));
    v("dt", dt, "fixed time step (0: the CFL rule chooses it)", config::at_least(0.0));
    v("t_end", t_end, "end time of a leap-rayleigh-benard run, in thermal diffusion times",
      config::greater_than(0.0));
    v("poisson_rtol", poisson_rtol, "relative tolerance of the streamfunction KSP solve",
      config::in_range(1e-15, 1e-2));
  }
};

}  // namespace leap::rayleigh_benard
