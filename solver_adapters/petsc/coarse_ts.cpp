// The coarse copy of a program's TS for solver guidance, and the program's integrator on a DM sharing
// its DMTS (see coarse_ts.h).
#include "coarse_ts.h"

#include <petsc/private/tsimpl.h>
#include <petscdmda.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "adapter_support.h"
#include "leap/petsc/dmda_layout.h"

namespace leap::petsc {
namespace {

// The method of `from` (a TS of the same type as `to`: its Butcher table, theta, order, ...), for the
// types whose method PETSc lets us read back; others keep their type's default (or the options').
PetscErrorCode CopyMethod(TS from, TS to, const std::string& type) {
  PetscFunctionBeginUser;
  if (type == TSRK) {
    TSRKType t;
    PetscCall(TSRKGetType(from, &t));
    PetscCall(TSRKSetType(to, t));
  } else if (type == TSARKIMEX) {
    TSARKIMEXType t;
    PetscCall(TSARKIMEXGetType(from, &t));
    PetscCall(TSARKIMEXSetType(to, t));
  } else if (type == TSROSW) {
    TSRosWType t;
    PetscCall(TSRosWGetType(from, &t));
    PetscCall(TSRosWSetType(to, t));
  } else if (type == TSSSP) {
    TSSSPType t;
    PetscInt stages;
    PetscCall(TSSSPGetType(from, &t));
    PetscCall(TSSSPGetNumStages(from, &stages));
    PetscCall(TSSSPSetType(to, t));
    PetscCall(TSSSPSetNumStages(to, stages));
  } else if (type == TSGLEE) {
    TSGLEEType t;
    PetscCall(TSGLEEGetType(from, &t));
    PetscCall(TSGLEESetType(to, t));
  } else if (type == TSBDF) {
    PetscInt order;
    PetscCall(TSBDFGetOrder(from, &order));
    PetscCall(TSBDFSetOrder(to, order));
  } else if (type == TSTHETA) {
    PetscReal theta;
    PetscBool endpoint;
    PetscCall(TSThetaGetTheta(from, &theta));
    PetscCall(TSThetaGetEndpoint(from, &endpoint));
    PetscCall(TSThetaSetTheta(to, theta));
    PetscCall(TSThetaSetEndpoint(to, endpoint));
  }
  PetscFunctionReturn(0);
}

}  // namespace

PetscErrorCode LeapCreateIntegrator(TS ts, DM dm, Vec u, PetscReal dt, const IntegratorSpec& spec, TS* out) {
  MPI_Comm comm = PetscObjectComm((PetscObject)ts);
  const bool fine = u == ts->vec_sol;  // a fine copy shares the program's solution vector
  const char* prefix = nullptr;
  void* user = nullptr;
  PetscReal atol, rtol;
  Vec vatol, vrtol;
  TSAdapt adapt;
  SNES snes;
  TS t;
  PetscFunctionBeginUser;
  PetscCall(TSCreate(comm, out));
  t = *out;
  PetscCall(PetscObjectIncrementTabLevel((PetscObject)t, (PetscObject)ts, 1));
  PetscCall(TSGetOptionsPrefix(ts, &prefix));
  PetscCall(TSSetOptionsPrefix(t, prefix));
  PetscCall(TSSetDM(t, dm));
  PetscCall(TSGetApplicationContext(ts, &user));
  PetscCall(TSSetApplicationContext(t, user));
  PetscCall(TSSetProblemType(t, ts->problem_type));
  PetscCall(TSSetEquationType(t, ts->equation_type));
  PetscCall(TSSetFunctionDomainError(t, ts->functiondomainerror));
  PetscCall(TSGetTolerances(ts, &atol, &vatol, &rtol, &vrtol));
  // Vector tolerances are of the fine grid; the coarse TS keeps the scalar ones.
  if (fine)
    PetscCall(TSSetTolerances(t, atol, vatol, rtol, vrtol));
  else
    PetscCall(TSSetTolerances(t, atol, nullptr, rtol, nullptr));
  // The program's Jacobian matrices (of the fine grid): RHS ones are kept by the TS, the others by its
  // SNES.
  if (fine && (ts->Arhs || ts->Brhs)) {
    TSRHSJacobian f = nullptr;
    void* ctx = nullptr;
    PetscCall(DMTSGetRHSJacobian(dm, &f, &ctx));
    PetscCall(TSSetRHSJacobian(t, ts->Arhs, ts->Brhs, f, ctx));
  }
  if (fine && ts->snes) {
    Mat A = nullptr, P = nullptr;
    PetscCall(SNESGetJacobian(ts->snes, &A, &P, nullptr, nullptr));
    if (A || P) {
      PetscCall(TSGetSNES(t, &snes));
      PetscCall(SNESSetJacobian(snes, A, P, nullptr, nullptr));
    }
  }
  PetscCall(TSSetType(t, spec.type.c_str()));
  if (spec.method_from) PetscCall(CopyMethod(spec.method_from, t, spec.type));
  if (spec.from_options) {
    // The integrator's own options (-ts_rosw_type, -ts_theta_theta, ...) under the program's prefix:
    // -ts_type and -ts_adapt_* are the program TS's (TSSetFromOptions is not called).
    PetscObjectOptionsBegin((PetscObject)t);
    PetscTryTypeMethod(t, setfromoptions, PetscOptionsObject);
    PetscOptionsEnd();
  }
  if (spec.from_options || spec.snes_from_options) {
    PetscCall(TSGetSNES(t, &snes));
    if (ts->problem_type == TS_LINEAR) PetscCall(SNESSetType(snes, SNESKSPONLY));
    PetscCall(SNESSetFromOptions(snes));
  }
  PetscCall(TSGetAdapt(t, &adapt));
  PetscCall(TSAdaptSetType(adapt, TSADAPTNONE));
  PetscCall(TSSetErrorIfStepFails(t, PETSC_FALSE));
  PetscCall(TSSetMaxSNESFailures(t, ts->max_snes_failures));
  PetscCall(TSSetMaxStepRejections(t, ts->max_reject));
  PetscCall(TSSetExactFinalTime(t, TS_EXACTFINALTIME_STEPOVER));
  // The coarse TS runs a leap's interval (its max time, set for each), not stopped by the program's limits.
  PetscCall(TSSetMaxTime(t, ts->max_time));
  PetscCall(TSSetMaxSteps(t, fine ? ts->max_steps : PETSC_MAX_INT));
  PetscCall(TSSetSolution(t, u));
  PetscCall(TSSetTime(t, ts->ptime));
  PetscCall(TSSetTimeStep(t, dt));
  PetscCall(TSSetUp(t));
  PetscFunctionReturn(0);
}

CoarseTS::~CoarseTS() {
  // Errors cannot leave a destructor; Destroy() is the checked way.
  TSDestroy(&ts_);
  VecDestroy(&u_);
  DMDestroy(&dm_);
}

PetscErrorCode CoarseTS::Destroy() {
  PetscFunctionBeginUser;
  PetscCall(TSDestroy(&ts_));
  PetscCall(VecDestroy(&u_));
  PetscCall(DMDestroy(&dm_));
  factor_ = 0;
  dof_ = 0;
  PetscFunctionReturn(0);
}

PetscErrorCode CoarseTS::Check(TS ts, DM dm, const std::string& guidance, int64_t factor, const char* route) {
  MPI_Comm comm = PetscObjectComm((PetscObject)ts);
  const PetscInt k = PetscInt(factor);
  PetscInt dim, size[3];
  DMBoundaryType b[3];
  PetscFunctionBeginUser;
  if (guidance == "off") PetscFunctionReturn(0);
  PetscCall(DMDAGetInfo(dm, &dim, &size[0], &size[1], &size[2], nullptr, nullptr, nullptr, nullptr, nullptr,
                        &b[0], &b[1], &b[2], nullptr));
  PetscCheck(k >= 2 && (k & (k - 1)) == 0, comm, PETSC_ERR_USER_INPUT,
             "LEAP: -leap_guidance %s with %s coarsens the program's DMDA by DMCoarsen, which halves "
             "each axis: expected -leap_coarse_factor a power of 2, found %" PetscInt_FMT,
             guidance.c_str(), route, k);
  for (PetscInt d = 0; d < dim; ++d) {
    const char axis = "xyz"[d];
    PetscCheck(b[d] == DM_BOUNDARY_PERIODIC, comm, PETSC_ERR_SUP,
               "LEAP: -leap_guidance %s with %s coarsens the program's DMDA by DMCoarsen: expected "
               "every axis periodic, found the %c axis %s",
               guidance.c_str(), route, axis, DMBoundaryTypes[b[d]]);
    PetscCheck(size[d] % k == 0, comm, PETSC_ERR_USER_INPUT,
               "LEAP: -leap_guidance %s: expected -leap_coarse_factor %" PetscInt_FMT
               " to divide every axis of the DMDA, found the %c axis of %" PetscInt_FMT " points",
               guidance.c_str(), k, axis, size[d]);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode CoarseTS::CreateGrid(TS ts, DM dm, PetscInt factor, data::Block* block) {
  MPI_Comm comm = PetscObjectComm((PetscObject)ts);
  PetscInt dim, fine[3], coarse[3];
  DM level;
  PetscFunctionBeginUser;
  PetscCall(Destroy());
  // From a clone: DMCoarsen's hooks would otherwise also give the coarse DM the program's DMSNES, bound
  // to the program's TS.
  PetscCall(DMClone(dm, &level));
  PetscCall(DMCopyDMTS(dm, level));
  for (PetscInt f = 1; f < factor; f *= 2) {
    DM next;
    PetscCall(DMCoarsen(level, comm, &next));
    PetscCall(DMDestroy(&level));
    level = next;
  }
  dm_ = level;
  // DMCoarsen's hooks carry the DMTS, the program's functions; copied again for a DM without them.
  PetscCall(DMCopyDMTS(dm, dm_));
  PetscCall(DMDAGetInfo(dm, &dim, &fine[0], &fine[1], &fine[2], nullptr, nullptr, nullptr, &dof_, nullptr,
                        nullptr, nullptr, nullptr, nullptr));
  PetscCall(DMDAGetInfo(dm_, nullptr, &coarse[0], &coarse[1], &coarse[2], nullptr, nullptr, nullptr, nullptr,
                        nullptr, nullptr, nullptr, nullptr, nullptr));
  for (PetscInt d = 0; d < dim; ++d)
    PetscCheck(coarse[d] * factor == fine[d], comm, PETSC_ERR_PLIB,
               "LEAP: DMCoarsen of the program's DMDA gave %" PetscInt_FMT
               " points along %c, expected %" PetscInt_FMT " (%" PetscInt_FMT
               " / -leap_coarse_factor %" PetscInt_FMT
               "); a DMDASetRefinementFactor other "
               "than 2?",
               coarse[d], "xyz"[d], fine[d] / factor, fine[d], factor);
  factor_ = factor;
  PetscCall(DMCreateGlobalVector(dm_, &u_));
  PetscCall(LeapDMDAGetBlock(dm_, block));
  PetscFunctionReturn(0);
}

PetscErrorCode CoarseTS::CreateIntegrator(TS ts, PetscReal dt, const IntegratorSpec& spec) {
  PetscFunctionBeginUser;
  PetscCheck(dm_, PetscObjectComm((PetscObject)ts), PETSC_ERR_ORDER,
             "LEAP: the coarse TS's grid must be created before its integrator");
  PetscCall(TSDestroy(&ts_));
  PetscCall(LeapCreateIntegrator(ts, dm_, u_, dt, spec, &ts_));
  PetscFunctionReturn(0);
}

// Coarse field blocks (per dof, [x][y]([z]) over this rank's box: one channel per dof, as the
// controller's components) <-> the coarse state.
PetscErrorCode CoarseTS::FromFieldBlocks(const plugin::FieldBlocks& fields) {
  PetscFunctionBeginUser;
  for (size_t d = 0; d < fields.size(); ++d)
    PetscCall(LeapDMDACopyFromWellOrder(dm_, fields[d], {PetscInt(d)}, u_));
  PetscFunctionReturn(0);
}

PetscErrorCode CoarseTS::ToFieldBlocks(plugin::FieldBlocks* fields) {
  PetscFunctionBeginUser;
  fields->resize(size_t(dof_));
  for (size_t d = 0; d < fields->size(); ++d)
    PetscCall(LeapDMDACopyToWellOrder(dm_, u_, {PetscInt(d)}, &(*fields)[d]));
  PetscFunctionReturn(0);
}

// The coarse TS restarts at time t0 (the leap's start) from its state, for a run up to t_end.
PetscErrorCode CoarseTS::Start(PetscReal t0, PetscReal t_end) {
  PetscFunctionBeginUser;
  PetscCall(TSSetTime(ts_, t0));
  PetscCall(TSSetMaxTime(ts_, t_end));
  PetscCall(TSSetStepNumber(ts_, 0));
  PetscCall(TSRestartStep(ts_));
  PetscFunctionReturn(0);
}

// The coarse TS advances to t_end in equal steps of at most `longest`.
PetscErrorCode CoarseTS::Frame(PetscReal longest, PetscReal t_end) {
  TS c = ts_;
  PetscFunctionBeginUser;
  const PetscInt steps = std::max<PetscInt>(1, PetscInt(std::ceil((t_end - c->ptime) / longest - 1e-9)));
  for (PetscInt s = 0; s < steps; ++s) {
    PetscCall(TSSetTimeStep(c, (t_end - c->ptime) / PetscReal(steps - s)));
    PetscCall(TSStep(c));
    PetscCheck(c->reason >= 0, PetscObjectComm((PetscObject)c), PETSC_ERR_NOT_CONVERGED,
               "LEAP: the coarse TS (solver guidance) failed (reason %d) at t = %g", int(c->reason),
               double(c->ptime));
  }
  PetscFunctionReturn(0);
}

void CoarseTS::Frames(plugin::HybridController& controller, PetscReal t0, PetscReal frame_dt,
                      PetscReal longest, int64_t frames) {
  if (!ts_) throw Error("the coarse TS (solver guidance) has no integrator");
  PetscCheckThrow(FromFieldBlocks(controller.restrict_last_frame()));
  PetscCheckThrow(Start(t0, t0 + PetscReal(frames) * frame_dt));
  plugin::FieldBlocks fields;
  for (int64_t j = 1; j <= frames; ++j) {
    PetscCheckThrow(Frame(longest, t0 + PetscReal(j) * frame_dt));
    PetscCheckThrow(ToFieldBlocks(&fields));
    controller.observe_coarse(fields);
  }
}

}  // namespace leap::petsc
