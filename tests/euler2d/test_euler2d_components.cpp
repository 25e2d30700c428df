// The parts of the Euler example one by one: config checks, slope limiters, the HLLC flux, the
// exact Riemann solver (against Toro's published star states), the quadrant draw, the open
// boundaries, the time integrator (Shu-Osher SSPRK(3,3)) and the FluidSolver description.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

#include "euler/exact_riemann.h"
#include "euler/hllc_flux.h"
#include "euler/slope_limiter.h"
#include "euler2d/initial_conditions.h"
#include "euler_test_support.h"
#include "leap/config/load.h"

namespace leap::euler2d {
namespace {

using test::MakeSolver;

std::string ParseError(const std::string& yaml) {
  try {
    config::parse_config<EulerConfig>(config::load_yaml_text(yaml, "case.yaml"), "case.yaml");
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Euler2dConfig, ReadsYamlAndRefusesBadValues) {
  const EulerConfig cfg = config::parse_config<EulerConfig>(
      config::load_yaml_text(
          "gamma: 1.76\nboundary: open\nlimiter: minmod\nnx: 16\nquadrants: {velocity_max: 0.5}\n",
          "case.yaml"),
      "case.yaml");
  EXPECT_DOUBLE_EQ(cfg.gamma, 1.76);
  EXPECT_EQ(cfg.boundary, "open");
  EXPECT_EQ(cfg.limiter, "minmod");
  EXPECT_EQ(cfg.nx, 16);
  EXPECT_DOUBLE_EQ(cfg.quadrants.velocity_max, 0.5);

  EXPECT_EQ(ParseError("gamma: 1.0\n"), "case.yaml: key 'gamma': expected a value > 1, found '1.0'");
  EXPECT_EQ(ParseError("boundary: wall\n"),
            "case.yaml: key 'boundary': expected one of periodic, open, found 'wall'");
  EXPECT_NE(ParseError("limiter: superbee\n").find("key 'limiter'"), std::string::npos);
  EXPECT_NE(ParseError("cfl: 1.5\n").find("key 'cfl': expected a value in (0, 1]"), std::string::npos);
  EXPECT_NE(ParseError("initial_condition: blast\n").find("key 'initial_condition'"), std::string::npos);
  EXPECT_NE(ParseError("quadrants: {density_min: 2, density_max: 1}\n").find("key 'quadrants.density_max'"),
            std::string::npos);
  EXPECT_NE(ParseError("gama: 1.4\n").find("unknown key 'gama'"), std::string::npos);
}

TEST(Euler2dConfig, DocumentsEveryKeyAndRoundTripsThroughYaml) {
  const std::vector<std::string> lines = config::document<EulerConfig>();
  const auto documented = [&](const std::string& prefix) {
    for (const auto& l : lines)
      if (l.rfind(prefix, 0) == 0) return true;
    return false;
  };
  for (const char* key : {"nx:", "ny:", "lx:", "ly:", "gamma: a number, default 1.4 (a value > 1)",
                          "boundary:", "limiter:", "cfl:", "t_end:", "initial_condition:", "seed:",
                          "quadrants.density_min:", "quadrants.velocity_max:", "vortex.strength:"})
    EXPECT_TRUE(documented(key)) << key;
  EulerConfig cfg;
  cfg.gamma = 1.22;
  cfg.boundary = "open";
  cfg.seed = 123456789012;
  cfg.quadrants.split_min = 0.3;
  const EulerConfig back = config::parse_config<EulerConfig>(
      config::load_yaml_text(config::to_yaml(cfg), "effective.yaml"), "effective.yaml");
  EXPECT_EQ(config::to_yaml(back), config::to_yaml(cfg));
  EXPECT_EQ(back.seed, cfg.seed);
  EXPECT_DOUBLE_EQ(back.gamma, 1.22);
  EXPECT_DOUBLE_EQ(back.quadrants.split_min, 0.3);
}

TEST(Euler2dConfig, CreateRefusesABadConfigBeforeAnyStep) {
  EulerConfig cfg = test::SmallConfig("quadrants", 8, 8);
  cfg.gamma = 1.0;
  EXPECT_THROW(CheckEulerConfig(cfg), InputError);
  std::unique_ptr<EulerSolver> solver;
  PetscPushErrorHandler(PetscReturnErrorHandler, nullptr);
  EXPECT_EQ(EulerSolver::Create(PETSC_COMM_WORLD, cfg, &solver), PETSC_ERR_ARG_OUTOFRANGE);
  cfg.gamma = 1.4;
  cfg.boundary = "reflecting";
  EXPECT_EQ(EulerSolver::Create(PETSC_COMM_WORLD, cfg, &solver), PETSC_ERR_ARG_OUTOFRANGE);
  PetscPopErrorHandler();
  EXPECT_FALSE(solver);
}

TEST(Euler2dLimiter, MinmodAndMonotonizedCentral) {
  EXPECT_DOUBLE_EQ(Minmod(1, 2), 1);
  EXPECT_DOUBLE_EQ(Minmod(-3, -2), -2);
  EXPECT_DOUBLE_EQ(Minmod(-1, 2), 0);
  EXPECT_DOUBLE_EQ(Minmod(0, 2), 0);
  EXPECT_DOUBLE_EQ(MonotonizedCentral(1, 3), 2);      // 2a
  EXPECT_DOUBLE_EQ(MonotonizedCentral(1, 1.2), 1.1);  // central
  EXPECT_DOUBLE_EQ(MonotonizedCentral(-5, -1), -2);   // 2b
  EXPECT_DOUBLE_EQ(MonotonizedCentral(1, -1), 0);
  EXPECT_DOUBLE_EQ(LimitedSlope(Limiter::kMC, 1, 3), 2);
  EXPECT_DOUBLE_EQ(LimitedSlope(Limiter::kMinmod, 1, 3), 1);
}

void ExpectNear(const Conserved& a, const Conserved& b, double tol) {
  const double scale = 1 + std::abs(b.rho) + std::abs(b.mx) + std::abs(b.my) + std::abs(b.E);
  EXPECT_NEAR(a.rho, b.rho, tol * scale);
  EXPECT_NEAR(a.mx, b.mx, tol * scale);
  EXPECT_NEAR(a.my, b.my, tol * scale);
  EXPECT_NEAR(a.E, b.E, tol * scale);
}

TEST(Euler2dHllc, ConsistentWithThePhysicalFlux) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> pos(0.1, 3), vel(-3, 3);
  for (int k = 0; k < 100; ++k) {
    const Primitive w = {pos(rng), vel(rng), vel(rng), pos(rng)};
    ExpectNear(HllcFlux<2, kX>(w, w, 1.4), PhysicalFlux<2, kX>(w, 1.4), 1e-14);
    const Conserved g = PhysicalFlux<2, kX>({w.rho, w.v, w.u, w.p}, 1.4);
    ExpectNear(HllcFlux<2, kY>(w, w, 1.4), {g.rho, g.my, g.mx, g.E}, 1e-14);
  }
}

TEST(Euler2dHllc, ResolvesAStationaryContactAndUpwindsSupersonicFlow) {
  // A contact at rest (equal pressure, zero normal velocity) carries no flux but the pressure.
  const Conserved f = HllcFlux<2, kX>({1.0, 0.0, 0.3, 1.0}, {0.2, 0.0, -0.5, 1.0}, 1.4);
  ExpectNear(f, {0, 1.0, 0, 0}, 1e-15);
  // Supersonic to the right: the left flux; to the left: the right flux.
  const Primitive L = {1.0, 3.0, 0.1, 1.0}, R = {0.5, 2.5, 0.0, 0.8};
  ExpectNear(HllcFlux<2, kX>(L, R, 1.4), PhysicalFlux<2, kX>(L, 1.4), 1e-15);
  const Primitive L2 = {1.0, -3.0, 0.1, 1.0}, R2 = {0.5, -2.5, 0.0, 0.8};
  ExpectNear(HllcFlux<2, kX>(L2, R2, 1.4), PhysicalFlux<2, kX>(R2, 1.4), 1e-15);
  // Mirror symmetry: swapping sides and reversing normal velocities reverses the odd components.
  const Primitive A = {1.0, 0.3, 0.2, 1.0}, B = {0.125, -0.4, 0.1, 0.1};
  const Conserved fab = HllcFlux<2, kX>(A, B, 1.4);
  const Conserved fba = HllcFlux<2, kX>({B.rho, -B.u, B.v, B.p}, {A.rho, -A.u, A.v, A.p}, 1.4);
  ExpectNear(fba, {-fab.rho, fab.mx, -fab.my, -fab.E}, 1e-14);
}

TEST(Euler2dExactRiemann, ReproducesToroStarStates) {
  // Toro, "Riemann Solvers and Numerical Methods for Fluid Dynamics", tests 1-5 (gamma = 1.4):
  // left state, right state, p*, u* as tabulated there (5-6 significant digits).
  struct Case {
    Primitive left, right;
    double p_star, u_star;
  };
  const Case cases[] = {
      {{1.0, 0.0, 0, 1.0}, {0.125, 0.0, 0, 0.1}, 0.30313, 0.92745},
      {{1.0, -2.0, 0, 0.4}, {1.0, 2.0, 0, 0.4}, 0.00189, 0.0},
      {{1.0, 0.0, 0, 1000.0}, {1.0, 0.0, 0, 0.01}, 460.894, 19.5975},
      {{1.0, 0.0, 0, 0.01}, {1.0, 0.0, 0, 100.0}, 46.0950, -6.19633},
      {{5.99924, 19.5975, 0, 460.894}, {5.99242, -6.19633, 0, 46.0950}, 1691.64, 8.68975},
  };
  for (const Case& c : cases) {
    const ExactRiemannSolver rs(c.left, c.right, 1.4);
    EXPECT_NEAR(rs.p_star(), c.p_star, 5e-5 * std::max(1.0, c.p_star) + 5e-6);
    EXPECT_NEAR(rs.u_star(), c.u_star, 5e-5 * std::max(1.0, std::abs(c.u_star)) + 5e-6);
  }
  // Sod: star densities left and right of the contact (Toro: 0.42632 and 0.26557).
  const ExactRiemannSolver sod(SodLeftState(), SodRightState(), 1.4);
  EXPECT_NEAR(sod.Sample(sod.u_star() - 1e-9).rho, 0.42632, 5e-5);
  EXPECT_NEAR(sod.Sample(sod.u_star() + 1e-9).rho, 0.26557, 5e-5);
  EXPECT_DOUBLE_EQ(sod.Sample(-10).rho, 1.0);
  EXPECT_DOUBLE_EQ(sod.Sample(10).rho, 0.125);
  // Vacuum-generating data are refused.
  EXPECT_THROW(ExactRiemannSolver<2>({1, -10, 0, 0.1}, {1, 10, 0, 0.1}, 1.4), Error);
}

TEST(Euler2dQuadrants, TheSeedAloneFixesTheProblem) {
  EulerConfig cfg = test::SmallConfig("quadrants", 32, 32);
  cfg.lx = 2;
  cfg.seed = 11;
  const QuadrantProblem a = DrawQuadrants(cfg), b = DrawQuadrants(cfg);
  cfg.seed = 12;
  const QuadrantProblem c = DrawQuadrants(cfg);
  EXPECT_EQ(a.x0, b.x0);
  EXPECT_EQ(a.y0, b.y0);
  EXPECT_NE(a.x0, c.x0);
  const QuadrantRanges& r = cfg.quadrants;
  EXPECT_GE(a.x0, r.split_min * 2);
  EXPECT_LE(a.x0, r.split_max * 2);
  EXPECT_GE(a.y0, r.split_min * 1);
  EXPECT_LE(a.y0, r.split_max * 1);
  for (int q = 0; q < 4; ++q) {
    EXPECT_EQ(a.state[q].rho, b.state[q].rho);
    EXPECT_EQ(a.state[q].p, b.state[q].p);
    EXPECT_GE(a.state[q].rho, r.density_min);
    EXPECT_LE(a.state[q].rho, r.density_max);
    EXPECT_GE(a.state[q].p, r.pressure_min);
    EXPECT_LE(a.state[q].p, r.pressure_max);
    EXPECT_LE(std::abs(a.state[q].u), r.velocity_max);
    EXPECT_LE(std::abs(a.state[q].v), r.velocity_max);
  }
  EXPECT_EQ(a.At(0.0, 0.0).rho, a.state[0].rho);
  EXPECT_EQ(a.At(1.99, 0.0).rho, a.state[1].rho);
  EXPECT_EQ(a.At(0.0, 0.99).rho, a.state[2].rho);
  EXPECT_EQ(a.At(1.99, 0.99).rho, a.state[3].rho);
}

// A uniform moving state must stay exactly uniform with open boundaries: the zero-gradient ghosts
// make the boundary fluxes equal to the interior ones.
TEST(Euler2dBoundaries, OpenBoundariesKeepAUniformFlowUniform) {
  EulerConfig cfg = test::SmallConfig("quadrants", 12, 10);
  cfg.boundary = "open";
  std::unique_ptr<EulerSolver> solver;
  ASSERT_NO_FATAL_FAILURE(MakeSolver(PETSC_COMM_WORLD, cfg, &solver));
  data::Block block;
  ASSERT_EQ(solver->GetBlock(&block), 0);
  const size_t cells = size_t(block.cells());
  const Conserved c = ToConserved(Primitive{0.7, 0.4, -0.9, 1.3}, cfg.gamma);
  std::vector<float> momentum(2 * cells);
  for (size_t k = 0; k < cells; ++k) {
    momentum[2 * k] = float(c.mx);
    momentum[2 * k + 1] = float(c.my);
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
TEST(Euler2dTimeStepper, OneStepIsTheShuOsherScheme) {
  EulerConfig cfg = test::SmallConfig("quadrants", 16, 16);
  cfg.seed = 5;
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
  // It is a real step: the state moved.
  VecAXPY(U0, -1, solver->solution());
  VecNorm(U0, NORM_INFINITY, &diff);
  EXPECT_GT(diff, 1e-4 * scale);
  for (Vec* v : {&U0, &U1, &U2, &L}) VecDestroy(v);
}

TEST(Euler2dSolver, DescribesItselfInTheWellsTerms) {
  EulerConfig cfg = test::SmallConfig("quadrants", 16, 8);
  cfg.gamma = 1.597;
  cfg.boundary = "open";
  cfg.lx = 2;
  // PETSc options with the solver's prefix override the configured grid.
  PetscOptionsSetValue(nullptr, "-describe_da_grid_x", "20");
  std::unique_ptr<EulerSolver> solver;
  ASSERT_EQ(EulerSolver::Create(PETSC_COMM_WORLD, cfg, &solver, "describe_"), 0);
  PetscOptionsClearValue(nullptr, "-describe_da_grid_x");
  EXPECT_EQ(solver->nx(), 20);
  EXPECT_EQ(solver->ny(), 8);
  EXPECT_DOUBLE_EQ(solver->dx(), 0.1);
  EXPECT_EQ(solver->dataset_name(), "euler_multi_quadrants_openBC");
  const auto axes = solver->axes();
  ASSERT_EQ(axes.size(), 2u);
  EXPECT_EQ(axes[0].name, "x");
  EXPECT_EQ(axes[0].size, 20);
  EXPECT_EQ(axes[0].bc_type, "open");
  EXPECT_DOUBLE_EQ(axes[0].coords.front(), 0.05);
  EXPECT_DOUBLE_EQ(axes[0].coords.back(), 1.95);
  EXPECT_EQ(axes[1].name, "y");
  EXPECT_DOUBLE_EQ(axes[1].coords[1], 1.5 / 8);
  const auto fields = solver->well_fields();
  ASSERT_EQ(fields.size(), 4u);
  EXPECT_EQ(fields[0].name, "energy");
  EXPECT_EQ(fields[1].name, "density");
  EXPECT_EQ(fields[2].name, "pressure");
  EXPECT_EQ(fields[3].name, "momentum");
  EXPECT_EQ(fields[3].order, 1);
  const auto params = solver->parameters();
  ASSERT_EQ(params.size(), 1u);
  EXPECT_EQ(params[0].first, "gamma");
  EXPECT_DOUBLE_EQ(params[0].second, 1.597);
  std::vector<float> out;
  PetscPushErrorHandler(PetscReturnErrorHandler, nullptr);
  EXPECT_EQ(solver->ExtractWellField("velocity", &out), PETSC_ERR_ARG_UNKNOWN_TYPE);
  EXPECT_EQ(solver->Advance(-1), PETSC_ERR_ARG_OUTOFRANGE);
  PetscPopErrorHandler();
}

}  // namespace
}  // namespace leap::euler2d
