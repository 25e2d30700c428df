// Configuration of the 3-D compressible Euler example solver: grid, domain, gas, numerics and the
// initial condition, as one typed struct read from YAML (leap::config) or filled in code.
//
//   nx: 64             # cells along x (PETSc's -da_grid_x overrides)
//   ny: 64
//   nz: 64
//   lx: 1.0            # domain [0, lx] x [0, ly] x [0, lz]
//   ly: 1.0
//   lz: 1.0
//   gamma: 1.4
//   boundary: {x: periodic, y: periodic, z: open}   # per axis: periodic or open (zero-gradient)
//   limiter: mc        # or minmod
//   cfl: 0.4
//   t_end: 0.2         # the end time leap-euler3d integrates to
//   initial_condition: octants   # or blast, taylor_green, sod, density_wave
//   seed: 0
//   octants: {density_min: 0.1, density_max: 2.0, ...}
//   blast: {radius: 0.1, pressure_inside: 10, pressure_outside: 0.1, density: 1}
//   taylor_green: {mach: 0.1, density: 1, velocity: 1}
//   sod: {axis: x}
//   density_wave: {amplitude: 0.2, u: 1, v: 1, w: 1, kx: 1, ky: 1, kz: 1}
#pragma once

#include <cstdint>
#include <string>

#include "euler/riemann_states.h"
#include "leap/config/schema.h"
#include "leap/error.h"

namespace leap::euler3d {

// The boundary type of each axis (both sides of an axis alike).
struct Boundaries {
  std::string x = "periodic";
  std::string y = "periodic";
  std::string z = "periodic";

  template <class V>
  void visit(V& v) {
    using config::one_of;
    v("x", x, "boundaries normal to x: periodic, or open (zero-gradient outflow)",
      one_of({"periodic", "open"}));
    v("y", y, "boundaries normal to y: periodic or open", one_of({"periodic", "open"}));
    v("z", z, "boundaries normal to z: periodic or open", one_of({"periodic", "open"}));
  }
  const std::string& of(int axis) const { return axis == 0 ? x : axis == 1 ? y : z; }
};

// A spherical blast wave: a sphere of high pressure at rest in a uniform gas at rest, centred in
// the domain (cells cut by the sphere get the volume-weighted mean pressure).
struct BlastParameters {
  double radius = 0.1;
  double pressure_inside = 10.0;
  double pressure_outside = 0.1;
  double density = 1.0;

  template <class V>
  void visit(V& v) {
    using config::greater_than;
    v("radius", radius, "radius of the high-pressure sphere (a length)", greater_than(0.0));
    v("pressure_inside", pressure_inside, "pressure inside the sphere", greater_than(0.0));
    v("pressure_outside", pressure_outside, "pressure of the ambient gas", greater_than(0.0));
    v("density", density, "density everywhere", greater_than(0.0));
  }
};

// The inviscid Taylor-Green vortex in its compressible form (as in the HiOCFD workshop case, on
// [0, lx] x [0, ly] x [0, lz] with k_a = 2 pi / l_a):
//   u = V0 sin(kx x) cos(ky y) cos(kz z),  v = -V0 cos(kx x) sin(ky y) cos(kz z),  w = 0,
//   p = p0 + rho0 V0^2 / 16 (cos(2 kx x) + cos(2 ky y)) (cos(2 kz z) + 2),  rho = rho0 p / p0,
// with p0 = rho0 V0^2 / (gamma M^2) for the Mach number M = V0 / c0.
struct TaylorGreenParameters {
  double mach = 0.1;
  double density = 1.0;
  double velocity = 1.0;

  template <class V>
  void visit(V& v) {
    using config::greater_than;
    v("mach", mach, "Mach number V0 / c0 of the reference state", greater_than(0.0));
    v("density", density, "reference density rho0", greater_than(0.0));
    v("velocity", velocity, "velocity scale V0", greater_than(0.0));
  }
};

// Sod's shock tube along one axis: (rho, u_n, p) = (1, 0, 1) below the middle of the axis,
// (0.125, 0, 0.1) above it.
struct SodParameters {
  std::string axis = "x";

  template <class V>
  void visit(V& v) {
    v("axis", axis, "the axis of the tube: x, y or z", config::one_of({"x", "y", "z"}));
  }
  int index() const { return axis == "x" ? 0 : axis == "y" ? 1 : 2; }
};

// A density wave advected by a uniform flow at uniform pressure, a smooth exact solution (the
// initial field translated by (u, v, w) t) on a periodic domain:
//   rho = density (1 + amplitude sin(2 pi (kx x / lx + ky y / ly + kz z / lz))).
struct DensityWaveParameters {
  double amplitude = 0.2;
  double density = 1.0;
  double pressure = 1.0;
  double u = 1.0;
  double v = 1.0;
  double w = 1.0;
  int kx = 1;
  int ky = 1;
  int kz = 1;

  template <class V>
  void visit(V& vis) {
    using config::greater_than;
    vis("amplitude", amplitude, "relative amplitude of the density wave",
        config::Check<double>{"a value in [0, 1)", [](const double& a) { return a >= 0.0 && a < 1.0; }});
    vis("density", density, "mean density", greater_than(0.0));
    vis("pressure", pressure, "the uniform pressure", greater_than(0.0));
    vis("u", u, "x velocity of the flow");
    vis("v", v, "y velocity of the flow");
    vis("w", w, "z velocity of the flow");
    vis("kx", kx, "wave number along x (periods per domain length)");
    vis("ky", ky, "wave number along y");
    vis("kz", kz, "wave number along z");
  }
};

struct EulerConfig {
  int nx = 64;
  int ny = 64;
  int nz = 64;
  double lx = 1.0;
  double ly = 1.0;
  double lz = 1.0;
  double gamma = 1.4;
  Boundaries boundary;
  std::string limiter = "mc";
  double cfl = 0.4;
  double t_end = 0.2;
  std::string initial_condition = "octants";
  int64_t seed = 0;
  euler::RiemannStateRanges octants;
  BlastParameters blast;
  TaylorGreenParameters taylor_green;
  SodParameters sod;
  DensityWaveParameters density_wave;
  std::string injection = "pressure";

  template <class V>
  void visit(V& v) {
    using config::at_least;
    using config::greater_than;
    using config::one_of;
    v("nx", nx, "cells along x (PETSc option -da_grid_x overrides)", at_least(4));
    v("ny", ny, "cells along y (PETSc option -da_grid_y overrides)", at_least(4));
    v("nz", nz, "cells along z (PETSc option -da_grid_z overrides)", at_least(4));
    v("lx", lx, "domain length along x: the domain is [0, lx] x [0, ly] x [0, lz]", greater_than(0.0));
    v("ly", ly, "domain length along y", greater_than(0.0));
    v("lz", lz, "domain length along z", greater_than(0.0));
    v("gamma", gamma, "ratio of specific heats", greater_than(1.0));
    v("boundary", boundary, "boundaries per axis (x, y, z): periodic or open (zero-gradient outflow)");
    v("limiter", limiter, "slope limiter of the MUSCL reconstruction", one_of({"minmod", "mc"}));
    v("cfl", cfl, "CFL number: dt = cfl / max((|u|+c)/dx + (|v|+c)/dy + (|w|+c)/dz)",
      config::Check<double>{"a value in (0, 1]", [](const double& c) { return c > 0.0 && c <= 1.0; }});
    v("t_end", t_end, "end time of a leap-euler3d run", at_least(0.0));
    v("initial_condition", initial_condition,
      "octants (random 8-state Riemann problem), blast (spherical blast wave), taylor_green (inviscid "
      "Taylor-Green vortex), sod (shock tube along sod.axis) or density_wave (advected density wave)",
      one_of({"octants", "blast", "taylor_green", "sod", "density_wave"}));
    v("seed", seed, "random seed of the octant states (the same on every rank count)", at_least<int64_t>(0));
    v("octants", octants, "ranges of the random octant states");
    v("blast", blast, "spherical blast wave parameters");
    v("taylor_green", taylor_green, "Taylor-Green vortex parameters");
    v("sod", sod, "shock tube parameters");
    v("density_wave", density_wave, "advected density wave parameters");
    v("injection", injection,
      "how an emulated state becomes the conserved variables: pressure (energy = p/(gamma-1) + |m|^2/(2 rho) "
      "from the emulated density, momentum and pressure: positive density and pressure always give an "
      "admissible state) or energy (the emulated energy as it is; pressure then follows and may be negative)",
      one_of({"pressure", "energy"}));
  }
  void validate(const std::string& file) const;
};

// Applies every check of EulerConfig::visit() and validate() to a config filled in code (reading
// YAML applies them already); throws leap::InputError naming the key, with `source` as the file.
void CheckEulerConfig(const EulerConfig& cfg, const std::string& source = "EulerConfig");

}  // namespace leap::euler3d
