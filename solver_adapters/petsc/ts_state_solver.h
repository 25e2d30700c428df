// Private to libleap_petsc: a PETSc TS's solution vector as the leap policy's LeapSolver, shared by
// the TS routes (the TS type "leap" and LeapTSAttach). The state is ts->vec_sol on its 2-D or 3-D DMDA
// (dofs as the emulator's channels); blocks are in the DMDA's own order (the controller's layout
// yxc), so a state is copied between the Vec and a block without reordering. Saving and restoring are Vec
// copies (the solver's state is never rounded); a check advances the route's solver over the leap's frames
// from the saved copy; the domain check is the program's TSSetFunctionDomainError. A route with a coarse
// copy of its solver (coarse_ts.h: the TS type leap, LeapTSAttach) gives it through set_coarse; without
// one, solver guidance is refused (LeapSolver::run_coarse).
#pragma once

#include <petscts.h>

#include <functional>
#include <utility>
#include <vector>

#include "leap/petsc/conserved_totals.h"
#include "leap/plugin/leap_policy.h"

namespace leap::petsc {

class TSStateSolver final : public plugin::LeapSolver {
 public:
  // t_new: the time the leap lands on (given to the domain check). advance(frames): the route's solver
  // takes `frames` frames from the state in ts->vec_sol, leaving its result there (check mode).
  // conserved / before: dofs whose domain totals a leap keeps, with their pre-leap totals;
  // max_change (may be null) receives the largest relative change of each put back.
  TSStateSolver(TS ts, PetscReal t_new, std::function<PetscErrorCode(int64_t frames)> advance,
                const std::vector<ConservedDof>* conserved = nullptr,
                const std::vector<PetscScalar>* before = nullptr, std::vector<double>* max_change = nullptr);
  ~TSStateSolver() override;
  TSStateSolver(const TSStateSolver&) = delete;
  TSStateSolver& operator=(const TSStateSolver&) = delete;

  void save_state() override;
  void restore_state() override;
  void inject(const std::vector<float>& block) override;
  bool conserve(std::string* why) override;
  bool finite() override;
  bool admissible(std::string* why) override;
  std::vector<float> solve_reference(int64_t frames) override;
  void use_reference() override;
  std::vector<float> state() override;
  void run_coarse(plugin::HybridController& controller, int64_t frames) override;

  // The route's coarse solver: run(controller, frames) starts from controller.restrict_last_frame() at
  // the leap's start and gives each of its `frames` frames to controller.observe_coarse (may throw).
  using CoarseRun = std::function<void(plugin::HybridController& controller, int64_t frames)>;
  void set_coarse(CoarseRun run) { coarse_ = std::move(run); }

 private:
  TS ts_;
  PetscReal t_new_;
  std::function<PetscErrorCode(int64_t)> advance_;
  CoarseRun coarse_;
  const std::vector<ConservedDof>* conserved_;
  const std::vector<PetscScalar>* before_;
  std::vector<double>* max_change_;
  Vec saved_ = nullptr, reference_ = nullptr;
};

// This rank's part of `u` (a global vector of a 2-D or 3-D DMDA) as float32 in the DMDA's own order
// [y][x][dof] (the yxc block layout): a copy, no reordering. And back.
PetscErrorCode DMDABlockFromVec(Vec u, std::vector<float>* block);
PetscErrorCode DMDABlockToVec(const std::vector<float>& block, Vec u);

}  // namespace leap::petsc
