// The streamfunction solve of the Rayleigh–Bénard solver: -∇²ψ = ω on the vertex-centred DMDA
// (periodic in x, wall rows j = 0 and j = N-1 in y) with ψ = 0 on both walls.
//
// The 5-point Laplacian is assembled once; wall rows are identity rows (scaled like the interior
// diagonal, right-hand side 0) and interior rows drop their couplings to the walls, so the matrix is
// symmetric positive definite. The KSP has no options prefix, so -ksp_type, -pc_type, -ksp_rtol,
// -ksp_monitor ... apply to it. Default: conjugate gradients preconditioned by a sparse Cholesky
// factorisation computed once (one iteration per solve; results agree across rank counts to
// round-off): PETSc's own on one rank, a redundant copy on every rank (PCREDUNDANT) for grids up to
// 2^18 points on several ranks, and algebraic multigrid (GAMG) beyond. Other choices by options,
// e.g. -pc_type gamg, -pc_type hypre, or geometric multigrid on the attached DMDA
// (-pc_type mg -pc_mg_levels L -pc_mg_galerkin, when nx and ny-1 halve L-1 times).
#pragma once

#include <petscdmda.h>
#include <petscksp.h>

#include <memory>

namespace leap::rayleigh_benard {

class PoissonSolver {
 public:
  // `da` is a 1-dof 2-D DMDA (referenced, not copied) with spacings hx, hy; `rtol` the default
  // relative tolerance (-ksp_rtol overrides it).
  static PetscErrorCode Create(DM da, PetscReal hx, PetscReal hy, PetscReal rtol,
                               std::unique_ptr<PoissonSolver>* out);
  ~PoissonSolver();
  class Key {  // only Create() constructs
    friend class PoissonSolver;
    Key() = default;
  };
  explicit PoissonSolver(Key) {}
  PoissonSolver(const PoissonSolver&) = delete;
  PoissonSolver& operator=(const PoissonSolver&) = delete;

  // Solves -∇²ψ = ω. `omega` and `psi` are global vectors of the DMDA; the wall rows of `omega` are
  // ignored (zeroed in a work vector). `psi` holds the initial guess on entry. Fails (with a PETSc
  // error) when the KSP does not converge.
  PetscErrorCode Solve(Vec omega, Vec psi);

  KSP ksp() const { return ksp_; }
  PetscInt total_iterations() const { return iterations_; }

 private:
  PetscErrorCode Setup(DM da, PetscReal hx, PetscReal hy, PetscReal rtol);

  DM da_ = nullptr;
  Mat A_ = nullptr;
  KSP ksp_ = nullptr;
  Vec rhs_ = nullptr;
  PetscInt iterations_ = 0;
};

}  // namespace leap::rayleigh_benard
