#include "euler/euler_rhs.h"

#include <string>
#include <utility>

#include "euler/cell_box.h"
#include "euler/hllc_flux.h"

namespace leap::euler {
namespace {

constexpr PetscInt kStencilWidth = 2;

template <int D>
struct LogEvents {
  static inline PetscLogEvent rhs = 0;
  static inline PetscLogEvent cfl = 0;
  static inline PetscBool registered = PETSC_FALSE;
  static PetscErrorCode Forget() {
    PetscFunctionBegin;
    registered = PETSC_FALSE;
    PetscFunctionReturn(0);
  }
};

// r = (hi - lo) * ih and r += (hi - lo) * ih, per conserved variable.
template <int D>
inline void SetDifference(Conserved<D>& r, const Conserved<D>& hi, const Conserved<D>& lo, PetscReal ih) {
  r.rho = (hi.rho - lo.rho) * ih;
  for (int a = 0; a < D; ++a) r.m(a) = (hi.m(a) - lo.m(a)) * ih;
  r.E = (hi.E - lo.E) * ih;
}
template <int D>
inline void AddDifference(Conserved<D>& r, const Conserved<D>& hi, const Conserved<D>& lo, PetscReal ih) {
  r.rho += (hi.rho - lo.rho) * ih;
  for (int a = 0; a < D; ++a) r.m(a) += (hi.m(a) - lo.m(a)) * ih;
  r.E += (hi.E - lo.E) * ih;
}

// Along x, line by line: r = (F(i+1/2) - F(i-1/2)) / dx for every owned cell (r is overwritten).
template <Limiter kLimiter, int D>
void SweepX(EulerRHSContext<D>* ctx, const CellBox& b, const Primitive<D>* P, Conserved<D>* r) {
  const PetscInt m0 = b.m[0];
  const PetscReal ih = 1 / ctx->h[kX];
  ctx->faces.resize(size_t(m0) + 2);
  ctx->flux.resize(size_t(m0) + 1);
  for (PetscInt k = b.s[2]; k < b.s[2] + b.m[2]; ++k)
    for (PetscInt j = b.s[1]; j < b.s[1] + b.m[1]; ++j) {
      const Primitive<D>* line = P + b.Ghosted(b.s[0], j, k);  // line[q]: cell s0 + q, q in [-2, m0 + 1]
      FaceStates<D>* cell = ctx->faces.data() + 1;             // cell[q] for q in [-1, m0]
      for (PetscInt q = -1; q <= m0; ++q)
        cell[q] = ReconstructFaces<kLimiter>(line[q - 1], line[q], line[q + 1]);
      // Face f lies between cells f - 1 and f.
      Conserved<D>* flux = ctx->flux.data();
      for (PetscInt f = 0; f <= m0; ++f)
        flux[f] = HllcFlux<D, kX>(cell[f - 1].plus, cell[f].minus, ctx->gamma);
      Conserved<D>* row = r + b.Owned(b.s[0], j, k);
      for (PetscInt q = 0; q < m0; ++q) SetDifference(row[q], flux[q + 1], flux[q], ih);
    }
}

// Along y or z, slab by slab (the rows of x-contiguous cells at one index along the axis): the
// reconstructions and fluxes of the previous slab are kept, so every face is computed once and the
// inner loops run along x. r += (F(+1/2) - F(-1/2)) / h for every owned cell.
template <Limiter kLimiter, int D, int kAxis>
void SweepSlabs(EulerRHSContext<D>* ctx, const CellBox& b, const Primitive<D>* P, Conserved<D>* r) {
  static_assert(kAxis == kY || kAxis == kZ, "x is swept line by line");
  const PetscInt m0 = b.m[0];
  const PetscReal ih = 1 / ctx->h[kAxis];
  const PetscInt stride = PetscInt(b.GhostedStride(kAxis));
  const PetscInt rows = kAxis == kZ ? b.m[1] : 1;   // rows of a slab
  const PetscInt outer = kAxis == kY ? b.m[2] : 1;  // slabs side by side (z planes of a y sweep)
  const size_t slab = size_t(m0) * size_t(rows);
  for (auto* v : {&ctx->faces, &ctx->faces_prev}) v->resize(slab);
  for (auto* v : {&ctx->flux, &ctx->flux_prev}) v->resize(slab);
  const PetscInt first = b.s[kAxis], last = b.s[kAxis] + b.m[kAxis] - 1;  // owned along the axis
  for (PetscInt o = 0; o < outer; ++o) {
    for (PetscInt t = first - 1; t <= last + 1; ++t) {
      for (PetscInt row = 0; row < rows; ++row) {
        // The row's cells (i, j, k), i owned, at index t along the axis.
        const PetscInt j = kAxis == kY ? t : b.s[1] + row;
        const PetscInt k = kAxis == kY ? b.s[2] + o : t;
        const Primitive<D>* c = P + b.Ghosted(b.s[0], j, k);
        FaceStates<D>* cur = ctx->faces.data() + size_t(row) * size_t(m0);
        for (PetscInt q = 0; q < m0; ++q)
          cur[q] = ReconstructFaces<kLimiter>(c[q - stride], c[q], c[q + stride]);
        if (t < first) continue;
        // The faces between index t - 1 and t.
        const FaceStates<D>* prev = ctx->faces_prev.data() + size_t(row) * size_t(m0);
        Conserved<D>* flux = ctx->flux.data() + size_t(row) * size_t(m0);
        for (PetscInt q = 0; q < m0; ++q)
          flux[q] = HllcFlux<D, kAxis>(prev[q].plus, cur[q].minus, ctx->gamma);
        if (t == first) continue;
        // Cell t - 1 has both faces now.
        const Conserved<D>* flux_prev = ctx->flux_prev.data() + size_t(row) * size_t(m0);
        Conserved<D>* res = r + b.Owned(b.s[0], kAxis == kY ? t - 1 : j, kAxis == kZ ? t - 1 : k);
        for (PetscInt q = 0; q < m0; ++q) AddDifference(res[q], flux[q], flux_prev[q], ih);
      }
      std::swap(ctx->faces, ctx->faces_prev);
      std::swap(ctx->flux, ctx->flux_prev);
    }
  }
}

// r = -sum_a (F_a(+1/2) - F_a(-1/2)) / h_a on the owned cells, from the primitive variables P on
// the ghosted box (owned cells and the star-shaped ghost region).
template <Limiter kLimiter, int D>
void FluxDivergence(EulerRHSContext<D>* ctx, const CellBox& b, const Primitive<D>* P, Conserved<D>* r) {
  SweepX<kLimiter>(ctx, b, P, r);
  SweepSlabs<kLimiter, D, kY>(ctx, b, P, r);
  if constexpr (D == 3) SweepSlabs<kLimiter, D, kZ>(ctx, b, P, r);
  const size_t n = b.owned_cells();
  for (size_t c = 0; c < n; ++c) {
    r[c].rho = -r[c].rho;
    for (int a = 0; a < D; ++a) r[c].m(a) = -r[c].m(a);
    r[c].E = -r[c].E;
  }
}

}  // namespace

template <int D>
PetscErrorCode EulerLogEvents(PetscLogEvent* rhs, PetscLogEvent* cfl) {
  using E = LogEvents<D>;
  PetscFunctionBeginUser;
  if (!E::registered) {
    const std::string name = SolverName<D>();
    PetscClassId classid;
    PetscCall(PetscClassIdRegister(("LEAP " + name).c_str(), &classid));
    PetscCall(PetscLogEventRegister((name + "RHS").c_str(), classid, &E::rhs));
    PetscCall(PetscLogEventRegister((name + "CFL").c_str(), classid, &E::cfl));
    PetscCall(PetscRegisterFinalize(E::Forget));
    E::registered = PETSC_TRUE;
  }
  if (rhs) *rhs = E::rhs;
  if (cfl) *cfl = E::cfl;
  PetscFunctionReturn(0);
}

PetscErrorCode FillOpenBoundaryGhosts(DM da, Vec local) {
  CellBox b;
  PetscInt dof;
  PetscScalar* a;
  PetscFunctionBeginUser;
  PetscCall(GetCellBox(da, &b));
  bool all_periodic = true;
  for (int axis = 0; axis < b.dim; ++axis) all_periodic = all_periodic && b.periodic(axis);
  if (all_periodic) PetscFunctionReturn(0);
  PetscCall(DMDAGetInfo(da, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, &dof, nullptr,
                        nullptr, nullptr, nullptr, nullptr));
  PetscCall(VecGetArray(local, &a));
  const auto copy = [&](const std::array<PetscInt, 3>& from, const std::array<PetscInt, 3>& to) {
    const PetscScalar* src = a + b.Ghosted(from[0], from[1], from[2]) * size_t(dof);
    PetscScalar* dst = a + b.Ghosted(to[0], to[1], to[2]) * size_t(dof);
    for (PetscInt d = 0; d < dof; ++d) dst[d] = src[d];
  };
  for (int axis = 0; axis < b.dim; ++axis) {
    if (b.periodic(axis)) continue;
    const bool lower = b.s[size_t(axis)] == 0,
               upper = b.s[size_t(axis)] + b.m[size_t(axis)] == b.n[size_t(axis)];
    if (!lower && !upper) continue;
    const int p = (axis + 1) % 3, q = (axis + 2) % 3;  // the other two axes, owned cells
    const PetscInt n = b.n[size_t(axis)];
    std::array<PetscInt, 3> from{}, to{};
    for (PetscInt ip = b.s[size_t(p)]; ip < b.s[size_t(p)] + b.m[size_t(p)]; ++ip)
      for (PetscInt iq = b.s[size_t(q)]; iq < b.s[size_t(q)] + b.m[size_t(q)]; ++iq) {
        from[size_t(p)] = to[size_t(p)] = ip;
        from[size_t(q)] = to[size_t(q)] = iq;
        if (lower) {
          from[size_t(axis)] = 0;
          for (PetscInt g = 1; g <= b.stencil_width; ++g) {
            to[size_t(axis)] = -g;
            copy(from, to);
          }
        }
        if (upper) {
          from[size_t(axis)] = n - 1;
          for (PetscInt g = 0; g < b.stencil_width; ++g) {
            to[size_t(axis)] = n + g;
            copy(from, to);
          }
        }
      }
  }
  PetscCall(VecRestoreArray(local, &a));
  PetscFunctionReturn(0);
}

template <int D>
PetscErrorCode EulerRHSFunction(TS ts, PetscReal /*t*/, Vec U, Vec F, void* ctx_) {
  auto* ctx = static_cast<EulerRHSContext<D>*>(ctx_);
  DM da = ctx->da;
  CellBox b;
  Vec local;
  const PetscScalar* ua;
  PetscScalar* fa;
  PetscLogEvent rhs_event;
  PetscFunctionBeginUser;
  PetscCall(GetCellBox(da, &b));
  PetscCheck(b.dim == D, PetscObjectComm((PetscObject)da), PETSC_ERR_ARG_WRONG,
             "%s: the right-hand side of a %d-D state on a %" PetscInt_FMT "-D DMDA", SolverName<D>(), D,
             b.dim);
  bool wide = true;
  for (size_t a = 0; a < size_t(D); ++a)
    wide = wide && b.s[a] - b.gs[a] >= kStencilWidth && b.gs[a] + b.gm[a] - b.s[a] - b.m[a] >= kStencilWidth;
  PetscCheck(wide, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG,
             "%s: the DMDA needs two ghost cells on every side (stencil width 2, periodic or ghosted)",
             SolverName<D>());
  PetscCall(EulerLogEvents<D>(&rhs_event, nullptr));
  PetscCall(PetscLogEventBegin(rhs_event, ts, U, F, 0));
  PetscCall(DMGetLocalVector(da, &local));
  PetscCall(DMGlobalToLocalBegin(da, U, INSERT_VALUES, local));
  PetscCall(DMGlobalToLocalEnd(da, U, INSERT_VALUES, local));
  PetscCall(FillOpenBoundaryGhosts(da, local));

  // Primitive variables on the owned cells and the star-shaped ghost region (no edges or corners).
  const PetscReal gamma = ctx->gamma;
  ctx->primitive.resize(b.ghosted_cells());
  Primitive<D>* P = ctx->primitive.data();
  PetscCall(VecGetArrayRead(local, &ua));
  const auto* u = reinterpret_cast<const Conserved<D>*>(ua);
  for (PetscInt k = b.s[2]; k < b.s[2] + b.m[2]; ++k)  // owned, with the ghosts along x
    for (PetscInt j = b.s[1]; j < b.s[1] + b.m[1]; ++j)
      for (PetscInt i = b.s[0] - kStencilWidth; i < b.s[0] + b.m[0] + kStencilWidth; ++i) {
        const size_t g = b.Ghosted(i, j, k);
        P[g] = ToPrimitive(u[g], gamma);
      }
  for (int axis = 1; axis < D; ++axis) {  // the ghost rows (planes) along y and z
    const size_t ax = size_t(axis);
    for (PetscInt t : {b.s[ax] - 2, b.s[ax] - 1, b.s[ax] + b.m[ax], b.s[ax] + b.m[ax] + 1})
      for (PetscInt k = (axis == kZ ? t : b.s[2]); k < (axis == kZ ? t + 1 : b.s[2] + b.m[2]); ++k)
        for (PetscInt j = (axis == kY ? t : b.s[1]); j < (axis == kY ? t + 1 : b.s[1] + b.m[1]); ++j)
          for (PetscInt i = b.s[0]; i < b.s[0] + b.m[0]; ++i) {
            const size_t g = b.Ghosted(i, j, k);
            P[g] = ToPrimitive(u[g], gamma);
          }
  }
  PetscCall(VecRestoreArrayRead(local, &ua));
  PetscCall(DMRestoreLocalVector(da, &local));

  PetscCall(VecGetArray(F, &fa));
  auto* r = reinterpret_cast<Conserved<D>*>(fa);
  if (ctx->limiter == Limiter::kMC)
    FluxDivergence<Limiter::kMC>(ctx, b, P, r);
  else
    FluxDivergence<Limiter::kMinmod>(ctx, b, P, r);
  PetscCall(VecRestoreArray(F, &fa));
  PetscCall(PetscLogEventEnd(rhs_event, ts, U, F, 0));
  PetscFunctionReturn(0);
}

template PetscErrorCode EulerLogEvents<2>(PetscLogEvent*, PetscLogEvent*);
template PetscErrorCode EulerLogEvents<3>(PetscLogEvent*, PetscLogEvent*);
template PetscErrorCode EulerRHSFunction<2>(TS, PetscReal, Vec, Vec, void*);
template PetscErrorCode EulerRHSFunction<3>(TS, PetscReal, Vec, Vec, void*);

}  // namespace leap::euler
