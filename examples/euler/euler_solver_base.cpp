#include "euler/euler_solver_base.h"

#include <algorithm>
#include <cmath>

#include "euler/cell_box.h"
#include "euler/cfl_time_step.h"
#include "euler/gas_state.h"
#include "euler/ssp_rk3.h"

namespace leap::euler {
namespace {

constexpr const char* kComposedName = "LeapEulerSolver";
constexpr PetscInt kStencilWidth = 2;
constexpr const char* kAxisNames[3] = {"x", "y", "z"};

}  // namespace

template <int D>
EulerSolverBase<D>::~EulerSolverBase() {
  // The destructor cannot return an error code: report failures (PetscCallVoid) and go on.
  PetscCallVoid(TSDestroy(&ts_));
  PetscCallVoid(VecDestroy(&u_));
  PetscCallVoid(DMDestroy(&da_));
}

template <int D>
std::array<PetscReal, size_t(D)> EulerSolverBase<D>::widths() const {
  std::array<PetscReal, size_t(D)> h;
  for (int a = 0; a < D; ++a) h[size_t(a)] = spacing(a);
  return h;
}

template <int D>
PetscErrorCode EulerSolverBase<D>::SetUp(MPI_Comm comm, const char* prefix, const Numerics& numerics) {
  DMBoundaryType bc[D];
  PetscInt grid[3] = {1, 1, 1};
  PetscContainer container;
  TSAdapt adapt;
  PetscFunctionBeginUser;
  numerics_ = numerics;
  for (size_t a = 0; a < size_t(D); ++a)
    bc[a] = numerics.periodic[a] ? DM_BOUNDARY_PERIODIC : DM_BOUNDARY_GHOSTED;
  PetscCall(EulerLogEvents<D>(nullptr, nullptr));

  if constexpr (D == 2) {
    PetscCall(DMDACreate2d(comm, bc[0], bc[1], DMDA_STENCIL_STAR, numerics.cells[0], numerics.cells[1],
                           PETSC_DECIDE, PETSC_DECIDE, kDof, kStencilWidth, nullptr, nullptr, &da_));
  } else {
    PetscCall(DMDACreate3d(comm, bc[0], bc[1], bc[2], DMDA_STENCIL_STAR, numerics.cells[0], numerics.cells[1],
                           numerics.cells[2], PETSC_DECIDE, PETSC_DECIDE, PETSC_DECIDE, kDof, kStencilWidth,
                           nullptr, nullptr, nullptr, &da_));
  }
  if (prefix) PetscCall(DMSetOptionsPrefix(da_, prefix));
  PetscCall(DMSetFromOptions(da_));  // -da_grid_x, -da_grid_y, -da_processors_x, ...
  PetscCall(DMSetUp(da_));
  PetscCall(DMDAGetInfo(da_, nullptr, &grid[0], &grid[1], &grid[2], nullptr, nullptr, nullptr, nullptr,
                        nullptr, nullptr, nullptr, nullptr, nullptr));
  for (size_t a = 0; a < size_t(D); ++a) cells_[a] = grid[a];
  PetscCall(DMDASetFieldName(da_, 0, "density"));
  for (int a = 0; a < D; ++a)
    PetscCall(DMDASetFieldName(da_, 1 + a, (std::string("momentum_") + kAxisNames[a]).c_str()));
  PetscCall(DMDASetFieldName(da_, D + 1, "energy"));
  PetscCall(DMCreateGlobalVector(da_, &u_));
  PetscCall(PetscObjectSetName((PetscObject)u_, "euler_state"));

  rhs_.da = da_;
  rhs_.gamma = numerics_.gamma;
  rhs_.limiter = numerics_.limiter;
  rhs_.h = widths();

  PetscCall(RegisterSspRk33());
  PetscCall(TSCreate(comm, &ts_));
  if (prefix) PetscCall(TSSetOptionsPrefix(ts_, prefix));
  PetscCall(TSSetDM(ts_, da_));
  PetscCall(TSSetProblemType(ts_, TS_NONLINEAR));
  PetscCall(TSSetRHSFunction(ts_, nullptr, EulerRHSFunction<D>, &rhs_));
  PetscCall(TSSetType(ts_, TSRK));
  PetscCall(TSRKSetType(ts_, kSspRk33));
  PetscCall(TSGetAdapt(ts_, &adapt));
  PetscCall(TSAdaptSetType(adapt, TSADAPTNONE));  // the pre-step hook sets the CFL step
  PetscCall(TSSetMaxSteps(ts_, PETSC_MAX_INT));
  PetscCall(TSSetMaxTime(ts_, numerics_.t_end));
  PetscCall(TSSetExactFinalTime(ts_, TS_EXACTFINALTIME_MATCHSTEP));

  // The pre-step hook finds the solver through a container composed with the TS (the TS
  // application context stays free for other users).
  PetscCall(PetscContainerCreate(comm, &container));
  PetscCall(PetscContainerSetPointer(container, this));
  PetscCall(PetscObjectCompose((PetscObject)ts_, kComposedName, (PetscObject)container));
  PetscCall(PetscContainerDestroy(&container));
  PetscCall(TSSetPreStep(ts_, PreStep));

  PetscCall(TSSetSolution(ts_, u_));
  PetscCall(SetInitialCondition());
  PetscCall(TSSetFromOptions(ts_));
  PetscFunctionReturn(0);
}

template <int D>
PetscErrorCode EulerSolverBase<D>::SetInitialCondition() {
  PetscReal dt;
  PetscFunctionBeginUser;
  PetscCall(FillInitialCondition(u_));
  PetscCall(TSSetTime(ts_, 0));
  PetscCall(TSSetStepNumber(ts_, 0));
  PetscCall(StableTimeStep(&dt));
  PetscCall(TSSetTimeStep(ts_, dt));
  PetscFunctionReturn(0);
}

template <int D>
PetscErrorCode EulerSolverBase<D>::PreStep(TS ts) {
  PetscContainer container = nullptr;
  void* self = nullptr;
  Vec U;
  PetscReal dt, t, t_max;
  PetscFunctionBeginUser;
  PetscCall(PetscObjectQuery((PetscObject)ts, kComposedName, (PetscObject*)&container));
  PetscCheck(container, PetscObjectComm((PetscObject)ts), PETSC_ERR_ARG_WRONGSTATE,
             "%s: the TS pre-step hook runs on a TS that the Euler solver did not create", SolverName<D>());
  PetscCall(PetscContainerGetPointer(container, &self));
  const EulerSolverBase* solver = static_cast<const EulerSolverBase*>(self);
  PetscCall(TSGetSolution(ts, &U));
  PetscCall(
      CflTimeStep<D>(solver->da_, U, solver->numerics_.gamma, solver->widths(), solver->numerics_.cfl, &dt));
  PetscCall(TSGetTime(ts, &t));
  PetscCall(TSGetMaxTime(ts, &t_max));
  if (t + dt > t_max) dt = t_max - t;  // the last step lands on the final time
  PetscCall(TSSetTimeStep(ts, dt));
  PetscFunctionReturn(0);
}

template <int D>
PetscErrorCode EulerSolverBase<D>::Advance(PetscReal t_end) {
  PetscReal t;
  TSConvergedReason reason;
  PetscFunctionBeginUser;
  PetscCall(TSGetTime(ts_, &t));
  PetscCheck(t_end >= t, PetscObjectComm((PetscObject)ts_), PETSC_ERR_ARG_OUTOFRANGE,
             "%s: cannot advance backwards from t = %g to t = %g", SolverName<D>(), (double)t, (double)t_end);
  if (t_end == t) PetscFunctionReturn(0);
  PetscCall(TSSetMaxTime(ts_, t_end));
  PetscCall(TSSolve(ts_, u_));
  PetscCall(TSGetConvergedReason(ts_, &reason));
  PetscCheck(reason >= 0, PetscObjectComm((PetscObject)ts_), PETSC_ERR_NOT_CONVERGED,
             "%s: the time integration failed (%s)", SolverName<D>(), TSConvergedReasons[reason]);
  PetscFunctionReturn(0);
}

template <int D>
PetscInt EulerSolverBase<D>::steps() const {
  PetscInt n = 0;
  TSGetStepNumber(ts_, &n);
  return n;
}

template <int D>
PetscErrorCode EulerSolverBase<D>::StableTimeStep(PetscReal* dt) const {
  PetscFunctionBeginUser;
  PetscCall(CflTimeStep<D>(da_, u_, numerics_.gamma, widths(), numerics_.cfl, dt));
  PetscFunctionReturn(0);
}

template <int D>
PetscErrorCode EulerSolverBase<D>::ConservedTotals(Totals* totals) const {
  PetscScalar sums[kDof];
  PetscFunctionBeginUser;
  PetscCall(VecStrideSumAll(u_, sums));
  for (PetscInt c = 0; c < kDof; ++c) {
    PetscReal t = PetscRealPart(sums[c]);
    for (int a = 0; a < D; ++a) t *= spacing(a);
    (*totals)[size_t(c)] = t;
  }
  PetscFunctionReturn(0);
}

template <int D>
PetscErrorCode EulerSolverBase<D>::RestoreConservedSums(const Totals& target, PetscBool* restored) {
  PetscScalar* a;
  PetscInt n;
  PetscScalar sums[kDof];
  PetscFunctionBeginUser;
  *restored = PETSC_FALSE;
  PetscCall(VecStrideSumAll(u_, sums));
  PetscReal cells = 1;
  for (int ax = 0; ax < D; ++ax) cells *= PetscReal(cells_[size_t(ax)]);
  const PetscReal mass = PetscRealPart(sums[0]);
  if (!(mass > 0 && target[0] > 0)) PetscFunctionReturn(0);
  const PetscReal scale = target[0] / mass;
  PetscReal shift[D];
  for (int ax = 0; ax < D; ++ax) shift[ax] = (target[size_t(1 + ax)] - PetscRealPart(sums[1 + ax])) / cells;
  PetscCall(VecGetLocalSize(u_, &n));
  PetscCall(VecGetArray(u_, &a));
  auto* u = reinterpret_cast<Conserved<D>*>(a);
  const auto kinetic = [](const Conserved<D>& c) {
    PetscReal m2 = 0;
    for (int ax = 0; ax < D; ++ax) m2 += PetscRealPart(c.m(ax) * c.m(ax));
    return 0.5 * m2 / PetscRealPart(c.rho);
  };
  // Pass 1: density and momentum corrected; E holds the old internal energy until pass 2.
  PetscReal local[2] = {0, 0}, global[2];  // sum of internal energy, sum of corrected kinetic energy
  for (PetscInt k = 0; k < n / kDof; ++k) {
    Conserved<D>& c = u[k];
    const PetscReal rho = PetscRealPart(c.rho);
    PetscReal m2 = 0;
    for (int ax = 0; ax < D; ++ax) m2 += PetscRealPart(c.m(ax) * c.m(ax));
    const PetscReal internal = PetscRealPart(c.E) - 0.5 * m2 / rho;
    c.rho = rho * scale;
    for (int ax = 0; ax < D; ++ax) c.m(ax) += shift[ax];
    c.E = internal;
    local[0] += internal;
    local[1] += kinetic(c);
  }
  PetscCall(MPIU_Allreduce(local, global, 2, MPIU_REAL, MPIU_SUM, PetscObjectComm((PetscObject)da_)));
  const PetscReal factor = global[0] > 0 ? (target[size_t(D + 1)] - global[1]) / global[0] : -1;
  // Pass 2: E = corrected kinetic + scaled internal energy (a non-positive factor leaves an
  // inadmissible state for the caller to reject).
  for (PetscInt k = 0; k < n / kDof; ++k) u[k].E = kinetic(u[k]) + factor * u[k].E;
  PetscCall(VecRestoreArray(u_, &a));
  *restored = factor > 0 ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}

template <int D>
std::vector<leap::petsc::ConservedDof> EulerSolverBase<D>::ConservedDofs() const {
  for (int a = 0; a < D; ++a)
    if (!periodic(a)) return {};  // open boundaries let the totals change
  // rho (scaled), the momenta (shifted), E (scaled; through the internal energy, see above)
  std::vector<leap::petsc::ConservedDof> dofs = {{0, PETSC_TRUE}};
  for (PetscInt a = 0; a < D; ++a) dofs.push_back({1 + a, PETSC_FALSE});
  dofs.push_back({D + 1, PETSC_TRUE});
  return dofs;
}

template <int D>
PetscErrorCode EulerSolverBase<D>::RestoreConserved(const std::vector<PetscScalar>& target, PetscBool* ok) {
  Totals totals;
  PetscFunctionBeginUser;
  PetscCheck(target.size() == size_t(kDof), PetscObjectComm((PetscObject)da_), PETSC_ERR_ARG_SIZ,
             "Euler restores %d totals (mass, momentum %s, energy), got %zu", kDof,
             D == 2 ? "x, momentum y" : "x, momentum y, momentum z", target.size());
  for (size_t c = 0; c < size_t(kDof); ++c) totals[c] = PetscRealPart(target[c]);
  PetscCall(RestoreConservedSums(totals, ok));
  PetscFunctionReturn(0);
}

template <int D>
PetscErrorCode EulerSolverBase<D>::Admissible(PetscBool* ok, std::string* why) const {
  PetscReal rho, p;
  PetscFunctionBeginUser;
  PetscCall(MinDensityPressure(&rho, &p));
  *ok = (rho > 0 && p > 0) ? PETSC_TRUE : PETSC_FALSE;
  if (!*ok)
    *why = "non-positive density (" + std::to_string(rho) + ") or pressure (" + std::to_string(p) + ")";
  PetscFunctionReturn(0);
}

template <int D>
PetscErrorCode EulerSolverBase<D>::KineticEnergy(PetscReal* ke) const {
  const PetscScalar* a;
  PetscInt n;
  PetscFunctionBeginUser;
  PetscReal local[2] = {0, 0}, global[2];  // sum of |m|^2 / (2 rho), cells
  PetscCall(VecGetLocalSize(u_, &n));
  PetscCall(VecGetArrayRead(u_, &a));
  const auto* u = reinterpret_cast<const Conserved<D>*>(a);
  for (PetscInt k = 0; k < n / kDof; ++k) {
    PetscReal m2 = 0;
    for (int d = 0; d < D; ++d) m2 += PetscRealPart(u[k].m(d)) * PetscRealPart(u[k].m(d));
    local[0] += 0.5 * m2 / PetscRealPart(u[k].rho);
    local[1] += 1;
  }
  PetscCall(VecRestoreArrayRead(u_, &a));
  PetscCall(MPIU_Allreduce(local, global, 2, MPIU_REAL, MPIU_SUM, PetscObjectComm((PetscObject)da_)));
  *ke = global[1] > 0 ? global[0] / global[1] : 0;
  PetscFunctionReturn(0);
}

template <int D>
PetscErrorCode EulerSolverBase<D>::MinDensityPressure(PetscReal* rho_min, PetscReal* p_min) const {
  const PetscScalar* a;
  PetscInt n;
  PetscFunctionBeginUser;
  PetscReal local[2] = {PETSC_MAX_REAL, PETSC_MAX_REAL}, global[2];
  PetscCall(VecGetLocalSize(u_, &n));
  PetscCall(VecGetArrayRead(u_, &a));
  const auto* u = reinterpret_cast<const Conserved<D>*>(a);
  for (PetscInt k = 0; k < n / kDof; ++k) {
    const Primitive<D> w = ToPrimitive(u[k], numerics_.gamma);
    // A NaN compares false and would hide: count it as -inf.
    local[0] = std::min(local[0], std::isnan(w.rho) ? PETSC_MIN_REAL : w.rho);
    local[1] = std::min(local[1], std::isnan(w.p) ? PETSC_MIN_REAL : w.p);
  }
  PetscCall(VecRestoreArrayRead(u_, &a));
  PetscCall(MPIU_Allreduce(local, global, 2, MPIU_REAL, MPIU_MIN, PetscObjectComm((PetscObject)da_)));
  *rho_min = global[0];
  *p_min = global[1];
  PetscFunctionReturn(0);
}

template <int D>
std::vector<data::WellAxis> EulerSolverBase<D>::axes() const {
  std::vector<data::WellAxis> axes;
  for (int a = 0; a < D; ++a) {
    data::WellAxis axis{kAxisNames[a], cells(a), {}, periodic(a) ? "periodic" : "open"};
    for (PetscInt i = 0; i < cells(a); ++i) axis.coords.push_back((i + 0.5) * spacing(a));
    axes.push_back(axis);
  }
  return axes;
}

template <int D>
std::vector<data::WellField> EulerSolverBase<D>::well_fields() const {
  // The Well's euler_multi_quadrants fields, in its order: t0 energy, density, pressure; t1 momentum.
  std::vector<data::WellField> fields;
  for (const char* name : {"energy", "density", "pressure"}) {
    data::WellField f;
    f.name = name;
    f.order = 0;
    f.dim_varying.assign(size_t(D), true);
    fields.push_back(f);
  }
  data::WellField momentum;
  momentum.name = "momentum";
  momentum.order = 1;
  momentum.dim_varying.assign(size_t(D), true);
  fields.push_back(momentum);
  return fields;
}

template <int D>
std::vector<std::pair<std::string, double>> EulerSolverBase<D>::parameters() const {
  return {{"gamma", numerics_.gamma}};
}

template <int D>
PetscErrorCode EulerSolverBase<D>::ExtractWellField(const std::string& name, std::vector<float>* out) const {
  CellBox b;
  const PetscScalar* a;
  PetscFunctionBeginUser;
  PetscCheck(name == "density" || name == "momentum" || name == "energy" || name == "pressure",
             PetscObjectComm((PetscObject)da_), PETSC_ERR_ARG_UNKNOWN_TYPE,
             "%s: no field '%s' (the fields are energy, density, pressure and momentum)", SolverName<D>(),
             name.c_str());
  PetscCall(GetCellBox(da_, &b));
  const size_t per_cell = name == "momentum" ? size_t(D) : 1;
  out->resize(b.owned_cells() * per_cell);
  float* o = out->data();
  PetscCall(VecGetArrayRead(u_, &a));
  const auto* u = reinterpret_cast<const Conserved<D>*>(a);
  const PetscReal gamma = numerics_.gamma;
  if (name == "density") {
    ForEachCellInWellOrder(b, [&](size_t n, size_t c) { o[n] = float(PetscRealPart(u[c].rho)); });
  } else if (name == "energy") {
    ForEachCellInWellOrder(b, [&](size_t n, size_t c) { o[n] = float(PetscRealPart(u[c].E)); });
  } else if (name == "pressure") {
    ForEachCellInWellOrder(b, [&](size_t n, size_t c) { o[n] = float(ToPrimitive(u[c], gamma).p); });
  } else {
    ForEachCellInWellOrder(b, [&](size_t n, size_t c) {
      for (int ax = 0; ax < D; ++ax) o[n * D + size_t(ax)] = float(PetscRealPart(u[c].m(ax)));
    });
  }
  PetscCall(VecRestoreArrayRead(u_, &a));
  PetscFunctionReturn(0);
}

template <int D>
PetscErrorCode EulerSolverBase<D>::InjectWellFields(const std::vector<std::vector<float>>& fields) {
  CellBox b;
  PetscScalar* a;
  PetscFunctionBeginUser;
  PetscCall(GetCellBox(da_, &b));
  const size_t cells = b.owned_cells();
  PetscCheck(fields.size() == 4, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ,
             "%s: InjectWellFields takes 4 fields (energy, density, pressure, momentum), got %zu",
             SolverName<D>(), fields.size());
  const std::vector<float>& energy = fields[0];
  const std::vector<float>& density = fields[1];
  const std::vector<float>& pressure = fields[2];
  const std::vector<float>& momentum = fields[3];
  PetscCheck(energy.size() == cells && density.size() == cells && pressure.size() == cells &&
                 momentum.size() == size_t(D) * cells,
             PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ,
             "%s: InjectWellFields: this rank's block has %zu cells; got %zu, %zu, %zu and %zu values",
             SolverName<D>(), cells, energy.size(), density.size(), pressure.size(), momentum.size());
  // Energy from the emulated pressure (inject_pressure), so that positive density and pressure
  // (log-normalised fields decode positive) give an admissible state; or the emulated energy as it
  // is (the pressure then follows from it and is not read).
  const bool from_pressure = numerics_.inject_pressure;
  const PetscReal gamma = numerics_.gamma;
  PetscCall(VecGetArray(u_, &a));
  auto* u = reinterpret_cast<Conserved<D>*>(a);
  ForEachCellInWellOrder(b, [&](size_t n, size_t k) {
    Conserved<D>& c = u[k];
    c.rho = density[n];
    PetscReal m2 = 0;
    for (int ax = 0; ax < D; ++ax) {
      c.m(ax) = momentum[D * n + size_t(ax)];
      m2 += c.m(ax) * c.m(ax);
    }
    const PetscReal kinetic = 0.5 * m2 / c.rho;
    c.E = from_pressure ? PetscReal(pressure[n]) / (gamma - 1) + kinetic : PetscReal(energy[n]);
  });
  PetscCall(VecRestoreArray(u_, &a));
  PetscFunctionReturn(0);
}

template class EulerSolverBase<2>;
template class EulerSolverBase<3>;

}  // namespace leap::euler
