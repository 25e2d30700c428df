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
#pragma once

#include <petscts.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "leap/petsc/fluid_solver.h"
#include "leap/plugin/emulator.h"
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
  std::vector<ConservedDof> conserved;          // e.g. Euler: rho (x), rho u (+), rho v (+), E (x)
  std::shared_ptr<plugin::Emulator> emulator;   // needed on rank 0 in record and hybrid modes
};

// Reads -leap_mode, -leap_leap_frames, -leap_solver_frames, -leap_frame_interval, -leap_members and
// -leap_restore_conserved into `options` (values not given stay as they are).
PetscErrorCode LeapAttachOptionsFromDatabase(MPI_Comm comm, LeapAttachOptions* options);

// The domain sums of the given dofs (collective).
PetscErrorCode LeapConservedSums(Vec u, const std::vector<ConservedDof>& dofs, std::vector<PetscScalar>* sums);
// Restores the sums of `dofs` in `u` to `target` by one uniform correction per dof: scaling for a
// multiplicative dof (when the sum and the target have the same sign, shifting otherwise),
// shifting for an additive one (collective).
PetscErrorCode LeapRestoreConservedSums(Vec u, const std::vector<ConservedDof>& dofs,
                                        const std::vector<PetscScalar>& target);

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

  // Installs the check as the controller's admissibility callback (a PETSc error inside it fails
  // the leap with that error).
  void SetAdmissibility(AdmissibleFn fn);
  bool context_ready() const { return controller_ && controller_->ready(); }
  PetscInt frame() const { return frame_; }  // frames since attachment
  const plugin::HybridStats& stats() const { return controller_ ? controller_->stats() : empty_stats_; }
  const std::vector<double>& spreads() const { return spreads_; }  // ensemble spread of each leap
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

  FluidSolver* solver_ = nullptr;
  LeapAttachOptions options_;
  std::unique_ptr<plugin::HybridController> controller_;
  PetscReal t0_ = 0;
  PetscInt frame_ = 0;
  PetscInt since_leap_ = 0;  // solver frames since the last leap attempt (or the start)
  PetscBool last_rejected_ = PETSC_FALSE;
  PetscBool periodic_ = PETSC_FALSE;
  std::vector<float> theta_;
  std::vector<double> spreads_;
  std::vector<std::string> rejections_;
  plugin::HybridStats empty_stats_;
};

// Attaches LEAP to `solver` (collective over its communicator). The solver must outlive the
// attachment. Checks the options (PETSC_ERR_ARG_OUTOFRANGE naming the option).
PetscErrorCode LeapTSAttach(FluidSolver* solver, const LeapAttachOptions& options,
                            std::unique_ptr<LeapAttachment>* out);

}  // namespace leap::petsc
