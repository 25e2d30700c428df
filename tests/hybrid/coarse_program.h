// The small periodic advection program of the coarse-guidance tests (test_ts_leap_coarse,
// test_ts_post_step_coarse) and the by-hand reference of a coarse-only leap: the program of
// advection_program.h on a 16 x 12 DMDA (periodic unless told) with dofs u, v, RK 3BS with a fixed step
// kDt, its RHS taking its grid from the TS's DM (so it runs unchanged on DMCoarsen of its DMDA); the
// whole state of a one-rank DMDA as a tensor; the leap made by hand (block-mean restriction, the
// program's integrator on the coarsened DMDA, bilinear interpolation back); and the relative max
// difference of each rank's block from a whole-grid reference.
#pragma once

#include <ATen/ATen.h>
#include <petscdmda.h>
#include <petscts.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "advection_program.h"
#include "leap/petsc/dmda_layout.h"

namespace leap::test::coarse {

constexpr PetscInt kNx = 16, kNy = 12, kDof = 2;
constexpr PetscInt kFactor = 2;
constexpr PetscReal kDt = 0.01;
constexpr PetscInt kSolverFrames = 2, kLeapFrames = 4;
constexpr PetscReal kOffset = 3;

// The program's RHS on the grid of the TS's own DM (the coarse TS's is the coarsened DMDA): a program
// whose functions take their grid from the TS's DM runs unchanged on the coarse grid.
inline PetscErrorCode RHSOnItsDM(TS ts, PetscReal t, Vec U, Vec F, void* ctx) {
  Advection a = *static_cast<const Advection*>(ctx);
  PetscFunctionBeginUser;
  PetscCall(TSGetDM(ts, &a.da));
  PetscCall(AdvectionRHS(ts, t, U, F, &a));
  PetscFunctionReturn(0);
}

// The program's integrator (RK 3BS, fixed step kDt) on `da` with state `u`, ending its runs as
// `exact_final_time` says.
inline PetscErrorCode CreateTS(DM da, Advection* physics, Vec u, PetscInt max_steps,
                               TSExactFinalTimeOption exact_final_time, TS* ts) {
  TSAdapt adapt;
  PetscFunctionBeginUser;
  PetscCall(TSCreate(PetscObjectComm((PetscObject)da), ts));
  PetscCall(TSSetDM(*ts, da));
  PetscCall(TSSetProblemType(*ts, TS_NONLINEAR));
  PetscCall(TSSetRHSFunction(*ts, nullptr, RHSOnItsDM, physics));
  PetscCall(TSSetType(*ts, TSRK));
  PetscCall(TSRKSetType(*ts, TSRK3BS));
  PetscCall(TSGetAdapt(*ts, &adapt));
  PetscCall(TSAdaptSetType(adapt, TSADAPTNONE));
  PetscCall(TSSetTime(*ts, 0.0));
  PetscCall(TSSetTimeStep(*ts, kDt));
  PetscCall(TSSetMaxSteps(*ts, max_steps));
  PetscCall(TSSetMaxTime(*ts, 1e6));
  PetscCall(TSSetExactFinalTime(*ts, exact_final_time));
  PetscCall(TSSetSolution(*ts, u));
  PetscFunctionReturn(0);
}

// The program on `comm`: a 2-D DMDA (periodic unless told) with dofs u, v, its initial state and TS.
struct Program {
  Advection physics;
  TS ts = nullptr;
  Vec u = nullptr;

  PetscErrorCode Create(MPI_Comm comm, PetscInt max_steps, TSExactFinalTimeOption exact_final_time,
                        DMBoundaryType bx = DM_BOUNDARY_PERIODIC) {
    PetscFunctionBeginUser;
    PetscCall(DMDACreate2d(comm, bx, DM_BOUNDARY_PERIODIC, DMDA_STENCIL_STAR, kNx, kNy, PETSC_DECIDE,
                           PETSC_DECIDE, kDof, 1, nullptr, nullptr, &physics.da));
    PetscCall(DMSetUp(physics.da));
    PetscCall(DMDASetFieldName(physics.da, 0, "u"));
    PetscCall(DMDASetFieldName(physics.da, 1, "v"));
    PetscCall(DMCreateGlobalVector(physics.da, &u));
    PetscCall(AdvectionInitialState(physics.da, 0, kOffset, u));
    PetscCall(CreateTS(physics.da, &physics, u, max_steps, exact_final_time, &ts));
    PetscFunctionReturn(0);
  }

  ~Program() {
    TSDestroy(&ts);
    VecDestroy(&u);
    DMDestroy(&physics.da);
  }

  // This rank's block as [dof][x][y] (The Well's order per field) and its box.
  PetscErrorCode Fields(std::vector<std::vector<float>>* fields, leap::data::Block* block) const {
    PetscFunctionBeginUser;
    fields->resize(kDof);
    for (PetscInt d = 0; d < kDof; ++d)
      PetscCall(leap::petsc::LeapDMDACopyToWellOrder(physics.da, u, {d}, &(*fields)[size_t(d)]));
    PetscCall(leap::petsc::LeapDMDAGetBlock(physics.da, block));
    PetscFunctionReturn(0);
  }
};

// The whole state of a DMDA on PETSC_COMM_SELF as a [dof, x, y] double tensor, and back.
inline at::Tensor WholeState(DM da, Vec u) {
  PetscInt nx, ny;
  DMDAGetInfo(da, nullptr, &nx, &ny, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
              nullptr, nullptr);
  at::Tensor t = at::empty({kDof, nx, ny}, at::kDouble);
  auto a = t.accessor<double, 3>();
  const PetscScalar* v;
  VecGetArrayRead(u, &v);
  for (PetscInt j = 0; j < ny; ++j)  // the DMDA's order: [y][x][dof]
    for (PetscInt i = 0; i < nx; ++i)
      for (PetscInt d = 0; d < kDof; ++d) a[d][i][j] = PetscRealPart(v[(j * nx + i) * kDof + d]);
  VecRestoreArrayRead(u, &v);
  return t;
}

inline void SetWholeState(DM da, const at::Tensor& state, Vec u) {
  PetscInt nx, ny;
  DMDAGetInfo(da, nullptr, &nx, &ny, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
              nullptr, nullptr);
  auto a = state.accessor<double, 3>();
  PetscScalar* v;
  VecGetArray(u, &v);
  for (PetscInt j = 0; j < ny; ++j)
    for (PetscInt i = 0; i < nx; ++i)
      for (PetscInt d = 0; d < kDof; ++d) v[(j * nx + i) * kDof + d] = a[d][i][j];
  VecRestoreArray(u, &v);
}

// By hand, on this rank alone, the program's TSs ending their runs as `exact_final_time` says: the
// solver's state after kSolverFrames steps (float32, as the leap observes it), restricted by kFactor x
// kFactor block means, the program's integrator on DMCoarsen of its DMDA over kLeapFrames frames,
// interpolated bilinearly to the fine grid. Also the fine solver's state after `fine_steps` steps (the
// step the leap lands on). Both [dof, x, y]. The fine TS is made for `max_steps` steps.
inline PetscErrorCode ByHand(TSExactFinalTimeOption exact_final_time, PetscInt max_steps, PetscInt fine_steps,
                             at::Tensor* coarse_leap, at::Tensor* fine) {
  Program p;
  DM cda = nullptr;
  Vec cu = nullptr;
  TS cts = nullptr;
  PetscFunctionBeginUser;
  PetscCall(p.Create(PETSC_COMM_SELF, max_steps, exact_final_time));
  PetscCall(TSSetUp(p.ts));
  for (PetscInt s = 0; s < kSolverFrames; ++s) PetscCall(TSStep(p.ts));
  const at::Tensor observed = WholeState(p.physics.da, p.u).to(at::kFloat).to(at::kDouble);
  const at::Tensor restricted =
      observed.reshape({kDof, kNx / kFactor, kFactor, kNy / kFactor, kFactor}).mean({2, 4}).to(at::kFloat);
  for (PetscInt s = kSolverFrames; s < fine_steps; ++s) PetscCall(TSStep(p.ts));
  *fine = WholeState(p.physics.da, p.u);

  PetscCall(DMCoarsen(p.physics.da, PETSC_COMM_SELF, &cda));
  PetscCall(DMCreateGlobalVector(cda, &cu));
  SetWholeState(cda, restricted.to(at::kDouble), cu);
  PetscCall(CreateTS(cda, &p.physics, cu, kLeapFrames, exact_final_time, &cts));
  PetscCall(TSSetTime(cts, PetscReal(kSolverFrames) * kDt));
  PetscCall(TSSetUp(cts));
  for (PetscInt s = 0; s < kLeapFrames; ++s) PetscCall(TSStep(cts));
  const at::Tensor last = WholeState(cda, cu).to(at::kFloat).to(at::kDouble).unsqueeze(0);
  *coarse_leap = at::upsample_bilinear2d(last, {kNx, kNy}, /*align_corners=*/false).squeeze(0).to(at::kFloat);
  PetscCall(TSDestroy(&cts));
  PetscCall(VecDestroy(&cu));
  PetscCall(DMDestroy(&cda));
  PetscFunctionReturn(0);
}

// max |a - ref| / max |ref| over the whole grid: each rank compares its block of `got` with `ref`.
inline double RelativeMaxDifference(const std::vector<std::vector<float>>& got,
                                    const leap::data::Block& block, const at::Tensor& ref) {
  const at::Tensor ref64 = ref.to(at::kDouble);
  auto r = ref64.accessor<double, 3>();
  double m[2] = {0, 0};
  for (int64_t d = 0; d < kDof; ++d)
    for (int64_t i = 0; i < block.count[0]; ++i)
      for (int64_t j = 0; j < block.count[1]; ++j) {
        const double want = r[d][block.start[0] + i][block.start[1] + j];
        const double have = got[size_t(d)][size_t(i * block.count[1] + j)];
        m[0] = std::max(m[0], std::abs(have - want));
        m[1] = std::max(m[1], std::abs(want));
      }
  MPI_Allreduce(MPI_IN_PLACE, m, 2, MPI_DOUBLE, MPI_MAX, PETSC_COMM_WORLD);
  return m[0] / m[1];
}

// The program's solver-only trajectory over `steps` steps, written to `path` as the oracle dataset of a
// hybrid run (hybrid mode needs an emulator; a coarse_only leap does not ask it). Collective.
inline PetscErrorCode WriteSolverTrajectory(const std::string& path, PetscInt steps,
                                            TSExactFinalTimeOption exact_final_time) {
  Program p;
  PetscReal t = 0;
  PetscFunctionBeginUser;
  PetscCall(p.Create(PETSC_COMM_WORLD, steps, exact_final_time));
  PetscCall(TSSetUp(p.ts));
  TrajectoryFile out(path, kNx, kNy);
  PetscCall(out.Write(p.physics.da, 0, 0, p.u));
  for (PetscInt s = 1; s <= steps; ++s) {
    PetscCall(TSStep(p.ts));
    PetscCall(TSGetTime(p.ts, &t));
    PetscCall(out.Write(p.physics.da, s, t, p.u));
  }
  out.Finish();
  PetscFunctionReturn(0);
}

}  // namespace leap::test::coarse
