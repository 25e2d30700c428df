// The parts of the 3-D Euler example one by one: config checks, the shared kernels in 3-D (HLLC
// along every axis by rotation, the 2-D kernels embedded in the 3-D ones, the exact Riemann solver
// along any axis), the initial conditions (octant draw, blast sphere, Taylor-Green vortex), the
// open boundaries, the time integrator (Shu-Osher SSPRK(3,3)) and the FluidSolver description.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

#include "euler/exact_riemann.h"
#include "euler/hllc_flux.h"
#include "euler/muscl_reconstruction.h"
#include "euler3d/initial_conditions.h"
#include "euler3d_test_support.h"
#include "leap/config/load.h"

namespace leap::euler3d {
namespace {

using euler::HllcFlux;
using euler::kX;
using euler::kY;
using euler::kZ;
using euler::PhysicalFlux;
using test::Conserved;
using test::MakeSolver;
using test::Primitive;

std::string ParseError(const std::string& yaml) {
  try {
    config::parse_config<EulerConfig>(config::load_yaml_text(yaml, "case.yaml"), "case.yaml");
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Euler3dConfig, ReadsYamlAndRefusesBadValues) {
  const EulerConfig cfg = config::parse_config<EulerConfig>(
      config::load_yaml_text("gamma: 1.3\nnz: 12\nlz: 2.5\nboundary: {x: open, z: open}\nlimiter: minmod\n"
                             "initial_condition: sod\nsod: {axis: z}\ntaylor_green: {mach: 0.5}\n",
                             "case.yaml"),
      "case.yaml");
  EXPECT_DOUBLE_EQ(cfg.gamma, 1.3);
  EXPECT_EQ(cfg.nz, 12);
  EXPECT_DOUBLE_EQ(cfg.lz, 2.5);
  EXPECT_EQ(cfg.boundary.x, "open");
  EXPECT_EQ(cfg.boundary.y, "periodic");
  EXPECT_EQ(cfg.boundary.z, "open");
  EXPECT_EQ(cfg.sod.index(), 2);
  EXPECT_DOUBLE_EQ(cfg.taylor_green.mach, 0.5);

  EXPECT_EQ(ParseError("nz: 2\n"), "case.yaml: key 'nz': expected a value >= 4, found '2'");
  EXPECT_EQ(ParseError("boundary: {y: wall}\n"),
            "case.yaml: key 'boundary.y': expected one of periodic, open, found 'wall'");
  EXPECT_NE(ParseError("boundary: open\n").find("key 'boundary'"), std::string::npos);
  EXPECT_NE(ParseError("lz: 0\n").find("key 'lz'"), std::string::npos);
  EXPECT_NE(ParseError("initial_condition: quadrants\n").find("key 'initial_condition'"), std::string::npos);
  EXPECT_NE(ParseError("sod: {axis: w}\n").find("key 'sod.axis'"), std::string::npos);
  EXPECT_NE(ParseError("density_wave: {amplitude: 1.0}\n").find("key 'density_wave.amplitude'"),
            std::string::npos);
  EXPECT_NE(ParseError("taylor_green: {mach: 0}\n").find("key 'taylor_green.mach'"), std::string::npos);
  EXPECT_NE(ParseError("octants: {pressure_min: 2, pressure_max: 1}\n").find("key 'octants.pressure_max'"),
            std::string::npos);
  EXPECT_NE(ParseError("initial_condition: blast\nblast: {radius: 0.6}\n").find("key 'blast.radius'"),
            std::string::npos);
  EXPECT_EQ(ParseError("blast: {radius: 0.6}\n"), "(no error)");  // only checked for a blast run
  EXPECT_NE(ParseError("nw: 4\n").find("unknown key 'nw'"), std::string::npos);
}

TEST(Euler3dConfig, DocumentsEveryKeyAndRoundTripsThroughYaml) {
  const std::vector<std::string> lines = config::document<EulerConfig>();
  const auto documented = [&](const std::string& prefix) {
    for (const auto& l : lines)
      if (l.rfind(prefix, 0) == 0) return true;
    return false;
  };
  for (const char* key : {"nx:",
                          "ny:",
                          "nz:",
                          "lx:",
                          "ly:",
                          "lz:",
                          "gamma:",
                          "boundary.x:",
                          "boundary.y:",
                          "boundary.z:",
                          "limiter:",
                          "cfl:",
                          "t_end:",
                          "initial_condition:",
                          "seed:",
                          "octants.density_min:",
                          "blast.radius:",
                          "taylor_green.mach:",
                          "sod.axis:",
                          "density_wave.amplitude:",
                          "density_wave.kz:",
                          "injection:"})
    EXPECT_TRUE(documented(key)) << key;
  EulerConfig cfg;
  cfg.boundary.y = "open";
  cfg.seed = 987654321;
  cfg.blast.radius = 0.2;
  cfg.density_wave.kz = 3;
  const EulerConfig back = config::parse_config<EulerConfig>(
      config::load_yaml_text(config::to_yaml(cfg), "effective.yaml"), "effective.yaml");
  EXPECT_EQ(config::to_yaml(back), config::to_yaml(cfg));
  EXPECT_EQ(back.boundary.y, "open");
  EXPECT_EQ(back.seed, cfg.seed);
  EXPECT_DOUBLE_EQ(back.blast.radius, 0.2);
  EXPECT_EQ(back.density_wave.kz, 3);
}

TEST(Euler3dConfig, CreateRefusesABadConfigBeforeAnyStep) {
  EulerConfig cfg = test::SmallConfig("octants", 8, 8, 8);
  cfg.cfl = 0;
  EXPECT_THROW(CheckEulerConfig(cfg), InputError);
  std::unique_ptr<EulerSolver> solver;
  PetscPushErrorHandler(PetscReturnErrorHandler, nullptr);
  EXPECT_EQ(EulerSolver::Create(PETSC_COMM_WORLD, cfg, &solver), PETSC_ERR_ARG_OUTOFRANGE);
  cfg.cfl = 0.4;
  cfg.boundary.z = "reflecting";
  EXPECT_EQ(EulerSolver::Create(PETSC_COMM_WORLD, cfg, &solver), PETSC_ERR_ARG_OUTOFRANGE);
  PetscPopErrorHandler();
  EXPECT_FALSE(solver);
}

void ExpectNear(const Conserved& a, const Conserved& b, double tol) {
  const double scale = 1 + std::abs(b.rho) + std::abs(b.mx) + std::abs(b.my) + std::abs(b.mz) + std::abs(b.E);
  EXPECT_NEAR(a.rho, b.rho, tol * scale);
  EXPECT_NEAR(a.mx, b.mx, tol * scale);
  EXPECT_NEAR(a.my, b.my, tol * scale);
  EXPECT_NEAR(a.mz, b.mz, tol * scale);
  EXPECT_NEAR(a.E, b.E, tol * scale);
}

// The flux through a y (z) face is the x flux of the state with the roles of x and y (z) swapped:
// the one kernel serves every axis.
TEST(Euler3dKernels, HllcAlongEveryAxisIsTheRotatedXFlux) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> pos(0.1, 3), vel(-3, 3);
  for (int k = 0; k < 200; ++k) {
    const Primitive L = {pos(rng), vel(rng), vel(rng), vel(rng), pos(rng)};
    const Primitive R = {pos(rng), vel(rng), vel(rng), vel(rng), pos(rng)};
    // y faces: swap x and y.
    const Conserved fy = HllcFlux<3, kY>(L, R, 1.4);
    const Conserved gy = HllcFlux<3, kX>({L.rho, L.v, L.u, L.w, L.p}, {R.rho, R.v, R.u, R.w, R.p}, 1.4);
    ExpectNear(fy, {gy.rho, gy.my, gy.mx, gy.mz, gy.E}, 1e-14);
    // z faces: swap x and z.
    const Conserved fz = HllcFlux<3, kZ>(L, R, 1.4);
    const Conserved gz = HllcFlux<3, kX>({L.rho, L.w, L.v, L.u, L.p}, {R.rho, R.w, R.v, R.u, R.p}, 1.4);
    ExpectNear(fz, {gz.rho, gz.mz, gz.my, gz.mx, gz.E}, 1e-14);
    // Consistency: equal states give the physical flux.
    ExpectNear(HllcFlux<3, kZ>(L, L, 1.4), PhysicalFlux<3, kZ>(L, 1.4), 1e-14);
  }
}

// A 3-D state with w = 0 is a 2-D state: the 3-D kernels give the 2-D results exactly (and no z
// momentum flux through x and y faces), so the 3-D solver is the 2-D one on z-independent data.
TEST(Euler3dKernels, TwoDimensionalStatesEmbedExactly) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> pos(0.1, 3), vel(-3, 3);
  for (int k = 0; k < 200; ++k) {
    const euler::Primitive<2> a2 = {pos(rng), vel(rng), vel(rng), pos(rng)},
                              b2 = {pos(rng), vel(rng), vel(rng), pos(rng)};
    const euler::Primitive<2> c2 = {pos(rng), vel(rng), vel(rng), pos(rng)};
    const Primitive a3 = {a2.rho, a2.u, a2.v, 0.0, a2.p}, b3 = {b2.rho, b2.u, b2.v, 0.0, b2.p};
    const Primitive c3 = {c2.rho, c2.u, c2.v, 0.0, c2.p};
    const euler::Conserved<2> fx2 = HllcFlux<2, kX>(a2, b2, 1.4), fy2 = HllcFlux<2, kY>(a2, b2, 1.4);
    const Conserved fx3 = HllcFlux<3, kX>(a3, b3, 1.4), fy3 = HllcFlux<3, kY>(a3, b3, 1.4);
    for (const auto& [f2, f3] : {std::pair{fx2, fx3}, std::pair{fy2, fy3}}) {
      EXPECT_EQ(f3.rho, f2.rho);
      EXPECT_EQ(f3.mx, f2.mx);
      EXPECT_EQ(f3.my, f2.my);
      EXPECT_EQ(f3.mz, 0.0);
      EXPECT_EQ(f3.E, f2.E);
    }
    const auto r2 = euler::ReconstructFaces<euler::Limiter::kMC>(a2, b2, c2);
    const auto r3 = euler::ReconstructFaces<euler::Limiter::kMC>(a3, b3, c3);
    EXPECT_EQ(r3.minus.rho, r2.minus.rho);
    EXPECT_EQ(r3.plus.v, r2.plus.v);
    EXPECT_EQ(r3.plus.p, r2.plus.p);
    EXPECT_EQ(r3.plus.w, 0.0);
    const euler::Primitive<2> back2 = euler::ToPrimitive(euler::ToConserved(a2, 1.4), 1.4);
    const Primitive back3 = euler::ToPrimitive(euler::ToConserved(a3, 1.4), 1.4);
    EXPECT_EQ(back3.p, back2.p);
  }
}

TEST(Euler3dExactRiemann, SodAlongEveryAxisWithTangentialFlow) {
  // Sod's star states (Toro: p* = 0.30313, u* = 0.92745, densities 0.42632 and 0.26557) along each
  // axis; the tangential velocities jump at the contact only.
  for (int axis = 0; axis < 3; ++axis) {
    Primitive L = SodLowerState(), R = SodUpperState();
    for (int a = 0; a < 3; ++a)
      if (a != axis) {
        L.vel(a) = 0.3 + a;
        R.vel(a) = -0.7 - a;
      }
    const euler::ExactRiemannSolver<3> rs(L, R, 1.4, axis);
    EXPECT_NEAR(rs.p_star(), 0.30313, 5e-5);
    EXPECT_NEAR(rs.u_star(), 0.92745, 5e-5);
    const Primitive left_star = rs.Sample(rs.u_star() - 1e-9), right_star = rs.Sample(rs.u_star() + 1e-9);
    EXPECT_NEAR(left_star.rho, 0.42632, 5e-5);
    EXPECT_NEAR(right_star.rho, 0.26557, 5e-5);
    EXPECT_DOUBLE_EQ(left_star.vel(axis), rs.u_star());
    for (int a = 0; a < 3; ++a)
      if (a != axis) {
        EXPECT_EQ(left_star.vel(a), L.vel(a));
        EXPECT_EQ(right_star.vel(a), R.vel(a));
      }
    // Inside the rarefaction fan: the same numbers on every axis.
    const euler::ExactRiemannSolver<3> along_x(SodLowerState(), SodUpperState(), 1.4, kX);
    EXPECT_EQ(rs.Sample(-0.5).rho, along_x.Sample(-0.5).rho);
    EXPECT_EQ(rs.Sample(-0.5).vel(axis), along_x.Sample(-0.5).u);
  }
  EXPECT_THROW(euler::ExactRiemannSolver<3>(SodLowerState(), SodUpperState(), 1.4, 3), Error);
}

TEST(Euler3dInitialConditions, TheSeedAloneFixesTheOctants) {
  EulerConfig cfg = test::SmallConfig("octants", 16, 16, 16);
  cfg.lx = 2;
  cfg.lz = 3;
  cfg.seed = 17;
  const auto a = DrawOctants(cfg), b = DrawOctants(cfg);
  cfg.seed = 18;
  const auto c = DrawOctants(cfg);
  EXPECT_NE(a.split[0], c.split[0]);
  const euler::RiemannStateRanges& r = cfg.octants;
  const double lengths[3] = {2, 1, 3};
  for (size_t d = 0; d < 3; ++d) {
    EXPECT_EQ(a.split[d], b.split[d]);
    EXPECT_GE(a.split[d], r.split_min * lengths[d]);
    EXPECT_LE(a.split[d], r.split_max * lengths[d]);
  }
  for (size_t q = 0; q < 8; ++q) {
    EXPECT_EQ(a.state[q].rho, b.state[q].rho);
    EXPECT_EQ(a.state[q].w, b.state[q].w);
    EXPECT_GE(a.state[q].rho, r.density_min);
    EXPECT_LE(a.state[q].rho, r.density_max);
    EXPECT_GE(a.state[q].p, r.pressure_min);
    EXPECT_LE(a.state[q].p, r.pressure_max);
    for (int d = 0; d < 3; ++d) EXPECT_LE(std::abs(a.state[q].vel(d)), r.velocity_max);
    // Octant q lies above the split along the axes of its bits.
    const Point x = {q & 1 ? 1.99 : 0.01, q & 2 ? 0.99 : 0.01, q & 4 ? 2.99 : 0.01};
    EXPECT_EQ(a.At(x).rho, a.state[q].rho) << q;
  }
  // All eight states are distinct draws.
  for (size_t q = 1; q < 8; ++q) EXPECT_NE(a.state[q].rho, a.state[q - 1].rho);
}

TEST(Euler3dInitialConditions, BlastSphereAndTaylorGreenVortex) {
  EulerConfig cfg = test::SmallConfig("blast", 32, 32, 32);
  cfg.blast.radius = 0.2;
  // The cells' volume fractions add up to the sphere's volume (sampling error a few 1e-3).
  const Point h = {1.0 / 32, 1.0 / 32, 1.0 / 32};
  double volume = 0;
  for (int i = 0; i < 32; ++i)
    for (int j = 0; j < 32; ++j)
      for (int k = 0; k < 32; ++k)
        volume += BlastVolumeFraction(cfg, {(i + 0.5) * h[0], (j + 0.5) * h[1], (k + 0.5) * h[2]}, h) * h[0] *
                  h[1] * h[2];
  EXPECT_NEAR(volume, 4.0 / 3 * PETSC_PI * 0.008, 5e-3 * 4.0 / 3 * PETSC_PI * 0.008);
  EXPECT_EQ(BlastVolumeFraction(cfg, {0.5, 0.5, 0.5}, h), 1.0);
  EXPECT_EQ(BlastVolumeFraction(cfg, {0.1, 0.5, 0.5}, h), 0.0);

  cfg.initial_condition = "taylor_green";
  cfg.taylor_green.mach = 0.2;
  cfg.taylor_green.velocity = 2;
  cfg.gamma = 1.4;
  // At the velocity maximum (x = l/4, y = z = 0) u = V0; the reference state has Mach number M:
  // where the pressure perturbation vanishes p = p0 and V0 / c0 = M.
  const Primitive w = TaylorGreen(cfg, {0.25, 0.0, 0.0});
  EXPECT_NEAR(w.u, 2.0, 1e-14);
  EXPECT_NEAR(w.v, 0.0, 1e-14);
  EXPECT_EQ(w.w, 0.0);
  const double p0 = 1.0 * 4 / (1.4 * 0.04);
  // cos(2a) + cos(2b) = 0 at a = pi/4, b = pi/4 (x = y = 1/8): p = p0, rho = rho0.
  const Primitive mid = TaylorGreen(cfg, {0.125, 0.125, 0.3});
  EXPECT_NEAR(mid.p, p0, 1e-12 * p0);
  EXPECT_NEAR(mid.rho, 1.0, 1e-13);
  EXPECT_NEAR(2.0 / std::sqrt(1.4 * mid.p / mid.rho), 0.2, 1e-13);
  // The field is divergence-free: du/dx + dv/dy = 0 (central differences).
  const double e = 1e-5;
  const Point x = {0.31, 0.17, 0.62};
  const double div =
      (TaylorGreen(cfg, {x[0] + e, x[1], x[2]}).u - TaylorGreen(cfg, {x[0] - e, x[1], x[2]}).u +
       TaylorGreen(cfg, {x[0], x[1] + e, x[2]}).v - TaylorGreen(cfg, {x[0], x[1] - e, x[2]}).v) /
      (2 * e);
  EXPECT_NEAR(div, 0.0, 1e-8);
}

// A uniform moving state must stay exactly uniform with open boundaries: the zero-gradient ghosts
// make the boundary fluxes equal to the interior ones.
TEST(Euler3dBoundaries, OpenBoundariesKeepAUniformFlowUniform) {
  EulerConfig cfg = test::SmallConfig("octants", 9, 7, 6);
  cfg.boundary.x = "open";
  cfg.boundary.z = "open";
  std::unique_ptr<EulerSolver> solver;
  ASSERT_NO_FATAL_FAILURE(MakeSolver(PETSC_COMM_WORLD, cfg, &solver));
  const size_t cells = test::OwnedBox(*solver).cells();
  const Conserved c = euler::ToConserved(Primitive{0.7, 0.4, -0.9, 0.6, 1.3}, cfg.gamma);
  std::vector<float> momentum(3 * cells);
  for (size_t k = 0; k < cells; ++k) {
    momentum[3 * k] = float(c.mx);
    momentum[3 * k + 1] = float(c.my);
    momentum[3 * k + 2] = float(c.mz);
  }
  ASSERT_EQ(solver->InjectWellFields({std::vector<float>(cells, float(c.E)),
                                      std::vector<float>(cells, float(c.rho)), std::vector<float>(cells, 0.f),
                                      momentum}),
            0);
  Vec F;
  ASSERT_EQ(VecDuplicate(solver->solution(), &F), 0);
  ASSERT_EQ(TSComputeRHSFunction(solver->ts(), 0, solver->solution(), F), 0);
  PetscReal norm = -1;
  ASSERT_EQ(VecNorm(F, NORM_INFINITY, &norm), 0);
  EXPECT_EQ(norm, 0.0);
  VecDestroy(&F);
}

// One TS step equals one step of Shu and Osher's SSPRK(3,3) written in its convex form.
TEST(Euler3dTimeStepper, OneStepIsTheShuOsherScheme) {
  EulerConfig cfg = test::SmallConfig("octants", 10, 8, 6);
  cfg.seed = 5;
  cfg.boundary.y = "open";
  std::unique_ptr<EulerSolver> solver;
  ASSERT_NO_FATAL_FAILURE(MakeSolver(PETSC_COMM_WORLD, cfg, &solver));
  PetscReal dt;
  ASSERT_EQ(solver->StableTimeStep(&dt), 0);
  Vec U0, U1, U2, L;
  TS ts = solver->ts();
  VecDuplicate(solver->solution(), &U0);
  VecDuplicate(U0, &U1);
  VecDuplicate(U0, &U2);
  VecDuplicate(U0, &L);
  VecCopy(solver->solution(), U0);
  ASSERT_EQ(TSComputeRHSFunction(ts, 0, U0, L), 0);
  VecWAXPY(U1, dt, L, U0);  // U1 = U0 + dt L(U0)
  ASSERT_EQ(TSComputeRHSFunction(ts, dt, U1, L), 0);
  VecAXPY(U1, dt, L);                      // U1 + dt L(U1)
  VecAXPBYPCZ(U2, 0.75, 0.25, 0, U0, U1);  // U2 = 3/4 U0 + 1/4 (U1 + dt L(U1))
  ASSERT_EQ(TSComputeRHSFunction(ts, 0.5 * dt, U2, L), 0);
  VecAXPY(U2, dt, L);                            // U2 + dt L(U2)
  VecAXPBYPCZ(U1, 1.0 / 3, 2.0 / 3, 0, U0, U2);  // U' = 1/3 U0 + 2/3 (U2 + dt L(U2))

  ASSERT_EQ(solver->Advance(dt), 0);
  EXPECT_EQ(solver->steps(), 1);
  PetscReal diff, scale;
  VecAXPY(U1, -1, solver->solution());
  VecNorm(U1, NORM_INFINITY, &diff);
  VecNorm(U0, NORM_INFINITY, &scale);
  EXPECT_LE(diff, 1e-13 * scale);
  VecAXPY(U0, -1, solver->solution());  // it is a real step: the state moved
  VecNorm(U0, NORM_INFINITY, &diff);
  EXPECT_GT(diff, 1e-4 * scale);
  for (Vec* v : {&U0, &U1, &U2, &L}) VecDestroy(v);
}

TEST(Euler3dSolver, DescribesItselfInTheWellsTerms) {
  EulerConfig cfg = test::SmallConfig("blast", 16, 8, 8);
  cfg.gamma = 5.0 / 3;
  cfg.boundary.y = "open";
  cfg.lz = 2;
  cfg.blast.radius = 0.2;
  // PETSc options with the solver's prefix override the configured grid.
  PetscOptionsSetValue(nullptr, "-describe3d_da_grid_z", "10");
  std::unique_ptr<EulerSolver> solver;
  ASSERT_EQ(EulerSolver::Create(PETSC_COMM_WORLD, cfg, &solver, "describe3d_"), 0);
  PetscOptionsClearValue(nullptr, "-describe3d_da_grid_z");
  EXPECT_EQ(solver->nx(), 16);
  EXPECT_EQ(solver->ny(), 8);
  EXPECT_EQ(solver->nz(), 10);
  EXPECT_DOUBLE_EQ(solver->dz(), 0.2);
  EXPECT_EQ(solver->dataset_name(), "euler3d_blast_wave_mixedBC");
  const auto axes = solver->axes();
  ASSERT_EQ(axes.size(), 3u);
  const char* names[3] = {"x", "y", "z"};
  const char* bcs[3] = {"periodic", "open", "periodic"};
  for (size_t a = 0; a < 3; ++a) {
    EXPECT_EQ(axes[a].name, names[a]);
    EXPECT_EQ(axes[a].bc_type, bcs[a]);
    EXPECT_EQ(size_t(axes[a].size), axes[a].coords.size());
  }
  EXPECT_EQ(axes[2].size, 10);
  EXPECT_DOUBLE_EQ(axes[2].coords.front(), 0.1);
  EXPECT_DOUBLE_EQ(axes[2].coords.back(), 1.9);
  EXPECT_DOUBLE_EQ(axes[0].coords[1], 1.5 / 16);
  const auto fields = solver->well_fields();
  ASSERT_EQ(fields.size(), 4u);
  const char* field_names[4] = {"energy", "density", "pressure", "momentum"};
  for (size_t f = 0; f < 4; ++f) {
    EXPECT_EQ(fields[f].name, field_names[f]);
    EXPECT_EQ(fields[f].order, f == 3 ? 1 : 0);
    EXPECT_EQ(fields[f].dim_varying, std::vector<bool>(3, true));
  }
  const auto params = solver->parameters();
  ASSERT_EQ(params.size(), 1u);
  EXPECT_EQ(params[0].first, "gamma");
  EXPECT_DOUBLE_EQ(params[0].second, 5.0 / 3);
  EXPECT_TRUE(solver->ConservedDofs().empty());  // an open axis lets the totals change
  std::vector<float> out;
  ASSERT_EQ(solver->ExtractWellField("momentum", &out), 0);
  EXPECT_EQ(out.size(), 3 * test::OwnedBox(*solver).cells());
  PetscPushErrorHandler(PetscReturnErrorHandler, nullptr);
  EXPECT_EQ(solver->ExtractWellField("velocity", &out), PETSC_ERR_ARG_UNKNOWN_TYPE);
  EXPECT_EQ(solver->Advance(-1), PETSC_ERR_ARG_OUTOFRANGE);
  EXPECT_EQ(solver->InjectWellFields({out}), PETSC_ERR_ARG_SIZ);
  PetscPopErrorHandler();

  cfg.boundary.y = "periodic";
  cfg.initial_condition = "sod";
  cfg.sod.axis = "y";
  ASSERT_EQ(EulerSolver::Create(PETSC_COMM_WORLD, cfg, &solver), 0);
  EXPECT_EQ(solver->dataset_name(), "euler3d_sod_y_periodicBC");
  const auto dofs = solver->ConservedDofs();  // mass, three momenta, energy
  ASSERT_EQ(dofs.size(), 5u);
  EXPECT_EQ(dofs[3].dof, 3);
  EXPECT_EQ(dofs[4].dof, 4);
}

}  // namespace
}  // namespace leap::euler3d
