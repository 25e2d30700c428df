// The PETSc side of a dataset frame: which block of the grid a rank owns in a 2-D or 3-D DMDA, the
// DMDA's field names, and the copy of chosen dofs from a global Vec into The Well's order
// ([x][y][component] or [x][y][z][component] over the rank's block, float32), ready for
// leap::data::WellWriter.
#pragma once

#include <petscdmda.h>

#include <string>
#include <vector>

#include "leap/data/well_writer.h"

namespace leap::petsc {

// Refuses (PETSC_ERR_ARG_WRONG, with a message) a DM that is not a 2-D or 3-D DMDA; *dim (may be
// null) receives the dimension.
PetscErrorCode LeapDMDACheckDimension(DM da, PetscInt* dim);
// The rank's owned box along (x, y) or (x, y, z).
PetscErrorCode LeapDMDAGetBlock(DM da, leap::data::Block* block);
// Field names from DMDASetFieldName, "dof_<i>" where unnamed.
PetscErrorCode LeapDMDAGetFieldNames(DM da, std::vector<std::string>* names);
// Copies dofs[0..n) of the owned part of `global` into `out`, ordered [x][y][k] (k over dofs), or
// [x][y][z][k] on a 3-D DMDA.
PetscErrorCode LeapDMDACopyToWellOrder(DM da, Vec global, const std::vector<PetscInt>& dofs,
                                       std::vector<float>* out);
// The inverse: writes `in` ([x][y][k] or [x][y][z][k] over the rank's block, k over dofs) into dofs[0..n) of
// the owned part of `global` (the other dofs are left as they are).
PetscErrorCode LeapDMDACopyFromWellOrder(DM da, const std::vector<float>& in,
                                         const std::vector<PetscInt>& dofs, Vec global);

}  // namespace leap::petsc
