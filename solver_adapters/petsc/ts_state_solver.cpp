// A TS's solution vector as the leap policy's LeapSolver (see ts_state_solver.h).
#include "ts_state_solver.h"

#include <petsc/private/tsimpl.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "adapter_support.h"

namespace leap::petsc {

PetscErrorCode DMDABlockFromVec(Vec u, std::vector<float>* block) {
  const PetscScalar* a;
  PetscInt n;
  PetscFunctionBeginUser;
  PetscCall(VecGetLocalSize(u, &n));
  PetscCall(VecGetArrayRead(u, &a));
  block->resize(size_t(n));
  for (PetscInt i = 0; i < n; ++i) (*block)[size_t(i)] = float(PetscRealPart(a[i]));
  PetscCall(VecRestoreArrayRead(u, &a));
  PetscFunctionReturn(0);
}

PetscErrorCode DMDABlockToVec(const std::vector<float>& block, Vec u) {
  PetscScalar* a;
  PetscInt n;
  PetscFunctionBeginUser;
  PetscCall(VecGetLocalSize(u, &n));
  PetscCheck(size_t(n) == block.size(), PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ,
             "LEAP: a block of %zu values for a vector of %" PetscInt_FMT " on this rank", block.size(), n);
  PetscCall(VecGetArray(u, &a));
  for (PetscInt i = 0; i < n; ++i) a[i] = PetscScalar(block[size_t(i)]);
  PetscCall(VecRestoreArray(u, &a));
  PetscFunctionReturn(0);
}

TSStateSolver::TSStateSolver(TS ts, PetscReal t_new, std::function<PetscErrorCode(int64_t)> advance,
                             const std::vector<ConservedDof>* conserved,
                             const std::vector<PetscScalar>* before, std::vector<double>* max_change)
    : ts_(ts),
      t_new_(t_new),
      advance_(std::move(advance)),
      conserved_(conserved),
      before_(before),
      max_change_(max_change) {}

TSStateSolver::~TSStateSolver() {
  VecDestroy(&saved_);
  VecDestroy(&reference_);
}

void TSStateSolver::save_state() {
  if (!saved_) PetscCheckThrow(VecDuplicate(ts_->vec_sol, &saved_));
  PetscCheckThrow(VecCopy(ts_->vec_sol, saved_));
}

void TSStateSolver::restore_state() {
  PetscCheckThrow(VecCopy(saved_, ts_->vec_sol));
}

void TSStateSolver::inject(const std::vector<float>& block) {
  PetscCheckThrow(DMDABlockToVec(block, ts_->vec_sol));
}

bool TSStateSolver::conserve(std::string*) {
  if (!conserved_ || conserved_->empty()) return true;
  // The emulated totals are put back to the pre-leap ones (before the domain check sees the state).
  std::vector<PetscScalar> after;
  PetscCheckThrow(LeapConservedSums(ts_->vec_sol, *conserved_, &after));
  if (max_change_) {
    for (size_t k = 0; k < before_->size() && k < max_change_->size(); ++k) {
      const double s0 = PetscRealPart((*before_)[k]), s = PetscRealPart(after[k]);
      (*max_change_)[k] = std::max((*max_change_)[k], std::abs(s - s0) / (s0 != 0 ? std::abs(s0) : 1.0));
    }
  }
  PetscCheckThrow(LeapRestoreConservedSums(ts_->vec_sol, *conserved_, *before_));
  return true;
}

bool TSStateSolver::finite() {
  PetscReal norm;
  PetscCheckThrow(VecNorm(ts_->vec_sol, NORM_2, &norm));
  return !PetscIsInfOrNanReal(norm);
}

bool TSStateSolver::admissible(std::string* why) {
  PetscBool ok = PETSC_TRUE;
  PetscCheckThrow(TSFunctionDomainError(ts_, t_new_, ts_->vec_sol, &ok));
  PetscCheckThrow(
      MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPIU_BOOL, MPI_LAND, PetscObjectComm((PetscObject)ts_)));
  if (!ok) *why = "the program's domain check (TSSetFunctionDomainError) refused the emulated state";
  return ok == PETSC_TRUE;
}

std::vector<float> TSStateSolver::solve_reference(int64_t frames) {
  if (!advance_) throw Error("this route cannot run its solver over a leap's frames (no check mode)");
  // The route's solver takes the leap's frames from the saved state, in the solution vector; its
  // result becomes the reference and the saved state comes back.
  PetscCheckThrow(advance_(frames));
  std::vector<float> truth;
  PetscCheckThrow(DMDABlockFromVec(ts_->vec_sol, &truth));
  if (!reference_) PetscCheckThrow(VecDuplicate(ts_->vec_sol, &reference_));
  PetscCheckThrow(VecCopy(ts_->vec_sol, reference_));
  PetscCheckThrow(VecCopy(saved_, ts_->vec_sol));
  return truth;
}

void TSStateSolver::use_reference() {
  PetscCheckThrow(VecCopy(reference_, ts_->vec_sol));
}

std::vector<float> TSStateSolver::state() {
  std::vector<float> b;
  PetscCheckThrow(DMDABlockFromVec(ts_->vec_sol, &b));
  return b;
}

void TSStateSolver::run_coarse(plugin::HybridController& controller, int64_t frames) {
  if (!coarse_) {
    plugin::LeapSolver::run_coarse(controller, frames);  // refuses: this route has no coarse solver
    return;
  }
  coarse_(controller, frames);
}

}  // namespace leap::petsc
