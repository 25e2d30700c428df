#include "euler2d/initial_conditions.h"

#include <cmath>
#include <random>

namespace leap::euler2d {
namespace {

// A double uniform in [0, 1) from the top 53 bits of one draw: the same on every platform (unlike
// std::uniform_real_distribution, whose algorithm the standard leaves open).
PetscReal Uniform01(std::mt19937_64& rng) {
  return PetscReal(rng() >> 11) * 0x1.0p-53;
}
PetscReal Uniform(std::mt19937_64& rng, PetscReal lo, PetscReal hi) {
  return lo + (hi - lo) * Uniform01(rng);
}

}  // namespace

QuadrantProblem DrawQuadrants(const EulerConfig& cfg) {
  const QuadrantRanges& r = cfg.quadrants;
  std::mt19937_64 rng(static_cast<std::uint64_t>(cfg.seed));
  QuadrantProblem q;
  q.x0 = cfg.lx * Uniform(rng, r.split_min, r.split_max);
  q.y0 = cfg.ly * Uniform(rng, r.split_min, r.split_max);
  for (Primitive& w : q.state) {
    w.rho = Uniform(rng, r.density_min, r.density_max);
    w.p = Uniform(rng, r.pressure_min, r.pressure_max);
    w.u = Uniform(rng, -r.velocity_max, r.velocity_max);
    w.v = Uniform(rng, -r.velocity_max, r.velocity_max);
  }
  return q;
}

Primitive SodLeftState() {
  return {1.0, 0.0, 0.0, 1.0};
}
Primitive SodRightState() {
  return {0.125, 0.0, 0.0, 0.1};
}

Primitive IsentropicVortex(const EulerConfig& cfg, PetscReal x, PetscReal y, PetscReal t) {
  const PetscReal g = cfg.gamma, beta = cfg.vortex.strength;
  const PetscReal xc = 0.5 * cfg.lx + cfg.vortex.u_inf * t, yc = 0.5 * cfg.ly + cfg.vortex.v_inf * t;
  PetscReal rx = x - xc, ry = y - yc;
  rx -= cfg.lx * std::round(rx / cfg.lx);  // nearest periodic image
  ry -= cfg.ly * std::round(ry / cfg.ly);
  const PetscReal r2 = rx * rx + ry * ry;
  const PetscReal e = std::exp(0.5 * (1 - r2));
  const PetscReal amp = beta / (2 * PETSC_PI);
  const PetscReal T = 1 - (g - 1) * beta * beta / (8 * g * PETSC_PI * PETSC_PI) * e * e;
  const PetscReal rho = std::pow(T, 1 / (g - 1));
  return {rho, cfg.vortex.u_inf - amp * e * ry, cfg.vortex.v_inf + amp * e * rx, rho * T};
}

Conserved CellAverage(const std::function<Primitive(PetscReal, PetscReal)>& field, PetscReal xc, PetscReal yc,
                      PetscReal dx, PetscReal dy, PetscReal gamma) {
  const PetscReal node[3] = {-std::sqrt(0.6), 0.0, std::sqrt(0.6)};
  const PetscReal weight[3] = {5.0 / 18, 8.0 / 18, 5.0 / 18};  // on [-1/2, 1/2]
  Conserved avg = {0, 0, 0, 0};
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 3; ++b) {
      const Conserved c = ToConserved(field(xc + 0.5 * dx * node[a], yc + 0.5 * dy * node[b]), gamma);
      const PetscReal w = weight[a] * weight[b];
      avg.rho += w * c.rho;
      avg.mx += w * c.mx;
      avg.my += w * c.my;
      avg.E += w * c.E;
    }
  return avg;
}

PetscErrorCode SetInitialCondition(DM da, Vec U, const EulerConfig& cfg, PetscReal dx, PetscReal dy) {
  PetscInt xs, ys, xm, ym;
  Conserved** u;
  PetscFunctionBeginUser;
  PetscCheck(cfg.initial_condition == "quadrants" || cfg.initial_condition == "sod" ||
                 cfg.initial_condition == "vortex",
             PetscObjectComm((PetscObject)da), PETSC_ERR_ARG_UNKNOWN_TYPE,
             "Euler2d: unknown initial condition '%s' (expected quadrants, sod or vortex)",
             cfg.initial_condition.c_str());
  PetscCall(DMDAGetCorners(da, &xs, &ys, nullptr, &xm, &ym, nullptr));
  const QuadrantProblem quadrants = DrawQuadrants(cfg);  // the same draws on every rank
  const auto vortex = [&cfg](PetscReal x, PetscReal y) { return IsentropicVortex(cfg, x, y, 0); };
  PetscCall(DMDAVecGetArray(da, U, &u));
  for (PetscInt j = ys; j < ys + ym; ++j)
    for (PetscInt i = xs; i < xs + xm; ++i) {
      const PetscReal x = (i + 0.5) * dx, y = (j + 0.5) * dy;
      if (cfg.initial_condition == "vortex") {
        u[j][i] = CellAverage(vortex, x, y, dx, dy, cfg.gamma);
      } else if (cfg.initial_condition == "sod") {
        u[j][i] = ToConserved(x < 0.5 * cfg.lx ? SodLeftState() : SodRightState(), cfg.gamma);
      } else {
        u[j][i] = ToConserved(quadrants.At(x, y), cfg.gamma);
      }
    }
  PetscCall(DMDAVecRestoreArray(da, U, &u));
  PetscFunctionReturn(0);
}

}  // namespace leap::euler2d
