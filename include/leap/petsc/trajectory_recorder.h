// TSTrajectory type "leap": records every accepted step of a TS on a 2-D DMDA as a dataset in The
// Well's schema, so any existing PETSc program generates training data without changes:
//   prog -dll_append libleap_petsc.so -ts_save_trajectory -ts_trajectory_type leap -leap_out DIR
// Fields are the DMDA's dofs (their DMDASetFieldName names, dof_<i> when unnamed), the grid and the
// boundary types come from the DMDA. Options: -leap_out DIR (required), -leap_split train|valid|test
// (default train: the file goes to DIR/<split>/), -leap_dataset_name NAME (default petsc_ts),
// -leap_record_every K (every K-th step, default 1). When the trajectory is destroyed the file is
// renamed into place and DIR/stats.yaml is computed from DIR/train/*.hdf5.
#pragma once

#include <petscts.h>

namespace leap::petsc {

PetscErrorCode TSTrajectoryCreate_Leap(TSTrajectory tj, TS ts);
// Registers "leap" (called by PetscDLLibraryRegister_leap_petsc for -dll_append).
PetscErrorCode LeapTSTrajectoryRegister();

}  // namespace leap::petsc

// PetscDLLibraryRegister_leap_petsc (declared in ts_leap.h, defined in dll_register.cpp) registers
// this type and the TS type "leap".
