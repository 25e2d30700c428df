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

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "leap/petsc/fluid_solver.h"
#include "leap/plugin/emulator.h"
#include "leap/plugin/frame_recorder.h"
#include "leap/plugin/hybrid_controller.h"

namespace leap::petsc {

// A dof of the solution vector whose domain total is conserved by the solver.
struct ConservedDof {
  PetscInt dof = 0;
  PetscBool multiplicative = PETSC_FALSE;  // scale (positive quantities) rather than shift
};

struct LeapAttachOptions {
  std::string mode = "off";  // off, record, hybrid
  PetscInt leap_frames = 10;
  PetscInt solver_frames = 5;
  PetscReal frame_interval = 0.01;
  PetscInt members = 1;
  PetscBool restore_conserved = PETSC_TRUE;
  PetscReal max_spread = 0;             // relative ensemble spread above which a leap is suppressed (0: off)
  PetscInt check_every = 0;             // check every k-th leap attempt (0: off)
  PetscReal check_tolerance = 0.1;      // VRMSE a checked leap may have
  PetscInt min_leap_frames = 1;         // bounds of the adapted leap length
  PetscInt max_leap_frames = 0;         // 0: 4 x leap_frames
  plugin::RecorderOptions record;       // record.dir empty: no recording
  std::vector<ConservedDof> conserved;  // e.g. Euler: rho (x), rho u (+), rho v (+), E (x)
  std::shared_ptr<plugin::Emulator> emulator;  // needed on the emulator ranks in hybrid mode
  plugin::EmulatorRanks emulators;             // rank 0 by default
};

// Reads the -leap_* options listed above into `options` (values not given stay as they are).
PetscErrorCode LeapAttachOptionsFromDatabase(MPI_Comm comm, LeapAttachOptions* options);

// The domain sums of the given dofs (collective).
PetscErrorCode LeapConservedSums(Vec u, const std::vector<ConservedDof>& dofs,
                                 std::vector<PetscScalar>* sums);
// Restores the sums of `dofs` in `u` to `target` by one uniform correction per dof: scaling for a
// multiplicative dof (when the sum and the target have the same sign, shifting otherwise),
// shifting for an additive one (collective).
PetscErrorCode LeapRestoreConservedSums(Vec u, const std::vector<ConservedDof>& dofs,
                                        const std::vector<PetscScalar>& target);

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
  // Collective admissibility of the solver's current state; *ok false rejects the leap.
  using AdmissibleFn = std::function<PetscErrorCode(PetscBool* ok, std::string* why)>;

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

  // Replaces the generic restore of the conserved totals (LeapRestoreConservedSums) by the
  // solver's own: given the pre-leap sums of options().conserved's dofs, restore them in the
  // solution (collective); *ok false rejects the leap (a restore that cannot keep the state
  // admissible).
  using RestoreFn = std::function<PetscErrorCode(const std::vector<PetscScalar>& target, PetscBool* ok)>;
  void SetConservedRestore(RestoreFn fn) { restore_fn_ = std::move(fn); }

  // Installs the check as the controller's admissibility callback (a PETSc error inside it fails
  // the leap with that error).
  void SetAdmissibility(AdmissibleFn fn);
  bool context_ready() const { return controller_ && controller_->ready(); }
  PetscInt frame() const { return frame_; }  // frames since attachment
  const plugin::HybridStats& stats() const { return controller_ ? controller_->stats() : empty_stats_; }
  const std::vector<double>& spreads() const { return spreads_; }  // ensemble spread of each leap
  const std::vector<double>& relative_spreads() const { return relative_spreads_; }
  PetscInt leaps_suppressed() const { return suppressed_; }  // by the spread limit (also rejections)
  const std::vector<LeapCheck>& checks() const { return checks_; }
  PetscInt check_frames() const { return check_frames_; }  // solver frames run by passed checks
  PetscInt leap_frames() const { return leap_frames_; }    // the current (adapted) leap length
  int64_t recorded_trajectories() const { return recorder_ ? recorder_->trajectories_written() : 0; }
  // Why each rejected leap was rejected ("frame F: reason"), in order.
  const std::vector<std::string>& rejections() const { return rejections_; }
  const LeapAttachOptions& options() const { return options_; }
  // The conditioning vector the emulator receives: the solver's parameters, then one periodic flag
  // per axis (the training datasets' theta).
  const std::vector<float>& theta() const { return theta_; }

 private:
  friend PetscErrorCode LeapTSAttach(FluidSolver* solver, const LeapAttachOptions& options,
                                     std::unique_ptr<LeapAttachment>* out);
  PetscErrorCode ExtractFields(plugin::FieldBlocks* fields) const;
  PetscErrorCode Record();  // appends the current state to the recording (when recording)
  // A frame advanced by the solver: observe and record it.
  PetscErrorCode SolverFrame();
  PetscErrorCode AdaptLeap(double vrmse, bool passed);

  FluidSolver* solver_ = nullptr;
  LeapAttachOptions options_;
  std::unique_ptr<plugin::HybridController> controller_;
  PetscReal t0_ = 0;
  PetscInt frame_ = 0;
  PetscInt since_leap_ = 0;  // solver frames since the last leap attempt (or the start)
  PetscBool last_rejected_ = PETSC_FALSE;
  PetscBool periodic_ = PETSC_FALSE;
  std::vector<float> theta_;
  PetscInt leap_frames_ = 0;  // current leap length (adapted in check mode)
  PetscInt max_leap_frames_ = 0;
  PetscInt attempts_ = 0;  // leap attempts so far
  PetscInt suppressed_ = 0;
  PetscInt check_frames_ = 0;
  std::vector<double> spreads_, relative_spreads_;
  std::vector<LeapCheck> checks_;
  std::vector<std::string> rejections_;
  std::unique_ptr<plugin::FrameRecorder> recorder_;
  RestoreFn restore_fn_;
  plugin::HybridStats empty_stats_;
};

// Attaches LEAP to `solver` (collective over its communicator). The solver must outlive the
// attachment. Checks the options (PETSC_ERR_ARG_OUTOFRANGE naming the option).
PetscErrorCode LeapTSAttach(FluidSolver* solver, const LeapAttachOptions& options,
                            std::unique_ptr<LeapAttachment>* out);

}  // namespace leap::petsc
