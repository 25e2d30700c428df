/* LEAP for an existing PETSc program, in one line (C and C++; docs/ts_post_step.md):
 *
 *     PetscCall(LeapTSAttach(ts, da, "leap.yaml"));      before TSSolve(ts, u)
 *
 * `ts` integrates a state on the 2-D or 3-D DMDA `da` (dofs interleaved; every dof becomes a scalar field
 * of the emulator, named by DMDASetFieldName or "dof_<k>"); `da` NULL takes the TS's DM. "leap.yaml"
 * is a runtime config (include/leap/plugin/runtime_config.h: the emulator, leap and record
 * sections); NULL is allowed when -leap_config gives one. Link with libleap_petsc.
 *
 * What it installs on `ts`:
 *   - a TS monitor (TSMonitorSet) that observes every state the TS reaches (the initial one, the one
 *     after every step, the state a leap produced): gathers it to the emulator's rank (the context
 *     of the next leap) and, while recording, appends it to the dataset of record.dir;
 *   - a post-step (TSSetPostStep) that first calls the post-step the program had set (it keeps
 *     being called after every step the solver takes; set yours before LeapTSAttach, or after it:
 *     LEAP re-chains a post-step it finds in its place at the next monitor call), then, in hybrid
 *     mode, asks LEAP's one leap policy (docs/leap_policy.md) whether to leap: once the context
 *     holds the frames the emulator needs and -leap_solver_frames solver steps passed since the last
 *     attempt, the emulator gives the state the current leap length L steps later. The policy's
 *     rejection ladder judges it (not finite, spread above -leap_max_spread, the program's
 *     TSSetFunctionDomainError). In check mode (-leap_check_every k) every k-th attempt is also run
 *     by the TS itself (TSStep over the same L steps from a saved copy of the state, without
 *     monitors or post-steps); above -leap_check_tolerance (VRMSE) the TS's own result stands, and
 *     L adapts between -leap_min_leap_frames and -leap_max_leap_frames. When the state moved on
 *     (an accepted leap, or a failed check) it is in the solution vector, the time advanced by
 *     L * dt (TSSetTime), the step number by L (TSSetStepNumber), and the integrator restarts
 *     (TSRestartStep: multistep and FSAL methods start afresh). A rejected leap (or a failing
 *     emulator) changes nothing; the solver goes on. A leap never reaches TSSetMaxSteps or comes
 *     within half a step of TSSetMaxTime: the last step is always the solver's, so TSSolve ends as
 *     without LEAP.
 *   - a PetscContainer composed on `ts` ("LeapTSContext") that owns all of it: TSDestroy finishes
 *     the recording and frees it (as LeapTSDetach does).
 *
 * Frames are steps of one fixed size dt (the size of the steps taken, -ts_dt; use
 * -ts_adapt_type none): where the step size changes, the context restarts with the new size, and a
 * leap waits until enough frames of it were observed and the next step keeps it.
 *
 * Options (read by LeapTSAttach, under the TS's options prefix):
 *   -leap_config FILE            runtime config (overrides the `config` argument)
 *   -leap_mode off|record|hybrid off: install nothing; record: observe and record every state
 *                                (record.dir needed); hybrid (default): observe, leap, and record
 *                                when record.dir is set
 *   -leap_leap_frames, -leap_solver_frames, -leap_max_spread, -leap_check_every,
 *   -leap_check_tolerance, -leap_min_leap_frames, -leap_max_leap_frames
 *                                the leap policy's settings (defaults from the config's leap
 *                                section, whose defaults are docs/leap_policy.md's: 8, 4, 0, 0, 0.1,
 *                                1, 0)
 *   -leap_theta v1,v2,...        the emulator's conditioning vector (latent diffusion emulators)
 *   -leap_summary FILE.json      counters and times, written by rank 0 at the end of every TSSolve
 *                                and at LeapTSDetach / TSDestroy
 * PetscLogEvents (-log_view): LeapGather (observe: copy out of the solution vector, gather to the
 * emulator's rank, record), LeapEmulate (a leap: the emulator and the scatter of its result),
 * LeapScatter (the emulated state sent back to the ranks). -info shows each attempt and check;
 * -leap_summary has the policy's records (key "policy").
 *
 * Errors: PETSc errors whose message starts with "LEAP:" (a DM that is not a 2-D or 3-D DMDA, no config,
 * a bad option, a config or emulator the runtime refuses, fields that are not the emulator's).
 */
#ifndef LEAP_PETSC_LEAP_PETSC_H
#define LEAP_PETSC_LEAP_PETSC_H

#include <petscdmda.h>
#include <petscts.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What LEAP did on a TS (the same on every rank, except the seconds: this rank's). */
typedef struct {
  PetscInt mode;           /* 0 off, 1 record, 2 hybrid */
  PetscInt observations;   /* states observed (gathered) */
  PetscInt steps_solver;   /* hybrid mode: steps the solver took (post-step calls and failed checks) */
  PetscInt steps_emulated; /* steps skipped by accepted leaps */
  PetscInt steps_checked;  /* steps the TS took to check leaps (check mode; not monitored) */
  PetscInt leaps;          /* leap attempts */
  PetscInt leaps_accepted;
  PetscInt leaps_rejected;        /* by the policy's ladder (or a failing emulator); a failed check too */
  PetscInt emulator_failures;     /* of the refused: the emulator raised an error */
  PetscInt context_restarts;      /* observed states not one frame after the previous one */
  PetscInt trajectories_recorded; /* trajectory files written to record.dir */
  PetscReal frame_dt;             /* the current frame (step) size; 0 before the first step */
  PetscReal gather_seconds;       /* the runtime's own split of its time */
  PetscReal emulate_seconds;
  PetscReal scatter_seconds;
} LeapTSStats;

/* Collective on ts. Attaches LEAP (see above); an attached TS is attached again with the new config
 * and options (the previous attachment is detached first). */
PetscErrorCode LeapTSAttach(TS ts, DM da, const char config[]);
/* Collective on ts. Finishes the recording (record.dir/stats.yaml), writes -leap_summary, restores
 * the program's post-step and makes the monitor inert. Nothing happens on a TS never attached. */
PetscErrorCode LeapTSDetach(TS ts);
/* Not collective. Error when LeapTSAttach was never called on ts. */
PetscErrorCode LeapTSGetStats(TS ts, LeapTSStats* stats);

#ifdef __cplusplus
}
#endif

#endif /* LEAP_PETSC_LEAP_PETSC_H */
