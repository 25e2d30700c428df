/* A PETSc program that knows nothing of LEAP: two scalars diffusing on a 3-D DMDA (u_t = Du lap u,
 * w_t = Dw lap w, seven-point Laplacian on the unit cube, an RHSFunction set with
 * DMDATSSetRHSFunctionLocal, TSRK with a fixed step). Periodic in x and y; along z periodic, or
 * zero-flux walls with -open. The default grid, 8 x 6 x 5, splits unevenly over 2 to 4 ranks
 * (-da_grid_x/y/z change it). It prints the domain totals of u and w at the start and at the end.
 * Used by heat3d.sh. */
#include <petscdmda.h>
#include <petscts.h>

typedef struct {
  PetscScalar u, w;
} Field;

typedef struct {
  PetscReal du, dw;
} Ctx;

/* The neighbour index of i - 1 (d = -1) or i + 1 (d = +1) along an axis of n cells: wrapped when
 * periodic (PETSc's ghosts do that), the cell itself at a wall (zero flux). */
static PetscInt Neighbour(PetscInt i, PetscInt d, PetscInt n, DMBoundaryType b) {
  if (b == DM_BOUNDARY_PERIODIC) return i + d;
  return (i + d < 0 || i + d >= n) ? i : i + d;
}

static PetscErrorCode RHSLocal(DMDALocalInfo *info, PetscReal t, Field ***x, Field ***f, void *ptr) {
  Ctx *ctx = (Ctx *)ptr;
  const PetscReal hx = 1.0 / info->mx, hy = 1.0 / info->my, hz = 1.0 / info->mz;
  PetscFunctionBeginUser;
  for (PetscInt k = info->zs; k < info->zs + info->zm; ++k)
    for (PetscInt j = info->ys; j < info->ys + info->ym; ++j)
      for (PetscInt i = info->xs; i < info->xs + info->xm; ++i) {
        const PetscInt il = Neighbour(i, -1, info->mx, info->bx), ir = Neighbour(i, 1, info->mx, info->bx);
        const PetscInt jl = Neighbour(j, -1, info->my, info->by), jr = Neighbour(j, 1, info->my, info->by);
        const PetscInt kl = Neighbour(k, -1, info->mz, info->bz), kr = Neighbour(k, 1, info->mz, info->bz);
        const Field c = x[k][j][i];
        const PetscScalar lu = (x[k][j][il].u - 2 * c.u + x[k][j][ir].u) / (hx * hx) +
                               (x[k][jl][i].u - 2 * c.u + x[k][jr][i].u) / (hy * hy) +
                               (x[kl][j][i].u - 2 * c.u + x[kr][j][i].u) / (hz * hz);
        const PetscScalar lw = (x[k][j][il].w - 2 * c.w + x[k][j][ir].w) / (hx * hx) +
                               (x[k][jl][i].w - 2 * c.w + x[k][jr][i].w) / (hy * hy) +
                               (x[kl][j][i].w - 2 * c.w + x[kr][j][i].w) / (hz * hz);
        f[k][j][i].u = ctx->du * lu;
        f[k][j][i].w = ctx->dw * lw;
      }
  PetscFunctionReturn(0);
}

static PetscErrorCode PrintTotals(Vec X, const char *when) {
  PetscScalar sums[2];
  PetscFunctionBeginUser;
  PetscCall(VecStrideSumAll(X, sums));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "totals %s: u %.17g w %.17g\n", when, (double)PetscRealPart(sums[0]),
                        (double)PetscRealPart(sums[1])));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv) {
  DM da;
  TS ts;
  Vec X;
  Ctx ctx = {0.01, 0.004};
  PetscBool open = PETSC_FALSE;
  Field ***x;
  DMDALocalInfo info;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-open", &open, NULL));
  const DMBoundaryType bz = open ? DM_BOUNDARY_NONE : DM_BOUNDARY_PERIODIC;
  PetscCall(DMDACreate3d(PETSC_COMM_WORLD, DM_BOUNDARY_PERIODIC, DM_BOUNDARY_PERIODIC, bz, DMDA_STENCIL_STAR, 8, 6, 5,
                         PETSC_DECIDE, PETSC_DECIDE, PETSC_DECIDE, 2, 1, NULL, NULL, NULL, &da));
  PetscCall(DMSetFromOptions(da));
  PetscCall(DMSetUp(da));
  PetscCall(DMDASetFieldName(da, 0, "u"));
  PetscCall(DMDASetFieldName(da, 1, "w"));
  PetscCall(DMCreateGlobalVector(da, &X));
  PetscCall(DMDAGetLocalInfo(da, &info));
  PetscCall(DMDAVecGetArray(da, X, &x));
  for (PetscInt k = info.zs; k < info.zs + info.zm; ++k)
    for (PetscInt j = info.ys; j < info.ys + info.ym; ++j)
      for (PetscInt i = info.xs; i < info.xs + info.xm; ++i) {
        const PetscReal px = 2 * PETSC_PI * (i + 0.5) / info.mx, py = 2 * PETSC_PI * (j + 0.5) / info.my,
                        pz = 2 * PETSC_PI * (k + 0.5) / info.mz;
        x[k][j][i].u = 1.5 + PetscSinReal(px) * PetscCosReal(py) * PetscCosReal(pz);
        x[k][j][i].w = 0.2 + PetscSinReal(px + 2 * pz) + 0.1 * PetscCosReal(3 * py);
      }
  PetscCall(DMDAVecRestoreArray(da, X, &x));

  PetscCall(TSCreate(PETSC_COMM_WORLD, &ts));
  PetscCall(TSSetDM(ts, da));
  PetscCall(TSSetProblemType(ts, TS_LINEAR));
  PetscCall(DMDATSSetRHSFunctionLocal(da, INSERT_VALUES, (DMDATSRHSFunctionLocal)RHSLocal, &ctx));
  PetscCall(TSSetType(ts, TSRK));
  PetscCall(TSSetTimeStep(ts, 1e-3));
  PetscCall(TSSetMaxSteps(ts, 30));
  PetscCall(TSSetMaxTime(ts, 1.0));
  PetscCall(TSSetExactFinalTime(ts, TS_EXACTFINALTIME_MATCHSTEP));
  PetscCall(TSSetFromOptions(ts));
  PetscCall(PrintTotals(X, "start"));
  PetscCall(TSSolve(ts, X));
  PetscCall(PrintTotals(X, "end"));
  PetscCall(VecDestroy(&X));
  PetscCall(TSDestroy(&ts));
  PetscCall(DMDestroy(&da));
  PetscCall(PetscFinalize());
  return 0;
}
