#include "poisson_solver.h"

#include "rb_log.h"

namespace leap::rayleigh_benard {

PetscErrorCode PoissonSolver::Create(DM da, PetscReal hx, PetscReal hy, PetscReal rtol,
                                     std::unique_ptr<PoissonSolver>* out) {
  PetscFunctionBeginUser;
  auto solver = std::make_unique<PoissonSolver>(Key{});
  PetscCall(solver->Setup(da, hx, hy, rtol));
  *out = std::move(solver);
  PetscFunctionReturn(0);
}

PoissonSolver::~PoissonSolver() {
  // Destructors cannot propagate PETSc errors; destruction of valid objects does not fail.
  (void)VecDestroy(&rhs_);
  (void)KSPDestroy(&ksp_);
  (void)MatDestroy(&A_);
  (void)DMDestroy(&da_);
}

PetscErrorCode PoissonSolver::Setup(DM da, PetscReal hx, PetscReal hy, PetscReal rtol) {
  PetscInt N, xs, ys, xm, ym;
  PetscFunctionBeginUser;
  PetscCall(PetscObjectReference((PetscObject)da));
  da_ = da;
  PetscCall(DMDAGetInfo(da_, nullptr, nullptr, &N, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                        nullptr, nullptr, nullptr, nullptr));
  const PetscReal cx = 1 / (hx * hx), cy = 1 / (hy * hy), diag = 2 * cx + 2 * cy;

  PetscCall(DMCreateMatrix(da_, &A_));
  PetscCall(DMDAGetCorners(da_, &xs, &ys, nullptr, &xm, &ym, nullptr));
  for (PetscInt j = ys; j < ys + ym; ++j)
    for (PetscInt i = xs; i < xs + xm; ++i) {
      MatStencil row{}, col[5]{};
      PetscScalar v[5];
      row.i = i;
      row.j = j;
      PetscInt n = 0;
      if (j == 0 || j == N - 1) {  // wall: psi = 0
        col[n] = row;
        v[n++] = diag;
      } else {
        col[n] = row;
        v[n++] = diag;
        col[n].i = i - 1, col[n].j = j, v[n++] = -cx;
        col[n].i = i + 1, col[n].j = j, v[n++] = -cx;
        if (j - 1 > 0) col[n].i = i, col[n].j = j - 1, v[n++] = -cy;
        if (j + 1 < N - 1) col[n].i = i, col[n].j = j + 1, v[n++] = -cy;
      }
      PetscCall(MatSetValuesStencil(A_, 1, &row, n, col, v, INSERT_VALUES));
    }
  PetscCall(MatAssemblyBegin(A_, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(A_, MAT_FINAL_ASSEMBLY));
  PetscCall(MatSetOption(A_, MAT_SPD, PETSC_TRUE));
  PetscCall(MatSetOption(A_, MAT_SYMMETRIC, PETSC_TRUE));

  PetscCall(KSPCreate(PetscObjectComm((PetscObject)da_), &ksp_));
  PetscCall(KSPSetDM(ksp_, da_));
  PetscCall(KSPSetDMActive(ksp_, PETSC_FALSE));
  PetscCall(KSPSetOperators(ksp_, A_, A_));
  PetscCall(KSPSetType(ksp_, KSPCG));
  // Default preconditioner: a sparse direct (Cholesky) factorisation, computed once since the
  // matrix never changes, so each solve is one CG iteration and the result agrees across rank
  // counts to round-off. On several ranks a grid of up to 2^18 points is factored redundantly on
  // every rank (cheaper than a parallel direct solver at this size); larger grids use algebraic
  // multigrid, whose result agrees across rank counts to the solver tolerance only.
  PC pc;
  PetscMPIInt size;
  PetscInt rows;
  PetscCall(KSPGetPC(ksp_, &pc));
  PetscCallMPI(MPI_Comm_size(PetscObjectComm((PetscObject)da_), &size));
  PetscCall(MatGetSize(A_, &rows, nullptr));
  if (size == 1) {
    PetscCall(PCSetType(pc, PCCHOLESKY));
  } else if (rows <= (PetscInt(1) << 18)) {
    KSP inner;
    PC inner_pc;
    PetscCall(PCSetType(pc, PCREDUNDANT));
    PetscCall(PCRedundantGetKSP(pc, &inner));  // options -redundant_* still apply
    PetscCall(KSPGetPC(inner, &inner_pc));
    PetscCall(PCSetType(inner_pc, PCCHOLESKY));
  } else {
    PetscCall(PCSetType(pc, PCGAMG));
  }
  PetscCall(KSPSetTolerances(ksp_, rtol, 1e-50, PETSC_DEFAULT, 10000));
  PetscCall(KSPSetInitialGuessNonzero(ksp_, PETSC_TRUE));
  PetscCall(KSPSetFromOptions(ksp_));
  PetscCall(KSPSetUp(ksp_));
  PetscCall(DMCreateGlobalVector(da_, &rhs_));
  PetscFunctionReturn(0);
}

PetscErrorCode PoissonSolver::Solve(Vec omega, Vec psi) {
  PetscInt N, xs, ys, xm, ym, its;
  PetscScalar** r;
  KSPConvergedReason reason;
  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(LogEvents().poisson, 0, 0, 0, 0));
  PetscCall(DMDAGetInfo(da_, nullptr, nullptr, &N, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                        nullptr, nullptr, nullptr, nullptr));
  PetscCall(VecCopy(omega, rhs_));
  PetscCall(DMDAGetCorners(da_, &xs, &ys, nullptr, &xm, &ym, nullptr));
  PetscCall(DMDAVecGetArray(da_, rhs_, &r));
  for (PetscInt i = xs; i < xs + xm; ++i) {
    if (ys == 0) r[0][i] = 0;
    if (ys + ym == N) r[N - 1][i] = 0;
  }
  PetscCall(DMDAVecRestoreArray(da_, rhs_, &r));
  PetscCall(KSPSolve(ksp_, rhs_, psi));
  PetscCall(KSPGetConvergedReason(ksp_, &reason));
  PetscCall(KSPGetIterationNumber(ksp_, &its));
  iterations_ += its;
  PetscCheck(reason > 0, PetscObjectComm((PetscObject)da_), PETSC_ERR_NOT_CONVERGED,
             "LEAP rayleigh_benard: the streamfunction solve did not converge (%s after %" PetscInt_FMT
             " iterations)",
             KSPConvergedReasons[reason], its);
  PetscCall(PetscLogEventEnd(LogEvents().poisson, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

}  // namespace leap::rayleigh_benard
