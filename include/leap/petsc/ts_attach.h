// Attaches LEAP to a FluidSolver's TS: observes the state at every frame, and in hybrid mode lets
// the emulator leap over `leap_frames` frames, then the solver correct over `solver_frames` frames
// of real steps, and so on until the end time.
//
// Frames are at t0 + k * frame_interval (t0: the solver's time at attachment). The run is driven
// frame by frame through FluidSolver::Advance, so every TSSolve lands exactly on a frame time; the
// state is observed (gathered into the emulator's context) after each frame, and a leap is made
// between two frames. This is the frame-by-frame driver of DESIGN.md §3 rather than a leap inside a
// TSSetPostStep callback: the example solvers own the TS pre-step slot and shorten their last step
// onto TSSetMaxTime, so a time jump made inside a post-step would have to be undone by every
// Advance's max time; between two TSSolve calls the jump (TSSetTime / TSSetStepNumber) is a plain
// restart of the integrator, with nothing chained or overridden. The program's own TS hooks
// (monitors, post-step) keep working untouched.
//
// A leap:
//   1. the controller gathers the last c frames to the emulator rank, the emulator returns the state
//      leap_frames later (mean of `members`), which is scattered back (PetscLogEvents LeapGather,
//      LeapEmulate, LeapScatter: -log_view shows LEAP's share);
//   2. a non-finite state is rejected outright; otherwise it is injected (InjectWellFields), the
//      totals of the conserved dofs (when every boundary is periodic) are restored to their
//      pre-leap values by a uniform multiplicative (positive quantities) or additive correction
//      (LeapRestore event), and the adapter's admissibility callback (e.g. positive density and
//      pressure) decides; a rejected leap restores the pre-leap solution and the solver goes on,
//      and solver_frames frames pass before the next attempt;
//   3. an accepted leap sets the time to the frame's time and the step number forward by
//      leap_frames, and the context restarts from the injected state.
//
// Options (PETSc options database, prefix -leap_; LeapAttachOptionsFromDatabase):
//   -leap_mode off|record|hybrid  (off: frame by frame, no LEAP; record: observe every frame, no leaps)
//   -leap_leap_frames N            frames skipped per leap
//   -leap_solver_frames M          solver frames between leaps (also before the first one)
//   -leap_frame_interval dt        simulated time between frames
//   -leap_members K                ensemble members per leap
//   -leap_restore_conserved        restore the conserved totals after a leap (true)
//   -leap_max_spread s             suppress a leap whose ensemble's relative spread (scale-free, see
//                                  plugin::LeapResult) exceeds s (0: never; needs members > 1)
//   -leap_check_every k            check mode: every k-th leap attempt (the first included) is checked
//                                  (0: never); see below
//   -leap_check_tolerance e        the VRMSE a checked leap may have against the solver (0.1)
//   -leap_min_leap_frames n, -leap_max_leap_frames n   bounds of the adapted leap (1; 0 = 4 x leap_frames)
//   -leap_record_dir DIR           record the solver's frames as a dataset (The Well's schema) in DIR
//   -leap_record_frames n          frames per recorded trajectory (8)
//   -leap_record_valid_every k     every k-th recorded trajectory goes to valid/ (0: none)
//   -leap_record_name NAME         file name stem of the recorded trajectories ("hybrid")
//   -leap_guidance off|coarse|coarse_only, -leap_coarse_factor k, -leap_guidance_noise s,
//   -leap_guidance_iterations n    solver guidance by a coarse copy of the solver (LeapAttachOptions::coarse)
//
// Check mode (error correction by measurement): for a checked leap the solver also runs the same
// interval from the same start (the same deterministic integrator, restarted from the saved
// pre-leap state: what a cloned TS would do), and the emulated state, as it would be injected
// (after the conservation restore), is scored by its VRMSE against the solver's. Above the
// tolerance the leap is rejected and the solver's state, already computed, is kept (its frames
// count as solver frames and are observed and recorded); at or below it the emulated state is
// injected as for any leap. Either way the leap length adapts to hold the tolerance:
// L <- clamp(floor(L * clamp(tol / vrmse, 1/2, 2)), min, max), at least one frame shorter after a
// failed check and one longer after a passed one (within the bounds).
//
// Recording (in-situ data): in record and hybrid modes with a record directory, every frame the
// solver produces (including the frames of a failed check) is appended to a plugin::FrameRecorder;
// an accepted leap breaks the segment and the injected state starts the next one. FinishRecording()
// writes stats.yaml, so the directory is a dataset `leap train` reads (and fine-tunes from, --init).
#pragma once

#include <petscts.h>

#include <memory>
#include <string>
#include <vector>

#include "leap/petsc/fluid_solver.h"
#include "leap/plugin/emulator.h"
#include "leap/plugin/frame_recorder.h"
#include "leap/plugin/hybrid_controller.h"
#include "leap/plugin/leap_policy.h"

namespace leap::petsc {

struct LeapAttachOptions {
  // The policy's settings keep its defaults (plugin::LeapPolicyOptions).
  std::string mode = "off";  // off, record, hybrid
  PetscInt leap_frames = PetscInt(plugin::LeapPolicyOptions{}.leap_frames);
  PetscInt solver_frames = PetscInt(plugin::LeapPolicyOptions{}.solver_frames);
  PetscReal frame_interval = 0.01;
  PetscInt members = 1;
  PetscBool restore_conserved = PETSC_TRUE;
  PetscReal max_spread = plugin::LeapPolicyOptions{}.max_spread;  // relative spread limit (0: off)
  PetscInt check_every =
      PetscInt(plugin::LeapPolicyOptions{}.check_every);  // check every k-th attempt (0: off)
  PetscReal check_tolerance = plugin::LeapPolicyOptions{}.check_tolerance;  // VRMSE a checked leap may have
  PetscInt min_leap_frames = PetscInt(plugin::LeapPolicyOptions{}.min_leap_frames);  // adapted leap bounds
  PetscInt max_leap_frames = PetscInt(plugin::LeapPolicyOptions{}.max_leap_frames);  // 0: 4 x leap_frames
  // Solver guidance (-leap_guidance off|coarse|coarse_only, -leap_coarse_factor k, -leap_guidance_noise s,
  // -leap_guidance_iterations n; plugin::LeapPolicyOptions): `coarse` is the same solver on a grid k
  // times coarser per axis, over the same communicator; each leap restricts the state to it (block
  // means, through InjectWellFields), sets its time, and advances it frame by frame over the leap.
  std::string guidance = plugin::LeapPolicyOptions{}.guidance;
  PetscInt coarse_factor = PetscInt(plugin::LeapPolicyOptions{}.coarse_factor);
  PetscReal guidance_noise = plugin::LeapPolicyOptions{}.guidance_noise;
  PetscInt guidance_iterations = PetscInt(plugin::LeapPolicyOptions{}.guidance_iterations);
  std::shared_ptr<FluidSolver> coarse;  // needed in hybrid mode with guidance
  plugin::RecorderOptions record;       // record.dir empty: no recording
  // Dofs whose totals a leap restores by the generic correction (LeapRestoreConservedSums); empty:
  // the solver's own (FluidSolver::ConservedDofs, restored by FluidSolver::RestoreConserved).
  std::vector<ConservedDof> conserved;
  std::shared_ptr<plugin::Emulator> emulator;  // needed on the emulator ranks in hybrid mode
  plugin::EmulatorRanks emulators;             // rank 0 by default
};

// The policy settings of these options (plugin::LeapPolicyOptions: one name and one default per setting).
plugin::LeapPolicyOptions PolicyOptions(const LeapAttachOptions& options);

// Reads the -leap_* options listed above into `options` (values not given stay as they are).
PetscErrorCode LeapAttachOptionsFromDatabase(MPI_Comm comm, LeapAttachOptions* options);

// One checked leap: where it started, its length, its VRMSE against the solver, the outcome.
struct LeapCheck {
  PetscInt frame = 0;
  PetscInt frames = 0;
  double vrmse = 0;
  bool passed = false;
  PetscInt next_frames = 0;  // the leap length after adaptation
};

class LeapAttachment {
 public:
  LeapAttachment() = default;
  ~LeapAttachment();
  LeapAttachment(const LeapAttachment&) = delete;
  LeapAttachment& operator=(const LeapAttachment&) = delete;

  // Integrates to t_end (a frame time: t0 + k * frame_interval), frame by frame, with leaps in
  // hybrid mode. Collective.
  PetscErrorCode Run(PetscReal t_end);
  // One leap attempt now (needs context_ready()); *accepted tells the outcome. Collective.
  PetscErrorCode Leap(PetscBool* accepted);
  // Observes the current state (gathers it into the context). Collective.
  PetscErrorCode Observe();
  // Writes the recording's stats.yaml (nothing without a record directory). Collective.
  PetscErrorCode FinishRecording();

  bool context_ready() const { return controller_ && controller_->ready(); }
  PetscInt frame() const { return frame_; }  // frames since attachment
  const plugin::HybridStats& stats() const { return controller_ ? controller_->stats() : empty_stats_; }
  std::vector<double> spreads() const;  // ensemble spread of each leap
  std::vector<double> relative_spreads() const;
  // by the spread limit (also rejections)
  PetscInt leaps_suppressed() const { return PetscInt(policy_.count(plugin::LeapVerdict::spread)); }
  std::vector<LeapCheck> checks() const;
  PetscInt check_frames() const;  // solver frames run by passed checks
  PetscInt leap_frames() const {
    return PetscInt(policy_.leap_frames());
  }  // the current (adapted) leap length
  int64_t recorded_trajectories() const { return recorder_ ? recorder_->trajectories_written() : 0; }
  // Why each rejected leap was rejected ("frame F: reason"), in order.
  std::vector<std::string> rejections() const;
  // The decisions of the run (the one leap policy of every route: plugin/leap_policy).
  const plugin::LeapPolicy& policy() const { return policy_; }
  const LeapAttachOptions& options() const { return options_; }
  // The conditioning vector the emulator receives: the solver's parameters, then one periodic flag
  // per axis (the training datasets' theta).
  const std::vector<float>& theta() const { return theta_; }

 private:
  friend PetscErrorCode LeapAttachCreate(FluidSolver* solver, const LeapAttachOptions& options,
                                         std::unique_ptr<LeapAttachment>* out);
  PetscErrorCode ExtractFields(plugin::FieldBlocks* fields) const;
  PetscErrorCode Record();  // appends the current state to the recording (when recording)
  // A frame advanced by the solver: observe and record it.
  PetscErrorCode SolverFrame();
  class Solver;  // this attachment as the policy's LeapSolver

  FluidSolver* solver_ = nullptr;
  LeapAttachOptions options_;
  std::unique_ptr<plugin::HybridController> controller_;
  PetscReal t0_ = 0;
  PetscInt frame_ = 0;
  PetscBool periodic_ = PETSC_FALSE;
  std::vector<float> theta_;
  plugin::LeapPolicy policy_;
  std::unique_ptr<plugin::FrameRecorder> recorder_;
  std::vector<ConservedDof> conserved_;  // the options' dofs, or the solver's own
  bool solver_restores_ = false;         // the solver's own restore (its own dofs)
  plugin::HybridStats empty_stats_;
};

// Attaches LEAP to `solver` (collective over its communicator). The solver must outlive the
// attachment. Checks the options (PETSC_ERR_ARG_OUTOFRANGE naming the option).
PetscErrorCode LeapAttachCreate(FluidSolver* solver, const LeapAttachOptions& options,
                                std::unique_ptr<LeapAttachment>* out);

}  // namespace leap::petsc
