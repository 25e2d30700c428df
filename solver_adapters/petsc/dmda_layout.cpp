#include "leap/petsc/dmda_layout.h"

namespace leap::petsc {

PetscErrorCode LeapDMDACheck2D(DM da) {
  PetscBool isda = PETSC_FALSE;
  PetscInt dim = 0;
  PetscFunctionBeginUser;
  PetscCall(PetscObjectTypeCompare((PetscObject)da, DMDA, &isda));
  PetscCheck(isda, PetscObjectComm((PetscObject)da), PETSC_ERR_ARG_WRONG,
             "LEAP: the solver's DM is not a DMDA (LEAP maps DMDA grids only)");
  PetscCall(DMGetDimension(da, &dim));
  PetscCheck(dim == 2, PetscObjectComm((PetscObject)da), PETSC_ERR_ARG_WRONG,
             "LEAP: the DMDA is %" PetscInt_FMT "-D; LEAP supports 2-D DMDAs", dim);
  PetscFunctionReturn(0);
}

PetscErrorCode LeapDMDAGetBlock(DM da, leap::data::Block* block) {
  PetscInt xs, ys, xm, ym;
  PetscFunctionBeginUser;
  PetscCall(LeapDMDACheck2D(da));
  PetscCall(DMDAGetCorners(da, &xs, &ys, nullptr, &xm, &ym, nullptr));
  block->start = {int64_t(xs), int64_t(ys)};
  block->count = {int64_t(xm), int64_t(ym)};
  PetscFunctionReturn(0);
}

PetscErrorCode LeapDMDAGetFieldNames(DM da, std::vector<std::string>* names) {
  PetscInt dof;
  PetscFunctionBeginUser;
  PetscCall(DMDAGetInfo(da, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, &dof, nullptr,
                        nullptr, nullptr, nullptr, nullptr));
  names->clear();
  for (PetscInt c = 0; c < dof; ++c) {
    const char* name = nullptr;
    PetscCall(DMDAGetFieldName(da, c, &name));
    names->push_back(name && name[0] ? std::string(name) : "dof_" + std::to_string(c));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode LeapDMDACopyToWellOrder(DM da, Vec global, const std::vector<PetscInt>& dofs,
                                       std::vector<float>* out) {
  PetscInt xs, ys, xm, ym, dof;
  const PetscScalar*** a;
  PetscFunctionBeginUser;
  PetscCall(DMDAGetCorners(da, &xs, &ys, nullptr, &xm, &ym, nullptr));
  PetscCall(DMDAGetInfo(da, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, &dof, nullptr,
                        nullptr, nullptr, nullptr, nullptr));
  for (PetscInt d : dofs)
    PetscCheck(d >= 0 && d < dof, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE,
               "LEAP: dof %" PetscInt_FMT " out of range [0, %" PetscInt_FMT ")", d, dof);
  const size_t k = dofs.size();
  out->resize(size_t(xm) * size_t(ym) * k);
  PetscCall(DMDAVecGetArrayDOFRead(da, global, &a));
  for (PetscInt i = 0; i < xm; ++i)
    for (PetscInt j = 0; j < ym; ++j)
      for (size_t c = 0; c < k; ++c)
        (*out)[(size_t(i) * size_t(ym) + size_t(j)) * k + c] = float(PetscRealPart(a[ys + j][xs + i][dofs[c]]));
  PetscCall(DMDAVecRestoreArrayDOFRead(da, global, &a));
  PetscFunctionReturn(0);
}

PetscErrorCode LeapDMDACopyFromWellOrder(DM da, const std::vector<float>& in, const std::vector<PetscInt>& dofs,
                                         Vec global) {
  PetscInt xs, ys, xm, ym, dof;
  PetscScalar*** a;
  PetscFunctionBeginUser;
  PetscCall(DMDAGetCorners(da, &xs, &ys, nullptr, &xm, &ym, nullptr));
  PetscCall(DMDAGetInfo(da, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, &dof, nullptr,
                        nullptr, nullptr, nullptr, nullptr));
  for (PetscInt d : dofs)
    PetscCheck(d >= 0 && d < dof, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE,
               "LEAP: dof %" PetscInt_FMT " out of range [0, %" PetscInt_FMT ")", d, dof);
  const size_t k = dofs.size();
  PetscCheck(in.size() == size_t(xm) * size_t(ym) * k, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ,
             "LEAP: %zu values for a %" PetscInt_FMT " x %" PetscInt_FMT " block of %zu dofs", in.size(), xm, ym, k);
  PetscCall(DMDAVecGetArrayDOF(da, global, &a));
  for (PetscInt i = 0; i < xm; ++i)
    for (PetscInt j = 0; j < ym; ++j)
      for (size_t c = 0; c < k; ++c) a[ys + j][xs + i][dofs[c]] = PetscScalar(in[(size_t(i) * size_t(ym) + size_t(j)) * k + c]);
  PetscCall(DMDAVecRestoreArrayDOF(da, global, &a));
  PetscFunctionReturn(0);
}

}  // namespace leap::petsc
