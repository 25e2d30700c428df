#include "euler2d/initial_conditions.h"

#include <cmath>

#include "euler/cell_average.h"
#include "euler/riemann_states.h"

namespace leap::euler2d {

QuadrantProblem DrawQuadrants(const EulerConfig& cfg) {
  const euler::OrthantProblem<2> drawn = euler::DrawOrthants<2>(cfg.quadrants, cfg.seed, {cfg.lx, cfg.ly});
  QuadrantProblem q;
  q.x0 = drawn.split[0];
  q.y0 = drawn.split[1];
  q.state = drawn.state;
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
  return euler::CellAverage<2>([&field](const std::array<PetscReal, 2>& x) { return field(x[0], x[1]); },
                               {xc, yc}, {dx, dy}, gamma);
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
  const auto vortex = [&cfg](const std::array<PetscReal, 2>& x) {
    return IsentropicVortex(cfg, x[0], x[1], 0);
  };
  PetscCall(DMDAVecGetArray(da, U, &u));
  for (PetscInt j = ys; j < ys + ym; ++j)
    for (PetscInt i = xs; i < xs + xm; ++i) {
      const PetscReal x = (i + 0.5) * dx, y = (j + 0.5) * dy;
      if (cfg.initial_condition == "vortex") {
        u[j][i] = euler::CellAverage<2>(vortex, {x, y}, {dx, dy}, cfg.gamma);
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
