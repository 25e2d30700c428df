/* A PETSc program that knows nothing of LEAP: two scalars diffusing on a doubly periodic 2-D DMDA
 * (u_t = Du lap u, w_t = Dw lap w, five-point Laplacian on the unit square), whose domain totals
 * the discretisation conserves exactly. Options: -amplitude a (initial state a * (1.5 + sin 2 pi x
 * cos 2 pi y) and a * (0.2 + sin 2 pi x)), -open (non-periodic boundaries, zero-flux). It prints the
 * domain totals of u and w at the start and at the end. Used by conserve.sh. */
#include <petscdmda.h>
#include <petscts.h>

typedef struct {
  PetscScalar u, w;
} Field;

typedef struct {
  PetscReal du, dw;
} Ctx;

static PetscErrorCode RHSLocal(DMDALocalInfo *info, PetscReal t, Field **x, Field **f, void *ptr) {
  Ctx *ctx = (Ctx *)ptr;
  const PetscReal hx = 1.0 / info->mx, hy = 1.0 / info->my;
  PetscFunctionBeginUser;
  for (PetscInt j = info->ys; j < info->ys + info->ym; ++j)
    for (PetscInt i = info->xs; i < info->xs + info->xm; ++i) {
      /* On open boundaries the ghost is the cell itself (zero flux). */
      const PetscInt il = (info->bx == DM_BOUNDARY_PERIODIC || i > 0) ? i - 1 : i;
      const PetscInt ir = (info->bx == DM_BOUNDARY_PERIODIC || i < info->mx - 1) ? i + 1 : i;
      const PetscInt jl = (info->by == DM_BOUNDARY_PERIODIC || j > 0) ? j - 1 : j;
      const PetscInt jr = (info->by == DM_BOUNDARY_PERIODIC || j < info->my - 1) ? j + 1 : j;
      const PetscScalar lu = (x[j][il].u - 2 * x[j][i].u + x[j][ir].u) / (hx * hx) +
                             (x[jl][i].u - 2 * x[j][i].u + x[jr][i].u) / (hy * hy);
      const PetscScalar lw = (x[j][il].w - 2 * x[j][i].w + x[j][ir].w) / (hx * hx) +
                             (x[jl][i].w - 2 * x[j][i].w + x[jr][i].w) / (hy * hy);
      f[j][i].u = ctx->du * lu;
      f[j][i].w = ctx->dw * lw;
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
  PetscReal a = 1.0;
  PetscBool open = PETSC_FALSE;
  Field **x;
  DMDALocalInfo info;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-amplitude", &a, NULL));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-open", &open, NULL));
  const DMBoundaryType b = open ? DM_BOUNDARY_NONE : DM_BOUNDARY_PERIODIC;
  PetscCall(DMDACreate2d(PETSC_COMM_WORLD, b, b, DMDA_STENCIL_STAR, 16, 16, PETSC_DECIDE, PETSC_DECIDE, 2, 1, NULL,
                         NULL, &da));
  PetscCall(DMSetFromOptions(da));
  PetscCall(DMSetUp(da));
  PetscCall(DMDASetFieldName(da, 0, "u"));
  PetscCall(DMDASetFieldName(da, 1, "w"));
  PetscCall(DMCreateGlobalVector(da, &X));
  PetscCall(DMDAGetLocalInfo(da, &info));
  PetscCall(DMDAVecGetArray(da, X, &x));
  for (PetscInt j = info.ys; j < info.ys + info.ym; ++j)
    for (PetscInt i = info.xs; i < info.xs + info.xm; ++i) {
      const PetscReal px = 2 * PETSC_PI * (i + 0.5) / info.mx, py = 2 * PETSC_PI * (j + 0.5) / info.my;
      x[j][i].u = a * (1.5 + PetscSinReal(px) * PetscCosReal(py));
      x[j][i].w = a * (0.2 + PetscSinReal(px));
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
