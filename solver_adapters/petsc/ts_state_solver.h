// Private to libleap_petsc: a PETSc TS's solution vector as the leap policy's LeapSolver, shared by
// the TS routes (the TS type "leap" and LeapTSAttach). The state is ts->vec_sol on its 2-D DMDA
// (dofs as the emulator's channels). Saving and restoring are Vec copies (the solver's state is
// never rounded); a check advances the route's solver over the leap's frames from the saved copy;
// the domain check is the program's TSSetFunctionDomainError.
#pragma once

#include <petscts.h>

#include <functional>
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
  void inject(const plugin::FieldBlocks& fields) override;
  bool conserve(std::string* why) override;
  bool finite() override;
  bool admissible(std::string* why) override;
  plugin::FieldBlocks solve_reference(int64_t frames) override;
  void use_reference() override;
  plugin::FieldBlocks fields() override;

 private:
  TS ts_;
  PetscReal t_new_;
  std::function<PetscErrorCode(int64_t)> advance_;
  const std::vector<ConservedDof>* conserved_;
  const std::vector<PetscScalar>* before_;
  std::vector<double>* max_change_;
  Vec saved_ = nullptr, reference_ = nullptr;
};

// Every dof of `u` (a global vector of the TS's DMDA) as this rank's blocks in The Well's order.
PetscErrorCode TSWellFields(TS ts, Vec u, plugin::FieldBlocks* fields);

}  // namespace leap::petsc
