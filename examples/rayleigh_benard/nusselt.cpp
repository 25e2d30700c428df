#include "nusselt.h"

#include "rb_log.h"

namespace leap::rayleigh_benard {

PetscErrorCode ComputeNusselt(DM da, Vec state, DM da_vel, Vec velocity, PetscReal hy, Nusselt* nu) {
  PetscInt M, N, xs, ys, xm, ym;
  const PetscScalar*** s;
  const PetscScalar*** vel;
  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(LogEvents().diagnostics, 0, 0, 0, 0));
  PetscCall(DMDAGetInfo(da, nullptr, &M, &N, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                        nullptr, nullptr, nullptr));
  PetscCall(DMDAGetCorners(da, &xs, &ys, nullptr, &xm, &ym, nullptr));
  PetscCall(DMDAVecGetArrayDOFRead(da, state, &s));
  PetscCall(DMDAVecGetArrayDOFRead(da_vel, velocity, &vel));
  // Each rank adds the terms of the rows it owns, so no ghost rows are needed. One-sided
  // second-order differences: bottom -db/dy(0) = (3 b_0 - 4 b_1 + b_2) / (2 hy),
  // top -db/dy(1) = (-3 b_{N-1} + 4 b_{N-2} - b_{N-3}) / (2 hy).
  PetscReal sums[3] = {0, 0, 0};
  for (PetscInt j = ys; j < ys + ym; ++j) {
    PetscReal cb = 0, ct = 0;
    if (j == 0) cb = 3;
    if (j == 1) cb = -4;
    if (j == 2) cb = 1;
    if (j == N - 1) ct = -3;
    if (j == N - 2) ct = 4;
    if (j == N - 3) ct = -1;
    const PetscReal wy = (j == 0 || j == N - 1) ? 0.5 : 1.0;
    for (PetscInt i = xs; i < xs + xm; ++i) {
      const PetscReal b = PetscRealPart(s[j][i][1]);
      sums[0] += cb * b;
      sums[1] += ct * b;
      sums[2] += wy * PetscRealPart(vel[j][i][1]) * b;
    }
  }
  PetscCall(DMDAVecRestoreArrayDOFRead(da_vel, velocity, &vel));
  PetscCall(DMDAVecRestoreArrayDOFRead(da, state, &s));
  PetscReal total[3];
  PetscCallMPI(MPI_Allreduce(sums, total, 3, MPIU_REAL, MPIU_SUM, PetscObjectComm((PetscObject)da)));
  nu->bottom = total[0] / (2 * hy * PetscReal(M));
  nu->top = total[1] / (2 * hy * PetscReal(M));
  nu->volume = 1 + total[2] * hy / PetscReal(M);
  PetscCall(PetscLogEventEnd(LogEvents().diagnostics, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

}  // namespace leap::rayleigh_benard
