#include "rb_log.h"

namespace leap::rayleigh_benard {

namespace {
RBLogEvents Register() {
  RBLogEvents e;
  // Registration only fails when PETSc is not initialised; the events then stay 0 (no logging).
  if (PetscClassIdRegister("LEAP RB", &e.classid)) return e;
  (void)PetscLogEventRegister("RBRHS", e.classid, &e.rhs);
  (void)PetscLogEventRegister("RBPoisson", e.classid, &e.poisson);
  (void)PetscLogEventRegister("RBDiagnostics", e.classid, &e.diagnostics);
  return e;
}
}  // namespace

const RBLogEvents& LogEvents() {
  static const RBLogEvents events = Register();
  return events;
}

}  // namespace leap::rayleigh_benard
