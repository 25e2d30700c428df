// The cells of this rank of a 2-D or 3-D DMDA as boxes of three axes (a 2-D DMDA has one cell along
// z): the owned box and the ghosted box, and the flat index of a cell in each (x fastest), which is
// its place in a global vector's local part and in a local vector. The Euler kernels read and write
// cells through these indices, so that one loop serves both dimensions.
#pragma once

#include <petscdmda.h>

#include <array>
#include <cstddef>

namespace leap::euler {

struct CellBox {
  PetscInt dim = 0;
  std::array<PetscInt, 3> n{};   // cells of the whole grid per axis
  std::array<PetscInt, 3> s{};   // first owned cell per axis
  std::array<PetscInt, 3> m{};   // owned cells per axis
  std::array<PetscInt, 3> gs{};  // first ghosted cell per axis
  std::array<PetscInt, 3> gm{};  // ghosted cells per axis
  std::array<DMBoundaryType, 3> bc{DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE};
  PetscInt stencil_width = 0;

  size_t owned_cells() const { return size_t(m[0]) * size_t(m[1]) * size_t(m[2]); }
  size_t ghosted_cells() const { return size_t(gm[0]) * size_t(gm[1]) * size_t(gm[2]); }
  bool periodic(int axis) const { return bc[size_t(axis)] == DM_BOUNDARY_PERIODIC; }
  // Flat index of an owned cell among the owned cells.
  size_t Owned(PetscInt i, PetscInt j, PetscInt k) const {
    return (size_t(k - s[2]) * size_t(m[1]) + size_t(j - s[1])) * size_t(m[0]) + size_t(i - s[0]);
  }
  // Flat index of a cell of the ghosted box among the ghosted cells.
  size_t Ghosted(PetscInt i, PetscInt j, PetscInt k) const {
    return (size_t(k - gs[2]) * size_t(gm[1]) + size_t(j - gs[1])) * size_t(gm[0]) + size_t(i - gs[0]);
  }
  // Distance between neighbours along `axis` in the ghosted box.
  size_t GhostedStride(int axis) const {
    return axis == 0 ? 1 : axis == 1 ? size_t(gm[0]) : size_t(gm[0]) * size_t(gm[1]);
  }
};

inline PetscErrorCode GetCellBox(DM da, CellBox* b) {
  PetscFunctionBeginUser;
  PetscCall(DMDAGetInfo(da, &b->dim, &b->n[0], &b->n[1], &b->n[2], nullptr, nullptr, nullptr, nullptr,
                        &b->stencil_width, &b->bc[0], &b->bc[1], &b->bc[2], nullptr));
  PetscCheck(b->dim == 2 || b->dim == 3, PetscObjectComm((PetscObject)da), PETSC_ERR_ARG_WRONG,
             "LEAP Euler: a %" PetscInt_FMT "-D DMDA; the Euler solvers take 2-D and 3-D ones", b->dim);
  PetscCall(DMDAGetCorners(da, &b->s[0], &b->s[1], &b->s[2], &b->m[0], &b->m[1], &b->m[2]));
  PetscCall(DMDAGetGhostCorners(da, &b->gs[0], &b->gs[1], &b->gs[2], &b->gm[0], &b->gm[1], &b->gm[2]));
  if (b->dim == 2) {  // DMDAGetCorners gives zs = 0, zm = 1 already; the grid has one cell along z
    b->n[2] = 1;
    b->bc[2] = DM_BOUNDARY_NONE;
  }
  PetscFunctionReturn(0);
}

// Calls f(n, o) for every owned cell in The Well's order [x][y][z] (x slowest): n counts the cells
// in that order, o is the cell's flat owned index (CellBox::Owned).
template <class F>
void ForEachCellInWellOrder(const CellBox& b, F&& f) {
  size_t n = 0;
  for (PetscInt i = b.s[0]; i < b.s[0] + b.m[0]; ++i)
    for (PetscInt j = b.s[1]; j < b.s[1] + b.m[1]; ++j)
      for (PetscInt k = b.s[2]; k < b.s[2] + b.m[2]; ++k) f(n++, b.Owned(i, j, k));
}

}  // namespace leap::euler
