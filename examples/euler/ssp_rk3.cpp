#include "euler/ssp_rk3.h"

namespace leap::euler {
namespace {

PetscBool g_registered = PETSC_FALSE;

PetscErrorCode ForgetRegistration() {
  PetscFunctionBegin;
  g_registered = PETSC_FALSE;  // TSFinalizePackage drops the tableau list
  PetscFunctionReturn(0);
}

}  // namespace

PetscErrorCode RegisterSspRk33() {
  PetscFunctionBeginUser;
  if (g_registered) PetscFunctionReturn(0);
  PetscCall(TSInitializePackage());
  const PetscReal A[9] = {0, 0, 0, 1, 0, 0, 0.25, 0.25, 0};
  const PetscReal b[3] = {1.0 / 6, 1.0 / 6, 2.0 / 3};
  const PetscReal c[3] = {0, 1, 0.5};
  PetscCall(TSRKRegister(kSspRk33, 3, 3, A, b, c, nullptr, 0, nullptr));
  PetscCall(PetscRegisterFinalize(ForgetRegistration));
  g_registered = PETSC_TRUE;
  PetscFunctionReturn(0);
}

}  // namespace leap::euler
