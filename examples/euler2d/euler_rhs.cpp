#include "euler2d/euler_rhs.h"

#include <algorithm>

#include "euler2d/hllc_flux.h"

namespace leap::euler2d {
namespace {

PetscLogEvent g_rhs_event = 0;
PetscLogEvent g_cfl_event = 0;
PetscBool g_events_registered = PETSC_FALSE;

PetscErrorCode ForgetLogEvents() {
  PetscFunctionBegin;
  g_events_registered = PETSC_FALSE;
  PetscFunctionReturn(0);
}

// The HLLC fluxes through every face of the rank's cells, from the primitive variables P(i, j)
// on the owned cells and the star-shaped ghost region.
template <Limiter kLimiter, class Prim>
void ComputeFaceFluxes(EulerRHSContext* ctx, PetscInt xs, PetscInt ys, PetscInt xm, PetscInt ym,
                       const Prim& P) {
  const PetscReal gamma = ctx->gamma;
  // Faces normal to x: face f of row j lies between cells f-1 and f, for f in [xs, xs+xm].
  const size_t nfx = size_t(xm) + 1;
  ctx->flux_x.resize(nfx * size_t(ym));
  ctx->faces.resize(size_t(std::max(xm, ym)) + 2);
  ctx->faces_prev.resize(size_t(xm));
  for (PetscInt j = ys; j < ys + ym; ++j) {
    FaceStates* cell = ctx->faces.data() + 1;  // cell[i - xs] for i in [xs-1, xs+xm]
    for (PetscInt i = xs - 1; i <= xs + xm; ++i)
      cell[i - xs] = ReconstructFaces<kLimiter>(P(i - 1, j), P(i, j), P(i + 1, j));
    Conserved* row = ctx->flux_x.data() + size_t(j - ys) * nfx;
    for (PetscInt fi = xs; fi <= xs + xm; ++fi)
      row[fi - xs] = HllcFluxX(cell[fi - 1 - xs].plus, cell[fi - xs].minus, gamma);
  }

  // Faces normal to y: face g of column i lies between cells g-1 and g, for g in [ys, ys+ym].
  ctx->flux_y.resize(size_t(xm) * (size_t(ym) + 1));
  for (PetscInt j = ys - 1; j <= ys + ym; ++j) {
    FaceStates* cur = ctx->faces.data();
    for (PetscInt i = xs; i < xs + xm; ++i)
      cur[i - xs] = ReconstructFaces<kLimiter>(P(i, j - 1), P(i, j), P(i, j + 1));
    if (j >= ys) {
      Conserved* row = ctx->flux_y.data() + size_t(j - ys) * size_t(xm);
      for (PetscInt i = xs; i < xs + xm; ++i)
        row[i - xs] = HllcFluxY(ctx->faces_prev[i - xs].plus, cur[i - xs].minus, gamma);
    }
    std::copy(cur, cur + xm, ctx->faces_prev.begin());
  }
}

}  // namespace

PetscErrorCode EulerLogEvents(PetscLogEvent* rhs, PetscLogEvent* cfl) {
  PetscFunctionBeginUser;
  if (!g_events_registered) {
    PetscClassId classid;
    PetscCall(PetscClassIdRegister("LEAP Euler2d", &classid));
    PetscCall(PetscLogEventRegister("Euler2dRHS", classid, &g_rhs_event));
    PetscCall(PetscLogEventRegister("Euler2dCFL", classid, &g_cfl_event));
    PetscCall(PetscRegisterFinalize(ForgetLogEvents));
    g_events_registered = PETSC_TRUE;
  }
  if (rhs) *rhs = g_rhs_event;
  if (cfl) *cfl = g_cfl_event;
  PetscFunctionReturn(0);
}

PetscErrorCode FillOpenBoundaryGhosts(DM da, Vec local) {
  DMBoundaryType bx, by;
  PetscInt M, N, xs, ys, xm, ym, sw;
  Conserved** u;
  PetscFunctionBeginUser;
  PetscCall(DMDAGetInfo(da, nullptr, &M, &N, nullptr, nullptr, nullptr, nullptr, nullptr, &sw, &bx, &by,
                        nullptr, nullptr));
  if (bx == DM_BOUNDARY_PERIODIC && by == DM_BOUNDARY_PERIODIC) PetscFunctionReturn(0);
  PetscCall(DMDAGetCorners(da, &xs, &ys, nullptr, &xm, &ym, nullptr));
  PetscCall(DMDAVecGetArray(da, local, &u));
  if (bx != DM_BOUNDARY_PERIODIC) {
    for (PetscInt j = ys; j < ys + ym; ++j) {
      if (xs == 0)
        for (PetscInt g = 1; g <= sw; ++g) u[j][-g] = u[j][0];
      if (xs + xm == M)
        for (PetscInt g = 0; g < sw; ++g) u[j][M + g] = u[j][M - 1];
    }
  }
  if (by != DM_BOUNDARY_PERIODIC) {
    for (PetscInt i = xs; i < xs + xm; ++i) {
      if (ys == 0)
        for (PetscInt g = 1; g <= sw; ++g) u[-g][i] = u[0][i];
      if (ys + ym == N)
        for (PetscInt g = 0; g < sw; ++g) u[N + g][i] = u[N - 1][i];
    }
  }
  PetscCall(DMDAVecRestoreArray(da, local, &u));
  PetscFunctionReturn(0);
}

PetscErrorCode EulerRHSFunction(TS ts, PetscReal /*t*/, Vec U, Vec F, void* ctx_) {
  auto* ctx = static_cast<EulerRHSContext*>(ctx_);
  DM da = ctx->da;
  Vec local;
  const Conserved** u;
  Conserved** f;
  PetscInt xs, ys, xm, ym, gxs, gys, gxm, gym;
  PetscLogEvent rhs_event;
  PetscFunctionBeginUser;
  PetscCall(DMDAGetCorners(da, &xs, &ys, nullptr, &xm, &ym, nullptr));
  PetscCall(DMDAGetGhostCorners(da, &gxs, &gys, nullptr, &gxm, &gym, nullptr));
  PetscCheck(xs - gxs >= 2 && ys - gys >= 2 && gxs + gxm - xs - xm >= 2 && gys + gym - ys - ym >= 2,
             PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG,
             "Euler2d: the DMDA needs two ghost cells on every side (stencil width 2, periodic or ghosted)");
  PetscCall(EulerLogEvents(&rhs_event, nullptr));
  PetscCall(PetscLogEventBegin(rhs_event, ts, U, F, 0));
  PetscCall(DMGetLocalVector(da, &local));
  PetscCall(DMGlobalToLocalBegin(da, U, INSERT_VALUES, local));
  PetscCall(DMGlobalToLocalEnd(da, U, INSERT_VALUES, local));
  PetscCall(FillOpenBoundaryGhosts(da, local));

  const PetscReal gamma = ctx->gamma;
  std::vector<Primitive>& prim = ctx->primitive;
  prim.resize(size_t(gxm) * size_t(gym));
  auto P = [&](PetscInt i, PetscInt j) -> Primitive& {
    return prim[size_t(j - gys) * size_t(gxm) + size_t(i - gxs)];
  };

  // Primitive variables on the owned cells and the star-shaped ghost region (no corners).
  PetscCall(DMDAVecGetArrayRead(da, local, &u));
  for (PetscInt j = ys; j < ys + ym; ++j)
    for (PetscInt i = xs - 2; i < xs + xm + 2; ++i) P(i, j) = ToPrimitive(u[j][i], gamma);
  for (PetscInt j : {ys - 2, ys - 1, ys + ym, ys + ym + 1})
    for (PetscInt i = xs; i < xs + xm; ++i) P(i, j) = ToPrimitive(u[j][i], gamma);
  PetscCall(DMDAVecRestoreArrayRead(da, local, &u));
  PetscCall(DMRestoreLocalVector(da, &local));

  if (ctx->limiter == Limiter::kMC)
    ComputeFaceFluxes<Limiter::kMC>(ctx, xs, ys, xm, ym, P);
  else
    ComputeFaceFluxes<Limiter::kMinmod>(ctx, xs, ys, xm, ym, P);
  const size_t nfx = size_t(xm) + 1;

  // Flux differences.
  const PetscReal idx = 1 / ctx->dx, idy = 1 / ctx->dy;
  PetscCall(DMDAVecGetArray(da, F, &f));
  for (PetscInt j = ys; j < ys + ym; ++j) {
    const Conserved* fx = ctx->flux_x.data() + size_t(j - ys) * nfx;
    const Conserved* gy_lo = ctx->flux_y.data() + size_t(j - ys) * size_t(xm);
    const Conserved* gy_hi = gy_lo + xm;
    for (PetscInt i = xs; i < xs + xm; ++i) {
      const PetscInt k = i - xs;
      Conserved& r = f[j][i];
      r.rho = -((fx[k + 1].rho - fx[k].rho) * idx + (gy_hi[k].rho - gy_lo[k].rho) * idy);
      r.mx = -((fx[k + 1].mx - fx[k].mx) * idx + (gy_hi[k].mx - gy_lo[k].mx) * idy);
      r.my = -((fx[k + 1].my - fx[k].my) * idx + (gy_hi[k].my - gy_lo[k].my) * idy);
      r.E = -((fx[k + 1].E - fx[k].E) * idx + (gy_hi[k].E - gy_lo[k].E) * idy);
    }
  }
  PetscCall(DMDAVecRestoreArray(da, F, &f));
  PetscCall(PetscLogEventEnd(rhs_event, ts, U, F, 0));
  PetscFunctionReturn(0);
}

}  // namespace leap::euler2d
