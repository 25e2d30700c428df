#include "euler2d/cfl_time_step.h"

#include <algorithm>
#include <cmath>

#include "euler2d/euler_rhs.h"
#include "euler2d/gas_state.h"

namespace leap::euler2d {

PetscErrorCode CflTimeStep(DM da, Vec U, PetscReal gamma, PetscReal dx, PetscReal dy, PetscReal cfl,
                           PetscReal* dt) {
  const Conserved** u;
  PetscInt xs, ys, xm, ym;
  PetscLogEvent cfl_event;
  PetscFunctionBeginUser;
  PetscCall(EulerLogEvents(nullptr, &cfl_event));
  PetscCall(PetscLogEventBegin(cfl_event, da, U, 0, 0));
  PetscCall(DMDAGetCorners(da, &xs, &ys, nullptr, &xm, &ym, nullptr));
  // [0]: the largest signal rate, [1]: 1 where some cell is not admissible.
  PetscReal local[2] = {0, 0}, global[2];
  PetscCall(DMDAVecGetArrayRead(da, U, &u));
  for (PetscInt j = ys; j < ys + ym; ++j)
    for (PetscInt i = xs; i < xs + xm; ++i) {
      const Primitive w = ToPrimitive(u[j][i], gamma);
      if (!IsAdmissible(w)) {
        local[1] = 1;
        continue;
      }
      const PetscReal c = SoundSpeed(w, gamma);
      local[0] = std::max(local[0], (std::abs(w.u) + c) / dx + (std::abs(w.v) + c) / dy);
    }
  PetscCall(DMDAVecRestoreArrayRead(da, U, &u));
  PetscCall(MPIU_Allreduce(local, global, 2, MPIU_REAL, MPIU_MAX, PetscObjectComm((PetscObject)da)));
  PetscCall(PetscLogEventEnd(cfl_event, da, U, 0, 0));
  PetscCheck(
      global[1] == 0, PetscObjectComm((PetscObject)da), PETSC_ERR_FP,
      "Euler2d: the state has a non-positive or non-finite density or pressure; no time step can be taken");
  PetscCheck(global[0] > 0, PetscObjectComm((PetscObject)da), PETSC_ERR_FP,
             "Euler2d: no signal speed in the state");
  *dt = cfl / global[0];
  PetscFunctionReturn(0);
}

}  // namespace leap::euler2d
