// The entry point PETSc calls for `-dll_append libleap_petsc.so` (PetscDLLibraryRegister_<name>,
// name = the library's file name without "lib" and the extension): registers LEAP's types so that
// an unmodified program can select them from the options database.
#include <petscts.h>

#include "leap/petsc/trajectory_recorder.h"
#include "leap/petsc/ts_leap.h"

extern "C" PetscErrorCode PetscDLLibraryRegister_leap_petsc(void) {
  PetscFunctionBeginUser;
  PetscCall(leap::petsc::LeapTSTrajectoryRegister());  // -ts_trajectory_type leap: record a dataset
  PetscCall(leap::petsc::LeapTSRegister());            // -ts_type leap: the hybrid leap-and-correct loop
  PetscFunctionReturn(0);
}
