// The leap policy's PETSc options (see policy_options.h).
#include "policy_options.h"

namespace leap::petsc {

PetscErrorCode LeapPolicyOptionsRead(PetscOptionItems* PetscOptionsObject, const char* manual,
                                     plugin::LeapPolicyOptions* p) {
  PetscInt leap = PetscInt(p->leap_frames), solver = PetscInt(p->solver_frames),
           every = PetscInt(p->check_every);
  PetscInt lo = PetscInt(p->min_leap_frames), hi = PetscInt(p->max_leap_frames);
  PetscReal spread = p->max_spread, tol = p->check_tolerance;
  PetscFunctionBeginUser;
  PetscCall(
      PetscOptionsInt("-leap_leap_frames", "frames (steps) skipped by a leap", manual, leap, &leap, nullptr));
  PetscCall(PetscOptionsInt("-leap_solver_frames", "solver steps between leaps (and before the first one)",
                            manual, solver, &solver, nullptr));
  PetscCall(PetscOptionsReal("-leap_max_spread",
                             "reject a leap whose relative ensemble spread is above this (0: never)", manual,
                             spread, &spread, nullptr));
  PetscCall(
      PetscOptionsInt("-leap_check_every",
                      "check every k-th leap against the program's solver over the same steps (0: never)",
                      manual, every, &every, nullptr));
  PetscCall(PetscOptionsReal("-leap_check_tolerance", "the VRMSE a checked leap may have", manual, tol, &tol,
                             nullptr));
  PetscCall(PetscOptionsInt("-leap_min_leap_frames", "shortest leap check mode adapts to", manual, lo, &lo,
                            nullptr));
  PetscCall(PetscOptionsInt("-leap_max_leap_frames", "longest leap check mode adapts to (0: 4 x leap_frames)",
                            manual, hi, &hi, nullptr));
  p->leap_frames = leap;
  p->solver_frames = solver;
  p->max_spread = double(spread);
  p->check_every = every;
  p->check_tolerance = double(tol);
  p->min_leap_frames = lo;
  p->max_leap_frames = hi;
  PetscFunctionReturn(0);
}

}  // namespace leap::petsc
