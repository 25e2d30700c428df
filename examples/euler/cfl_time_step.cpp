#include "euler/cfl_time_step.h"

#include <algorithm>
#include <cmath>

#include "euler/euler_rhs.h"
#include "euler/gas_state.h"

namespace leap::euler {

template <int D>
PetscErrorCode CflTimeStep(DM da, Vec U, PetscReal gamma, const std::array<PetscReal, D>& h, PetscReal cfl,
                           PetscReal* dt) {
  const PetscScalar* a;
  PetscInt n;
  PetscLogEvent cfl_event;
  PetscFunctionBeginUser;
  PetscCall(EulerLogEvents<D>(nullptr, &cfl_event));
  PetscCall(PetscLogEventBegin(cfl_event, da, U, 0, 0));
  PetscCall(VecGetLocalSize(U, &n));
  // [0]: the largest signal rate, [1]: 1 where some cell is not admissible.
  PetscReal local[2] = {0, 0}, global[2];
  PetscCall(VecGetArrayRead(U, &a));
  const auto* u = reinterpret_cast<const Conserved<D>*>(a);
  for (PetscInt c = 0; c < n / (D + 2); ++c) {  // the owned cells
    const Primitive<D> w = ToPrimitive(u[c], gamma);
    if (!IsAdmissible(w)) {
      local[1] = 1;
      continue;
    }
    const PetscReal sound = SoundSpeed(w, gamma);
    PetscReal rate = 0;
    for (int ax = 0; ax < D; ++ax) rate += (std::abs(w.vel(ax)) + sound) / h[size_t(ax)];
    local[0] = std::max(local[0], rate);
  }
  PetscCall(VecRestoreArrayRead(U, &a));
  PetscCall(MPIU_Allreduce(local, global, 2, MPIU_REAL, MPIU_MAX, PetscObjectComm((PetscObject)da)));
  PetscCall(PetscLogEventEnd(cfl_event, da, U, 0, 0));
  PetscCheck(global[1] == 0, PetscObjectComm((PetscObject)da), PETSC_ERR_FP,
             "%s: the state has a non-positive or non-finite density or pressure; no time step can be taken",
             SolverName<D>());
  PetscCheck(global[0] > 0, PetscObjectComm((PetscObject)da), PETSC_ERR_FP,
             "%s: no signal speed in the state", SolverName<D>());
  *dt = cfl / global[0];
  PetscFunctionReturn(0);
}

template PetscErrorCode CflTimeStep<2>(DM, Vec, PetscReal, const std::array<PetscReal, 2>&, PetscReal,
                                       PetscReal*);
template PetscErrorCode CflTimeStep<3>(DM, Vec, PetscReal, const std::array<PetscReal, 3>&, PetscReal,
                                       PetscReal*);

}  // namespace leap::euler
