// PETSc log events of the Rayleigh–Bénard solver, so that -log_view shows where its time goes.
#pragma once

#include <petscsys.h>

namespace leap::rayleigh_benard {

struct RBLogEvents {
  PetscClassId classid = 0;
  PetscLogEvent rhs = 0;          // "RBRHS": one right-hand-side evaluation (Poisson solve included)
  PetscLogEvent poisson = 0;      // "RBPoisson": one streamfunction solve
  PetscLogEvent diagnostics = 0;  // "RBDiagnostics": velocity, Nusselt number, kinetic energy
};

// Registers the events on first use (after PetscInitialize) and returns them.
const RBLogEvents& LogEvents();

}  // namespace leap::rayleigh_benard
