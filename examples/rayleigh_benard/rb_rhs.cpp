// Right-hand side of the vorticity–buoyancy equations (see rb_solver.h for the equations, units and
// grid): the streamfunction solve, the wall vorticity (Thom), Arakawa's Jacobian for advection,
// 5-point diffusion and the buoyancy torque Ra Pr ∂b/∂x.
#include "rb_log.h"
#include "rb_solver.h"

namespace leap::rayleigh_benard {

namespace {

// Arakawa (1966) Jacobian J(a, q) = a_x q_y - a_y q_x at (i, j): the mean of the three second-order
// forms J++, J+x, Jx+, which conserves the discrete energy and enstrophy of 2-D advection.
// A and Q read a value at a grid index (i, j).
template <class A, class Q>
inline PetscScalar Arakawa(const A& a, const Q& q, PetscInt i, PetscInt j, PetscReal inv12hxhy) {
  const PetscScalar jpp = (a(i + 1, j) - a(i - 1, j)) * (q(i, j + 1) - q(i, j - 1)) -
                          (a(i, j + 1) - a(i, j - 1)) * (q(i + 1, j) - q(i - 1, j));
  const PetscScalar jpx =
      a(i + 1, j) * (q(i + 1, j + 1) - q(i + 1, j - 1)) - a(i - 1, j) * (q(i - 1, j + 1) - q(i - 1, j - 1)) -
      a(i, j + 1) * (q(i + 1, j + 1) - q(i - 1, j + 1)) + a(i, j - 1) * (q(i + 1, j - 1) - q(i - 1, j - 1));
  const PetscScalar jxp =
      q(i, j + 1) * (a(i + 1, j + 1) - a(i - 1, j + 1)) - q(i, j - 1) * (a(i + 1, j - 1) - a(i - 1, j - 1)) -
      q(i + 1, j) * (a(i + 1, j + 1) - a(i + 1, j - 1)) + q(i - 1, j) * (a(i - 1, j + 1) - a(i - 1, j - 1));
  return (jpp + jpx + jxp) * inv12hxhy;
}

}  // namespace

PetscErrorCode RBSolver::ComputeRHS(Vec X, Vec F) {
  PetscInt xs, ys, xm, ym, gxs, gys, gxm, gym;
  PetscScalar*** x;
  PetscScalar** p;
  PetscScalar*** f;
  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(LogEvents().rhs, 0, 0, 0, 0));
  // 1. Streamfunction of this stage (the previous stage's ψ is the initial guess).
  PetscCall(VecStrideGather(X, 0, omega_, INSERT_VALUES));
  PetscCall(poisson_->Solve(omega_, psi_));
  PetscCall(DMGlobalToLocal(da_, X, INSERT_VALUES, x_local_));
  PetscCall(DMGlobalToLocal(da_psi_, psi_, INSERT_VALUES, psi_local_));

  PetscCall(DMDAGetCorners(da_, &xs, &ys, nullptr, &xm, &ym, nullptr));
  PetscCall(DMDAGetGhostCorners(da_, &gxs, &gys, nullptr, &gxm, &gym, nullptr));
  PetscCall(DMDAVecGetArrayDOF(da_, x_local_, &x));
  PetscCall(DMDAVecGetArray(da_psi_, psi_local_, &p));
  PetscCall(DMDAVecGetArrayDOF(da_, F, &f));

  // 2. Boundary values in the ghosted local arrays: ψ = 0 on the walls, and the wall vorticity from
  //    no-slip by Thom's formula ω_wall = -2 ψ(next row)/hy² (ψ_y = 0 and ψ = 0 at the wall).
  const PetscReal inv_hy2 = 1 / (hy_ * hy_), inv_hx2 = 1 / (hx_ * hx_);
  for (PetscInt i = gxs; i < gxs + gxm; ++i) {
    if (gys == 0) {
      p[0][i] = 0;
      x[0][i][0] = -2 * p[1][i] * inv_hy2;
    }
    if (gys + gym == ny_) {
      p[ny_ - 1][i] = 0;
      x[ny_ - 1][i][0] = -2 * p[ny_ - 2][i] * inv_hy2;
    }
  }

  // 3. Interior rows: ω_t = J(ψ, ω) + Pr ∇²ω + Ra Pr ∂b/∂x, b_t = J(ψ, b) + ∇²b, where
  //    J(ψ, q) = ψ_x q_y - ψ_y q_x = -u·∇q. Wall rows do not evolve.
  const PetscReal pr = config_.prandtl, rapr = config_.rayleigh * config_.prandtl;
  const PetscReal inv12hxhy = 1 / (12 * hx_ * hy_), inv2hx = 1 / (2 * hx_);
  const auto psi = [p](PetscInt i, PetscInt j) { return p[j][i]; };
  const auto w = [x](PetscInt i, PetscInt j) { return x[j][i][0]; };
  const auto b = [x](PetscInt i, PetscInt j) { return x[j][i][1]; };
  PetscReal rate = 0;
  for (PetscInt j = ys; j < ys + ym; ++j)
    for (PetscInt i = xs; i < xs + xm; ++i) {
      if (j == 0 || j == ny_ - 1) {
        f[j][i][0] = 0;
        f[j][i][1] = 0;
        continue;
      }
      const PetscScalar lap_w = inv_hx2 * (w(i + 1, j) - 2 * w(i, j) + w(i - 1, j)) +
                                inv_hy2 * (w(i, j + 1) - 2 * w(i, j) + w(i, j - 1));
      const PetscScalar lap_b = inv_hx2 * (b(i + 1, j) - 2 * b(i, j) + b(i - 1, j)) +
                                inv_hy2 * (b(i, j + 1) - 2 * b(i, j) + b(i, j - 1));
      f[j][i][0] =
          Arakawa(psi, w, i, j, inv12hxhy) + pr * lap_w + rapr * (b(i + 1, j) - b(i - 1, j)) * inv2hx;
      f[j][i][1] = Arakawa(psi, b, i, j, inv12hxhy) + lap_b;
      // Advective rate for the next step's CFL rule: |u|/hx + |v|/hy with central differences.
      const PetscReal u = PetscAbsScalar(psi(i, j + 1) - psi(i, j - 1)) * 0.5 / hy_;
      const PetscReal v = PetscAbsScalar(psi(i + 1, j) - psi(i - 1, j)) * inv2hx;
      rate = PetscMax(rate, u / hx_ + v / hy_);
    }
  PetscCall(DMDAVecRestoreArrayDOF(da_, F, &f));
  PetscCall(DMDAVecRestoreArray(da_psi_, psi_local_, &p));
  PetscCall(DMDAVecRestoreArrayDOF(da_, x_local_, &x));
  stage_rate_ = PetscMax(stage_rate_, rate);
  PetscCall(PetscLogEventEnd(LogEvents().rhs, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

}  // namespace leap::rayleigh_benard
