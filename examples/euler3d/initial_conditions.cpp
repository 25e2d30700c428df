#include "euler3d/initial_conditions.h"

#include <cmath>

#include "euler/cell_average.h"
#include "euler/cell_box.h"

namespace leap::euler3d {

using euler::Conserved;
using euler::Primitive;

euler::OrthantProblem<3> DrawOctants(const EulerConfig& cfg) {
  return euler::DrawOrthants<3>(cfg.octants, cfg.seed, {cfg.lx, cfg.ly, cfg.lz});
}

Primitive<3> SodLowerState() {
  return {1.0, 0.0, 0.0, 0.0, 1.0};
}
Primitive<3> SodUpperState() {
  return {0.125, 0.0, 0.0, 0.0, 0.1};
}

Primitive<3> DensityWave(const EulerConfig& cfg, const Point& x, PetscReal t) {
  const DensityWaveParameters& d = cfg.density_wave;
  const PetscReal phase =
      d.kx * (x[0] - d.u * t) / cfg.lx + d.ky * (x[1] - d.v * t) / cfg.ly + d.kz * (x[2] - d.w * t) / cfg.lz;
  return {d.density * (1 + d.amplitude * std::sin(2 * PETSC_PI * phase)), d.u, d.v, d.w, d.pressure};
}

Primitive<3> TaylorGreen(const EulerConfig& cfg, const Point& x) {
  const TaylorGreenParameters& tg = cfg.taylor_green;
  const PetscReal V0 = tg.velocity, rho0 = tg.density;
  const PetscReal p0 = rho0 * V0 * V0 / (cfg.gamma * tg.mach * tg.mach);
  const PetscReal a = 2 * PETSC_PI * x[0] / cfg.lx, b = 2 * PETSC_PI * x[1] / cfg.ly,
                  c = 2 * PETSC_PI * x[2] / cfg.lz;
  const PetscReal p = p0 + rho0 * V0 * V0 / 16 * (std::cos(2 * a) + std::cos(2 * b)) * (std::cos(2 * c) + 2);
  return {rho0 * p / p0, V0 * std::sin(a) * std::cos(b) * std::cos(c),
          -V0 * std::cos(a) * std::sin(b) * std::cos(c), 0.0, p};
}

PetscReal BlastVolumeFraction(const EulerConfig& cfg, const Point& xc, const Point& h) {
  const Point centre = {0.5 * cfg.lx, 0.5 * cfg.ly, 0.5 * cfg.lz};
  const PetscReal r2 = cfg.blast.radius * cfg.blast.radius;
  constexpr int kSamples = 4;
  int inside = 0;
  for (int a = 0; a < kSamples; ++a)
    for (int b = 0; b < kSamples; ++b)
      for (int c = 0; c < kSamples; ++c) {
        const PetscReal dx = xc[0] + ((a + 0.5) / kSamples - 0.5) * h[0] - centre[0];
        const PetscReal dy = xc[1] + ((b + 0.5) / kSamples - 0.5) * h[1] - centre[1];
        const PetscReal dz = xc[2] + ((c + 0.5) / kSamples - 0.5) * h[2] - centre[2];
        if (dx * dx + dy * dy + dz * dz < r2) ++inside;
      }
  return PetscReal(inside) / (kSamples * kSamples * kSamples);
}

PetscErrorCode SetInitialCondition(DM da, Vec U, const EulerConfig& cfg, const Point& h) {
  euler::CellBox b;
  PetscScalar* a;
  PetscFunctionBeginUser;
  const std::string& ic = cfg.initial_condition;
  PetscCheck(
      ic == "octants" || ic == "blast" || ic == "taylor_green" || ic == "sod" || ic == "density_wave",
      PetscObjectComm((PetscObject)da), PETSC_ERR_ARG_UNKNOWN_TYPE,
      "Euler3d: unknown initial condition '%s' (expected octants, blast, taylor_green, sod or density_wave)",
      ic.c_str());
  PetscCall(euler::GetCellBox(da, &b));
  PetscCheck(b.dim == 3, PetscObjectComm((PetscObject)da), PETSC_ERR_ARG_WRONG,
             "Euler3d: a 3-D DMDA is needed");
  const euler::OrthantProblem<3> octants = DrawOctants(cfg);  // the same draws on every rank
  const int sod_axis = cfg.sod.index();
  const PetscReal sod_middle = 0.5 * (sod_axis == 0 ? cfg.lx : sod_axis == 1 ? cfg.ly : cfg.lz);
  const auto wave = [&cfg](const Point& x) { return DensityWave(cfg, x, 0); };
  const auto vortex = [&cfg](const Point& x) { return TaylorGreen(cfg, x); };
  PetscCall(VecGetArray(U, &a));
  auto* u = reinterpret_cast<Conserved<3>*>(a);
  for (PetscInt k = b.s[2]; k < b.s[2] + b.m[2]; ++k)
    for (PetscInt j = b.s[1]; j < b.s[1] + b.m[1]; ++j)
      for (PetscInt i = b.s[0]; i < b.s[0] + b.m[0]; ++i) {
        const Point x = {(i + 0.5) * h[0], (j + 0.5) * h[1], (k + 0.5) * h[2]};
        Conserved<3>& c = u[b.Owned(i, j, k)];
        if (ic == "density_wave") {
          c = euler::CellAverage<3>(wave, x, h, cfg.gamma);
        } else if (ic == "taylor_green") {
          c = euler::CellAverage<3>(vortex, x, h, cfg.gamma);
        } else if (ic == "blast") {
          const PetscReal f = BlastVolumeFraction(cfg, x, h);
          const PetscReal p = f * cfg.blast.pressure_inside + (1 - f) * cfg.blast.pressure_outside;
          c = euler::ToConserved<3>({cfg.blast.density, 0.0, 0.0, 0.0, p}, cfg.gamma);
        } else if (ic == "sod") {
          c = euler::ToConserved(x[size_t(sod_axis)] < sod_middle ? SodLowerState() : SodUpperState(),
                                 cfg.gamma);
        } else {
          c = euler::ToConserved(octants.At(x), cfg.gamma);
        }
      }
  PetscCall(VecRestoreArray(U, &a));
  PetscFunctionReturn(0);
}

}  // namespace leap::euler3d
