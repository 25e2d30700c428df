// TSTrajectory type "leap": records every accepted step of a TS on a 2-D or 3-D DMDA as a dataset in The
// Well's schema, so any existing PETSc program generates training data without changes:
//   prog -dll_append libleap_petsc.so -ts_save_trajectory -ts_trajectory_type leap -leap_out DIR
// Fields are the DMDA's dofs (their DMDASetFieldName names, dof_<i> when unnamed), the grid and the
// boundary types come from the DMDA. Options: -leap_out DIR (required: a collection in The Well's
// layout), -leap_dataset_name NAME (default petsc_ts: the dataset DIR/NAME and its file NAME.hdf5),
// -leap_split train|valid|test (default train: the file goes to DIR/NAME/data/<split>/),
// -leap_record_every K (every K-th step, default 1). Files already in DIR/NAME must have the same
// grid and fields (else an error before the first step is recorded). When the trajectory is
// destroyed the file is renamed into place and DIR/NAME/stats.yaml is computed from its train split.
#pragma once

#include <petscts.h>

namespace leap::petsc {

PetscErrorCode TSTrajectoryCreate_Leap(TSTrajectory tj, TS ts);
// Registers "leap" (called by PetscDLLibraryRegister_leap_petsc for -dll_append).
PetscErrorCode LeapTSTrajectoryRegister();

}  // namespace leap::petsc

// PetscDLLibraryRegister_leap_petsc (declared in ts_leap.h, defined in dll_register.cpp) registers
// this type and the TS type "leap".
