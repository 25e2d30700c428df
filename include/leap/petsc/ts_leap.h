// TS type "leap": LEAP's leap-and-correct loop inside an unmodified PETSc program.
//
//   prog -dll_append libleap_petsc.so -ts_type leap -leap_inner_ts_type rosw [-ts_rosw_type ra3pw]
//        -ts_adapt_type none -ts_dt DT -leap_ae ae.ckpt -leap_emulator emu.ckpt
//        [-leap_leap_frames 8 -leap_solver_frames 4 -leap_members 1 -leap_summary run.json]
//
// The "leap" TS wraps an inner TS of type -leap_inner_ts_type (the program's own integrator: the
// type the program would have used). The inner TS lives on a clone of the program's 2-D or 3-D DMDA that
// shares the program's DMTS (its RHSFunction, IFunction, Jacobians and their contexts), the
// program's Jacobian matrices and application context, and the program's solution vector; it
// reads the program's options (same prefix: -ts_rosw_type, -snes_*, -ksp_*, -pc_* apply to it),
// except -ts_type (the outer TS is "leap") and -ts_adapt_* (the inner steps are of fixed size).
//
// One step of the outer TS is a frame: a step of the fixed size -ts_dt, either
//   - a solver step: one TSStep of the inner TS from the outer's time, step size and state; or
//   - a leap: once the emulator's context holds c observed frames and -leap_solver_frames solver
//     steps were taken since the last leap attempt, the emulator (on rank 0) gives the state
//     -leap_leap_frames frames later (the mean of -leap_members ensemble members); the outer's time
//     advances by leap_frames * frame_dt and its step number by leap_frames. A leap never goes past
//     the TS's max time or max steps.
// The state at the start of every outer step is observed (gathered to rank 0 into the context).
// Observed frames must be frame_dt apart (frame_dt: -leap_frame_dt, or the first step's size):
// where the spacing changes (a program that changes the step, a failed inner solve retried with a
// shorter step) the context restarts, and leaps wait until it has filled again.
//
// Conservation: for dofs whose domain totals the program conserves (periodic or closed boundaries),
// -leap_conserve d1,d2,... (a uniform shift) and -leap_conserve_scaled d1,... (a factor, for positive
// quantities: it keeps them positive) put the totals back to their pre-leap values after every
// leap, before the domain check.
//
// The decisions are those of the one leap policy (plugin/leap_policy.h, docs/leap_policy.md): a leap
// is rejected, and the inner solver takes the step instead (counted in the summary), when the
// emulated state is not finite, when the relative ensemble spread is above -leap_max_spread (> 0),
// when the state corrected for the conserved totals is not finite, when the program's own domain
// check (TSSetFunctionDomainError) refuses it, or, in check mode (-leap_check_every K), when its
// VRMSE against the inner TS run over the same steps from a saved copy of the state is above
// -leap_check_tolerance (the inner TS's result then stands, and the leap length adapts between
// -leap_min_leap_frames and -leap_max_leap_frames); after a rejection, max(1, solver_frames) solver
// steps pass before the next attempt. After an accepted
// leap the inner integrator restarts (TSRestartStep) from the emulated state: the solver corrects
// it over the next solver_frames steps.
//
// Emulators: -leap_ae AE.ckpt -leap_emulator EMU.ckpt (from `leap train ae` / `leap train
// emulator`; -leap_context c, -leap_seed s, -leap_device cpu) or -leap_oracle FILE.hdf5
// [-leap_oracle_trajectory k] [-leap_oracle_tolerance tol] (the exact trajectory of a recorded
// dataset, to prove the coupling). The emulator's channels must be the DMDA's fields, by count and
// name. A conditioned emulator's theta: <axis>_periodic entries come from the DMDA's boundary types,
// the others from -leap_theta v1,v2,... in order.
//
// Misuse ends in a PETSc error whose message starts with "LEAP:": a DM that is not a DMDA, a DMDA
// that is not 2-D or 3-D, no emulator, missing files, an emulator of other channels, adaptive outer
// stepping (-ts_adapt_type other than none), -leap_inner_ts_type leap, TS events, time spans or
// forward/adjoint sensitivities.
//
// Reporting: -leap_summary FILE.json (written on rank 0 when the TS reaches its max steps or time,
// and again at TSReset/TSDestroy), TSView (-ts_view) prints the same numbers and the inner TS;
// PetscLogEvents LeapGather, LeapEmulate, LeapScatter, LeapCheck and LeapInnerStep show LEAP's
// share in -log_view.
#pragma once

#include <petscts.h>

#include <cstdint>
#include <string>
#include <vector>

namespace leap::petsc {

// What a "leap" TS did (the same on every rank, except the times).
struct TSLeapSummary {
  PetscInt steps_solver = 0;    // outer steps taken by the inner TS
  PetscInt steps_emulated = 0;  // outer steps skipped by accepted leaps
  PetscInt leaps_accepted = 0;
  PetscInt leaps_rejected = 0;
  PetscInt context_restarts = 0;  // frames whose spacing was not frame_dt
  PetscReal frame_dt = 0;
  double inner_seconds = 0, gather_seconds = 0, emulate_seconds = 0, scatter_seconds = 0, check_seconds = 0;
  std::vector<std::string> rejections;  // "step N: why", in order
  // Per conserved dof (-leap_conserve, then -leap_conserve_scaled): the largest |total after the
  // leap - total before| / |total before| (absolute where the total before is 0) that was put back.
  std::vector<double> conserved_max_change;
};

PetscErrorCode TSCreate_Leap(TS ts);
// Registers the TS type "leap" (called by PetscDLLibraryRegister_leap_petsc for -dll_append).
PetscErrorCode LeapTSRegister();

// The inner TS of a "leap" TS (created by TSSetUp; null before). Error for another type.
PetscErrorCode TSLeapGetInnerTS(TS ts, TS* inner);
PetscErrorCode TSLeapGetSummary(TS ts, TSLeapSummary* summary);

}  // namespace leap::petsc

// Called by PETSc for `-dll_append libleap_petsc.so`: registers the TSTrajectory type "leap"
// (trajectory_recorder.h) and the TS type "leap" (this header). Defined in dll_register.cpp.
extern "C" PetscErrorCode PetscDLLibraryRegister_leap_petsc(void);
