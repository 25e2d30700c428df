// Private to libleap_petsc: the leap policy's settings as PETSc options, read the same way by every
// PETSc route (-leap_leap_frames, -leap_solver_frames, -leap_max_spread, -leap_check_every,
// -leap_check_tolerance, -leap_min_leap_frames, -leap_max_leap_frames; docs/leap_policy.md).
#pragma once

#include <petscsys.h>

#include "leap/plugin/leap_policy.h"

namespace leap::petsc {

// Inside PetscOptionsBegin/End: reads the options into `p`, whose values are the defaults shown
// (-help) and kept where an option is not given. `manual`: the man page named in -help.
PetscErrorCode LeapPolicyOptionsRead(PetscOptionItems* PetscOptionsObject, const char* manual,
                                     plugin::LeapPolicyOptions* p);

}  // namespace leap::petsc
