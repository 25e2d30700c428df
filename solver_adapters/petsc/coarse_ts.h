// Private to libleap_petsc: the coarse copy of a program's TS that solver guidance (-leap_guidance
// coarse|coarse_only) runs over each leap's interval, shared by the TS routes that build it from an
// unmodified program (the TS type "leap" and LeapTSAttach): the program's integrator on its DMDA
// coarsened by DMCoarsen (log2(factor) times, each halving every axis), sharing the program's DMTS,
// hence its functions (which must take their grid from the TS's DM), with a time step `factor` times
// the program's. It starts from the controller's restriction of the last observed frame (block means)
// and hands each of a leap's frames back to the controller, which interpolates and gathers them.
//
// Also the one way these routes make "the program's integrator on a DM sharing its DMTS"
// (LeapCreateIntegrator): the TS type's inner TS is made the same way.
#pragma once

#include <petscts.h>

#include <cstdint>
#include <string>

#include "leap/data/well_writer.h"
#include "leap/plugin/hybrid_controller.h"

namespace leap::petsc {

// How LeapCreateIntegrator chooses the integrator.
struct IntegratorSpec {
  std::string type;                // the TS type (rk, beuler, rosw, ...)
  bool from_options = false;       // read the type's and its nonlinear solver's options (program's prefix)
  TS method_from = nullptr;        // copy the method (TSRKGetType, theta, ...) of this TS of the same type
  bool snes_from_options = false;  // read the nonlinear solver's options even without from_options
};

// A TS running the program's integrator `spec` on `dm`, a DMDA sharing the program TS's DMTS, with
// solution vector `u`: fixed steps of `dt` from the program's time, no adaptivity, set up. When `u`
// is the program's solution vector (a fine copy), the program's Jacobian matrices and vector
// tolerances are shared; otherwise (a coarse grid) PETSc makes its own matrices. Collective.
PetscErrorCode LeapCreateIntegrator(TS ts, DM dm, Vec u, PetscReal dt, const IntegratorSpec& spec, TS* out);

class CoarseTS {
 public:
  CoarseTS() = default;
  ~CoarseTS();
  CoarseTS(const CoarseTS&) = delete;
  CoarseTS& operator=(const CoarseTS&) = delete;

  // Refuses, before anything is built, what DMCoarsen cannot make from `dm` (the program's DMDA): a
  // factor that is not a power of 2, an axis that is not periodic or not divisible by the factor.
  // `route` names the route in the messages ("-ts_type leap", "LeapTSAttach"). Nothing for guidance
  // off. Collective.
  static PetscErrorCode Check(TS ts, DM dm, const std::string& guidance, int64_t factor, const char* route);

  // The coarse DMDA (from a clone of `dm` sharing its DMTS) and its state vector; *block: this rank's
  // box of the coarse grid (for HybridController::set_coarse_grid). Collective.
  PetscErrorCode CreateGrid(TS ts, DM dm, PetscInt factor, data::Block* block);
  // The integrator on the coarse grid, with steps of `dt` (after CreateGrid). Collective.
  PetscErrorCode CreateIntegrator(TS ts, PetscReal dt, const IntegratorSpec& spec);
  // Destroys everything (back to the default state). Collective.
  PetscErrorCode Destroy();

  bool has_grid() const { return dm_ != nullptr; }
  bool has_integrator() const { return ts_ != nullptr; }
  PetscInt factor() const { return factor_; }

  // LeapSolver::run_coarse: from controller.restrict_last_frame() at time t0 (the leap's start),
  // `frames` frames of frame_dt, each reached in equal steps of at most `longest` and given to
  // controller.observe_coarse. Collective; throws (PetscFailure for a PETSc error).
  void Frames(plugin::HybridController& controller, PetscReal t0, PetscReal frame_dt, PetscReal longest,
              int64_t frames);

 private:
  PetscErrorCode FromFieldBlocks(const plugin::FieldBlocks& fields);
  PetscErrorCode ToFieldBlocks(plugin::FieldBlocks* fields);
  PetscErrorCode Start(PetscReal t0, PetscReal t_end);
  PetscErrorCode Frame(PetscReal longest, PetscReal t_end);

  PetscInt factor_ = 0;
  PetscInt dof_ = 0;
  DM dm_ = nullptr;
  Vec u_ = nullptr;
  TS ts_ = nullptr;
};

}  // namespace leap::petsc
