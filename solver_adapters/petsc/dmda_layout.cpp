#include "leap/petsc/dmda_layout.h"

namespace leap::petsc {

namespace {

// The owned box (start and count along x, y, z; z = (0, 1) on a 2-D DMDA) and the dof count.
struct OwnedBox {
  PetscInt xs, ys, zs, xm, ym, zm, dof, dim;
  size_t cells() const { return size_t(xm) * size_t(ym) * size_t(zm); }
  // Index of cell (i, j, l) of the box in The Well's order [x][y][z].
  size_t well_index(PetscInt i, PetscInt j, PetscInt l) const {
    return (size_t(i) * size_t(ym) + size_t(j)) * size_t(zm) + size_t(l);
  }
};

PetscErrorCode GetOwnedBox(DM da, OwnedBox* b) {
  PetscFunctionBeginUser;
  PetscCall(LeapDMDACheckDimension(da, &b->dim));
  PetscCall(DMDAGetCorners(da, &b->xs, &b->ys, &b->zs, &b->xm, &b->ym, &b->zm));
  if (b->dim == 2) {
    b->zs = 0;
    b->zm = 1;
  }
  PetscCall(DMDAGetInfo(da, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, &b->dof, nullptr,
                        nullptr, nullptr, nullptr, nullptr));
  PetscFunctionReturn(0);
}

PetscErrorCode CheckDofs(const OwnedBox& b, const std::vector<PetscInt>& dofs) {
  PetscFunctionBeginUser;
  for (PetscInt d : dofs)
    PetscCheck(d >= 0 && d < b.dof, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE,
               "LEAP: dof %" PetscInt_FMT " out of range [0, %" PetscInt_FMT ")", d, b.dof);
  PetscFunctionReturn(0);
}

// Calls f(well_index, dof array of the cell) for every owned cell, on a 2-D or 3-D DOF array.
template <class Array, class F>
void ForEachCell(const OwnedBox& b, Array a, F&& f) {
  for (PetscInt i = 0; i < b.xm; ++i)
    for (PetscInt j = 0; j < b.ym; ++j)
      for (PetscInt l = 0; l < b.zm; ++l) f(b.well_index(i, j, l), a(b.xs + i, b.ys + j, b.zs + l));
}

}  // namespace

PetscErrorCode LeapDMDACheckDimension(DM da, PetscInt* dim) {
  PetscBool isda = PETSC_FALSE;
  PetscInt d = 0;
  PetscFunctionBeginUser;
  PetscCall(PetscObjectTypeCompare((PetscObject)da, DMDA, &isda));
  PetscCheck(isda, PetscObjectComm((PetscObject)da), PETSC_ERR_ARG_WRONG,
             "LEAP: the solver's DM is not a DMDA (LEAP maps DMDA grids only)");
  PetscCall(DMGetDimension(da, &d));
  PetscCheck(d == 2 || d == 3, PetscObjectComm((PetscObject)da), PETSC_ERR_ARG_WRONG,
             "LEAP: the DMDA is %" PetscInt_FMT "-D; LEAP supports 2-D and 3-D DMDAs", d);
  if (dim) *dim = d;
  PetscFunctionReturn(0);
}

PetscErrorCode LeapDMDAGetBlock(DM da, leap::data::Block* block) {
  OwnedBox b;
  PetscFunctionBeginUser;
  PetscCall(GetOwnedBox(da, &b));
  block->start = {int64_t(b.xs), int64_t(b.ys)};
  block->count = {int64_t(b.xm), int64_t(b.ym)};
  if (b.dim == 3) {
    block->start.push_back(int64_t(b.zs));
    block->count.push_back(int64_t(b.zm));
  }
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
  OwnedBox b;
  PetscFunctionBeginUser;
  PetscCall(GetOwnedBox(da, &b));
  PetscCall(CheckDofs(b, dofs));
  const size_t k = dofs.size();
  out->resize(b.cells() * k);
  const auto copy = [&](size_t n, const PetscScalar* cell) {
    for (size_t c = 0; c < k; ++c) (*out)[n * k + c] = float(PetscRealPart(cell[dofs[c]]));
  };
  if (b.dim == 2) {
    const PetscScalar*** a;
    PetscCall(DMDAVecGetArrayDOFRead(da, global, &a));
    ForEachCell(
        b, [&](PetscInt i, PetscInt j, PetscInt) { return a[j][i]; }, copy);
    PetscCall(DMDAVecRestoreArrayDOFRead(da, global, &a));
  } else {
    const PetscScalar**** a;
    PetscCall(DMDAVecGetArrayDOFRead(da, global, &a));
    ForEachCell(
        b, [&](PetscInt i, PetscInt j, PetscInt l) { return a[l][j][i]; }, copy);
    PetscCall(DMDAVecRestoreArrayDOFRead(da, global, &a));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode LeapDMDACopyFromWellOrder(DM da, const std::vector<float>& in,
                                         const std::vector<PetscInt>& dofs, Vec global) {
  OwnedBox b;
  PetscFunctionBeginUser;
  PetscCall(GetOwnedBox(da, &b));
  PetscCall(CheckDofs(b, dofs));
  const size_t k = dofs.size();
  PetscCheck(in.size() == b.cells() * k, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ,
             "LEAP: %zu values for a %" PetscInt_FMT " x %" PetscInt_FMT " x %" PetscInt_FMT
             " block of %zu dofs",
             in.size(), b.xm, b.ym, b.zm, k);
  const auto copy = [&](size_t n, PetscScalar* cell) {
    for (size_t c = 0; c < k; ++c) cell[dofs[c]] = PetscScalar(in[n * k + c]);
  };
  if (b.dim == 2) {
    PetscScalar*** a;
    PetscCall(DMDAVecGetArrayDOF(da, global, &a));
    ForEachCell(
        b, [&](PetscInt i, PetscInt j, PetscInt) { return a[j][i]; }, copy);
    PetscCall(DMDAVecRestoreArrayDOF(da, global, &a));
  } else {
    PetscScalar**** a;
    PetscCall(DMDAVecGetArrayDOF(da, global, &a));
    ForEachCell(
        b, [&](PetscInt i, PetscInt j, PetscInt l) { return a[l][j][i]; }, copy);
    PetscCall(DMDAVecRestoreArrayDOF(da, global, &a));
  }
  PetscFunctionReturn(0);
}

}  // namespace leap::petsc
