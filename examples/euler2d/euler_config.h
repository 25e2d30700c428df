// Configuration of the 2-D compressible Euler example solver: grid, domain, gas, numerics and the
// initial condition, as one typed struct read from YAML (leap::config) or filled in code.
//
//   nx: 128            # cells along x (PETSc's -da_grid_x overrides)
//   ny: 128
//   lx: 1.0            # domain [0, lx] x [0, ly]
//   ly: 1.0
//   gamma: 1.4
//   boundary: periodic # or open (zero-gradient outflow)
//   limiter: mc        # or minmod
//   cfl: 0.4
//   t_end: 0.25        # the end time leap-euler2d integrates to
//   initial_condition: quadrants   # or sod, vortex
//   seed: 0
//   quadrants: {density_min: 0.1, density_max: 2.0, ...}
//   vortex: {strength: 5.0, u_inf: 1.0, v_inf: 1.0}
#pragma once

#include <cstdint>
#include <string>

#include "euler/riemann_states.h"
#include "leap/config/schema.h"
#include "leap/error.h"

namespace leap::euler2d {

// Ranges from which a multi-quadrant Riemann problem is drawn: the split point (as fractions of the
// domain lengths) and, per quadrant, density, pressure and both velocity components (uniform in
// [-velocity_max, velocity_max]); the ranges of the 3-D octants too.
using QuadrantRanges = euler::RiemannStateRanges;

// The isentropic vortex (Shu): ambient state rho = p = 1 moving at (u_inf, v_inf), a vortex of the
// given strength centred in the domain.
struct VortexParameters {
  double strength = 5.0;
  double u_inf = 1.0;
  double v_inf = 1.0;

  template <class V>
  void visit(V& v) {
    v("strength", strength, "vortex strength beta", config::at_least(0.0));
    v("u_inf", u_inf, "ambient x velocity");
    v("v_inf", v_inf, "ambient y velocity");
  }
};

struct EulerConfig {
  int nx = 128;
  int ny = 128;
  double lx = 1.0;
  double ly = 1.0;
  double gamma = 1.4;
  std::string boundary = "periodic";
  std::string limiter = "mc";
  double cfl = 0.4;
  double t_end = 0.25;
  std::string initial_condition = "quadrants";
  int64_t seed = 0;
  QuadrantRanges quadrants;
  VortexParameters vortex;
  std::string injection = "pressure";

  template <class V>
  void visit(V& v) {
    using config::at_least;
    using config::greater_than;
    using config::one_of;
    v("nx", nx, "cells along x (PETSc option -da_grid_x overrides)", at_least(4));
    v("ny", ny, "cells along y (PETSc option -da_grid_y overrides)", at_least(4));
    v("lx", lx, "domain length along x: the domain is [0, lx] x [0, ly]", greater_than(0.0));
    v("ly", ly, "domain length along y", greater_than(0.0));
    v("gamma", gamma, "ratio of specific heats", greater_than(1.0));
    v("boundary", boundary, "boundaries on all sides: periodic, or open (zero-gradient outflow)",
      one_of({"periodic", "open"}));
    v("limiter", limiter, "slope limiter of the MUSCL reconstruction", one_of({"minmod", "mc"}));
    v("cfl", cfl, "CFL number: dt = cfl / max((|u|+c)/dx + (|v|+c)/dy)",
      config::Check<double>{"a value in (0, 1]", [](const double& c) { return c > 0.0 && c <= 1.0; }});
    v("t_end", t_end, "end time of a leap-euler2d run", at_least(0.0));
    v("initial_condition", initial_condition,
      "quadrants (random 4-state Riemann problem), sod (shock tube along x) or vortex (isentropic vortex)",
      one_of({"quadrants", "sod", "vortex"}));
    v("seed", seed, "random seed of the quadrant states (the same on every rank count)",
      at_least<int64_t>(0));
    v("quadrants", quadrants, "ranges of the random quadrant states");
    v("vortex", vortex, "isentropic vortex parameters");
    v("injection", injection,
      "how an emulated state becomes the conserved variables: pressure (energy = p/(gamma-1) + |m|^2/(2 rho) "
      "from the emulated density, momentum and pressure: positive density and pressure always give an "
      "admissible state) or energy (the emulated energy as it is; pressure then follows and may be negative)",
      one_of({"pressure", "energy"}));
  }
  void validate(const std::string& file) const { quadrants.validate(file, "quadrants"); }
};

// Applies every check of EulerConfig::visit() and validate() to a config filled in code (reading
// YAML applies them already); throws leap::InputError naming the key, with `source` as the file.
void CheckEulerConfig(const EulerConfig& cfg, const std::string& source = "EulerConfig");

}  // namespace leap::euler2d
