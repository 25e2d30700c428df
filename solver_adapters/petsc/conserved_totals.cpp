#include "leap/petsc/conserved_totals.h"

namespace leap::petsc {

PetscErrorCode LeapConservedSums(Vec u, const std::vector<ConservedDof>& dofs,
                                 std::vector<PetscScalar>* sums) {
  PetscInt bs;
  PetscFunctionBeginUser;
  PetscCall(VecGetBlockSize(u, &bs));
  std::vector<PetscScalar> all(static_cast<size_t>(bs));
  PetscCall(VecStrideSumAll(u, all.data()));
  sums->clear();
  for (const auto& d : dofs) {
    PetscCheck(d.dof >= 0 && d.dof < bs, PetscObjectComm((PetscObject)u), PETSC_ERR_ARG_OUTOFRANGE,
               "LEAP: conserved dof %" PetscInt_FMT " out of range (block size %" PetscInt_FMT ")", d.dof,
               bs);
    sums->push_back(all[size_t(d.dof)]);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode LeapRestoreConservedSums(Vec u, const std::vector<ConservedDof>& dofs,
                                        const std::vector<PetscScalar>& target) {
  PetscInt bs, n, N;
  std::vector<PetscScalar> sums;
  PetscFunctionBeginUser;
  PetscCheck(dofs.size() == target.size(), PetscObjectComm((PetscObject)u), PETSC_ERR_ARG_SIZ,
             "LEAP: %zu conserved dofs but %zu targets", dofs.size(), target.size());
  PetscCall(LeapConservedSums(u, dofs, &sums));
  PetscCall(VecGetBlockSize(u, &bs));
  PetscCall(VecGetLocalSize(u, &n));
  PetscCall(VecGetSize(u, &N));
  const PetscReal cells = PetscReal(N / bs);
  PetscScalar* a;
  PetscCall(VecGetArray(u, &a));
  for (size_t k = 0; k < dofs.size(); ++k) {
    const PetscScalar s = sums[k], s0 = target[k];
    const bool scale =
        dofs[k].multiplicative && PetscRealPart(s) != 0 && PetscRealPart(s) * PetscRealPart(s0) > 0;
    const PetscScalar factor = scale ? s0 / s : 1, shift = scale ? 0 : (s0 - s) / cells;
    for (PetscInt i = dofs[k].dof; i < n; i += bs) a[i] = scale ? a[i] * factor : a[i] + shift;
  }
  PetscCall(VecRestoreArray(u, &a));
  PetscFunctionReturn(0);
}

}  // namespace leap::petsc
