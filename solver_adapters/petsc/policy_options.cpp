// The leap policy's PETSc options (see policy_options.h).
#include "policy_options.h"

namespace leap::petsc {

PetscErrorCode LeapPolicyOptionsRead(PetscOptionItems* PetscOptionsObject, const char* manual,
                                     plugin::LeapPolicyOptions* p) {
  PetscInt leap = PetscInt(p->leap_frames), solver = PetscInt(p->solver_frames),
           every = PetscInt(p->check_every);
  PetscInt lo = PetscInt(p->min_leap_frames), hi = PetscInt(p->max_leap_frames);
  PetscReal spread = p->max_spread, tol = p->check_tolerance, noise = p->guidance_noise;
  PetscInt factor = PetscInt(p->coarse_factor), iterations = PetscInt(p->guidance_iterations);
  char guidance[32];
  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(guidance, p->guidance.c_str(), sizeof(guidance)));
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
  PetscCall(PetscOptionsString("-leap_guidance", "solver guidance: off, coarse or coarse_only", manual,
                               guidance, guidance, sizeof(guidance), nullptr));
  PetscCall(PetscOptionsInt("-leap_coarse_factor",
                            "solver guidance: cells per axis of the fine grid per coarse cell", manual,
                            factor, &factor, nullptr));
  PetscCall(PetscOptionsReal("-leap_guidance_noise", "solver guidance: observation noise (normalised units)",
                             manual, noise, &noise, nullptr));
  PetscCall(PetscOptionsInt("-leap_guidance_iterations", "solver guidance: MMPS linear-solver iterations",
                            manual, iterations, &iterations, nullptr));
  p->guidance = guidance;
  p->coarse_factor = factor;
  p->guidance_noise = double(noise);
  p->guidance_iterations = iterations;
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
