#include "euler2d/euler_solver.h"

#include <algorithm>
#include <cmath>
#include <exception>

#include "euler2d/cfl_time_step.h"
#include "euler2d/gas_state.h"
#include "euler2d/initial_conditions.h"
#include "euler2d/ssp_rk3.h"
#include "leap/petsc/dmda_layout.h"

namespace leap::euler2d {
namespace {

constexpr const char* kComposedName = "LeapEuler2dSolver";
constexpr PetscInt kDof = 4;
constexpr PetscInt kStencilWidth = 2;

}  // namespace

PetscErrorCode EulerSolver::Create(MPI_Comm comm, const EulerConfig& cfg,
                                   std::unique_ptr<EulerSolver>* solver, const char* prefix) {
  PetscFunctionBeginUser;
  PetscCheck(solver, comm, PETSC_ERR_ARG_NULL, "Euler2d: Create needs a place for the solver");
  solver->reset();
  try {
    CheckEulerConfig(cfg);
  } catch (const std::exception& e) {
    SETERRQ(comm, PETSC_ERR_ARG_OUTOFRANGE, "Euler2d: %s", e.what());
  }
  auto s = std::make_unique<EulerSolver>(Key{});
  s->cfg_ = cfg;
  PetscCall(s->Setup(comm, prefix));
  *solver = std::move(s);
  PetscFunctionReturn(0);
}

EulerSolver::~EulerSolver() {
  // The destructor cannot return an error code: report failures (PetscCallVoid) and go on.
  PetscCallVoid(TSDestroy(&ts_));
  PetscCallVoid(VecDestroy(&u_));
  PetscCallVoid(DMDestroy(&da_));
}

PetscErrorCode EulerSolver::Setup(MPI_Comm comm, const char* prefix) {
  const DMBoundaryType bc = cfg_.boundary == "periodic" ? DM_BOUNDARY_PERIODIC : DM_BOUNDARY_GHOSTED;
  PetscContainer container;
  TSAdapt adapt;
  PetscFunctionBeginUser;
  PetscCall(EulerLogEvents(nullptr, nullptr));

  PetscCall(DMDACreate2d(comm, bc, bc, DMDA_STENCIL_STAR, cfg_.nx, cfg_.ny, PETSC_DECIDE, PETSC_DECIDE, kDof,
                         kStencilWidth, nullptr, nullptr, &da_));
  if (prefix) PetscCall(DMSetOptionsPrefix(da_, prefix));
  PetscCall(DMSetFromOptions(da_));  // -da_grid_x, -da_grid_y, -da_processors_x, ...
  PetscCall(DMSetUp(da_));
  PetscCall(DMDAGetInfo(da_, nullptr, &mx_, &my_, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                        nullptr, nullptr, nullptr, nullptr));
  PetscCall(DMDASetFieldName(da_, 0, "density"));
  PetscCall(DMDASetFieldName(da_, 1, "momentum_x"));
  PetscCall(DMDASetFieldName(da_, 2, "momentum_y"));
  PetscCall(DMDASetFieldName(da_, 3, "energy"));
  PetscCall(DMCreateGlobalVector(da_, &u_));
  PetscCall(PetscObjectSetName((PetscObject)u_, "euler_state"));

  rhs_.da = da_;
  rhs_.gamma = cfg_.gamma;
  rhs_.limiter = LimiterFromName(cfg_.limiter);
  rhs_.dx = dx();
  rhs_.dy = dy();

  PetscCall(RegisterSspRk33());
  PetscCall(TSCreate(comm, &ts_));
  if (prefix) PetscCall(TSSetOptionsPrefix(ts_, prefix));
  PetscCall(TSSetDM(ts_, da_));
  PetscCall(TSSetProblemType(ts_, TS_NONLINEAR));
  PetscCall(TSSetRHSFunction(ts_, nullptr, EulerRHSFunction, &rhs_));
  PetscCall(TSSetType(ts_, TSRK));
  PetscCall(TSRKSetType(ts_, kSspRk33));
  PetscCall(TSGetAdapt(ts_, &adapt));
  PetscCall(TSAdaptSetType(adapt, TSADAPTNONE));  // the pre-step hook sets the CFL step
  PetscCall(TSSetMaxSteps(ts_, PETSC_MAX_INT));
  PetscCall(TSSetMaxTime(ts_, cfg_.t_end));
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

PetscErrorCode EulerSolver::SetInitialCondition() {
  PetscReal dt;
  PetscFunctionBeginUser;
  PetscCall(leap::euler2d::SetInitialCondition(da_, u_, cfg_, dx(), dy()));
  PetscCall(TSSetTime(ts_, 0));
  PetscCall(TSSetStepNumber(ts_, 0));
  PetscCall(StableTimeStep(&dt));
  PetscCall(TSSetTimeStep(ts_, dt));
  PetscFunctionReturn(0);
}

PetscErrorCode EulerSolver::PreStep(TS ts) {
  PetscContainer container = nullptr;
  void* self = nullptr;
  Vec U;
  PetscReal dt, t, t_max;
  PetscFunctionBeginUser;
  PetscCall(PetscObjectQuery((PetscObject)ts, kComposedName, (PetscObject*)&container));
  PetscCheck(container, PetscObjectComm((PetscObject)ts), PETSC_ERR_ARG_WRONGSTATE,
             "Euler2d: the TS pre-step hook runs on a TS that EulerSolver did not create");
  PetscCall(PetscContainerGetPointer(container, &self));
  const EulerSolver* solver = static_cast<const EulerSolver*>(self);
  PetscCall(TSGetSolution(ts, &U));
  PetscCall(
      CflTimeStep(solver->da_, U, solver->cfg_.gamma, solver->dx(), solver->dy(), solver->cfg_.cfl, &dt));
  PetscCall(TSGetTime(ts, &t));
  PetscCall(TSGetMaxTime(ts, &t_max));
  if (t + dt > t_max) dt = t_max - t;  // the last step lands on the final time
  PetscCall(TSSetTimeStep(ts, dt));
  PetscFunctionReturn(0);
}

PetscErrorCode EulerSolver::Advance(PetscReal t_end) {
  PetscReal t;
  TSConvergedReason reason;
  PetscFunctionBeginUser;
  PetscCall(TSGetTime(ts_, &t));
  PetscCheck(t_end >= t, PetscObjectComm((PetscObject)ts_), PETSC_ERR_ARG_OUTOFRANGE,
             "Euler2d: cannot advance backwards from t = %g to t = %g", (double)t, (double)t_end);
  if (t_end == t) PetscFunctionReturn(0);
  PetscCall(TSSetMaxTime(ts_, t_end));
  PetscCall(TSSolve(ts_, u_));
  PetscCall(TSGetConvergedReason(ts_, &reason));
  PetscCheck(reason >= 0, PetscObjectComm((PetscObject)ts_), PETSC_ERR_NOT_CONVERGED,
             "Euler2d: the time integration failed (%s)", TSConvergedReasons[reason]);
  PetscFunctionReturn(0);
}

PetscInt EulerSolver::steps() const {
  PetscInt n = 0;
  TSGetStepNumber(ts_, &n);
  return n;
}

PetscErrorCode EulerSolver::StableTimeStep(PetscReal* dt) const {
  PetscFunctionBeginUser;
  PetscCall(CflTimeStep(da_, u_, cfg_.gamma, dx(), dy(), cfg_.cfl, dt));
  PetscFunctionReturn(0);
}

PetscErrorCode EulerSolver::ConservedTotals(std::array<PetscReal, 4>* totals) const {
  PetscScalar sums[kDof];
  PetscFunctionBeginUser;
  PetscCall(VecStrideSumAll(u_, sums));
  for (PetscInt c = 0; c < kDof; ++c) (*totals)[size_t(c)] = PetscRealPart(sums[c]) * dx() * dy();
  PetscFunctionReturn(0);
}

PetscErrorCode EulerSolver::RestoreConservedSums(const std::array<PetscReal, 4>& target,
                                                 PetscBool* restored) {
  Conserved** u;
  PetscInt xs, ys, xm, ym;
  PetscScalar sums[kDof];
  PetscFunctionBeginUser;
  *restored = PETSC_FALSE;
  PetscCall(VecStrideSumAll(u_, sums));
  const PetscReal cells = PetscReal(mx_) * PetscReal(my_);
  const PetscReal mass = PetscRealPart(sums[0]);
  if (!(mass > 0 && target[0] > 0)) PetscFunctionReturn(0);
  const PetscReal scale = target[0] / mass;
  const PetscReal shift_x = (target[1] - PetscRealPart(sums[1])) / cells;
  const PetscReal shift_y = (target[2] - PetscRealPart(sums[2])) / cells;
  PetscCall(DMDAGetCorners(da_, &xs, &ys, nullptr, &xm, &ym, nullptr));
  PetscCall(DMDAVecGetArray(da_, u_, &u));
  // Pass 1: density and momentum corrected; E holds the old internal energy until pass 2.
  PetscReal local[2] = {0, 0}, global[2];  // sum of internal energy, sum of corrected kinetic energy
  for (PetscInt j = ys; j < ys + ym; ++j)
    for (PetscInt i = xs; i < xs + xm; ++i) {
      Conserved& c = u[j][i];
      const PetscReal rho = PetscRealPart(c.rho);
      const PetscReal internal = PetscRealPart(c.E) - 0.5 * PetscRealPart(c.mx * c.mx + c.my * c.my) / rho;
      c.rho = rho * scale;
      c.mx += shift_x;
      c.my += shift_y;
      c.E = internal;
      local[0] += internal;
      local[1] += 0.5 * PetscRealPart(c.mx * c.mx + c.my * c.my) / PetscRealPart(c.rho);
    }
  PetscCall(MPIU_Allreduce(local, global, 2, MPIU_REAL, MPIU_SUM, PetscObjectComm((PetscObject)da_)));
  const PetscReal factor = global[0] > 0 ? (target[3] - global[1]) / global[0] : -1;
  // Pass 2: E = corrected kinetic + scaled internal energy (a non-positive factor leaves an
  // inadmissible state for the caller to reject).
  for (PetscInt j = ys; j < ys + ym; ++j)
    for (PetscInt i = xs; i < xs + xm; ++i) {
      Conserved& c = u[j][i];
      c.E = 0.5 * (c.mx * c.mx + c.my * c.my) / c.rho + factor * c.E;
    }
  PetscCall(DMDAVecRestoreArray(da_, u_, &u));
  *restored = factor > 0 ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}

std::vector<leap::petsc::ConservedDof> EulerSolver::ConservedDofs() const {
  if (cfg_.boundary != "periodic") return {};  // open boundaries let the totals change
  // rho (scaled), rho u and rho v (shifted), E (scaled; through the internal energy, see below)
  return {{0, PETSC_TRUE}, {1, PETSC_FALSE}, {2, PETSC_FALSE}, {3, PETSC_TRUE}};
}

PetscErrorCode EulerSolver::RestoreConserved(const std::vector<PetscScalar>& target, PetscBool* ok) {
  PetscFunctionBeginUser;
  PetscCheck(target.size() == 4, PetscObjectComm((PetscObject)da_), PETSC_ERR_ARG_SIZ,
             "Euler restores 4 totals (mass, momentum x, momentum y, energy), got %zu", target.size());
  PetscCall(RestoreConservedSums({PetscRealPart(target[0]), PetscRealPart(target[1]),
                                  PetscRealPart(target[2]), PetscRealPart(target[3])},
                                 ok));
  PetscFunctionReturn(0);
}

PetscErrorCode EulerSolver::Admissible(PetscBool* ok, std::string* why) const {
  PetscReal rho, p;
  PetscFunctionBeginUser;
  PetscCall(MinDensityPressure(&rho, &p));
  *ok = (rho > 0 && p > 0) ? PETSC_TRUE : PETSC_FALSE;
  if (!*ok)
    *why = "non-positive density (" + std::to_string(rho) + ") or pressure (" + std::to_string(p) + ")";
  PetscFunctionReturn(0);
}

PetscErrorCode EulerSolver::MinDensityPressure(PetscReal* rho_min, PetscReal* p_min) const {
  const Conserved** u;
  PetscInt xs, ys, xm, ym;
  PetscFunctionBeginUser;
  PetscCall(DMDAGetCorners(da_, &xs, &ys, nullptr, &xm, &ym, nullptr));
  PetscReal local[2] = {PETSC_MAX_REAL, PETSC_MAX_REAL}, global[2];
  PetscCall(DMDAVecGetArrayRead(da_, u_, &u));
  for (PetscInt j = ys; j < ys + ym; ++j)
    for (PetscInt i = xs; i < xs + xm; ++i) {
      const Primitive w = ToPrimitive(u[j][i], cfg_.gamma);
      // A NaN compares false and would hide: count it as -inf.
      local[0] = std::min(local[0], std::isnan(w.rho) ? PETSC_MIN_REAL : w.rho);
      local[1] = std::min(local[1], std::isnan(w.p) ? PETSC_MIN_REAL : w.p);
    }
  PetscCall(DMDAVecRestoreArrayRead(da_, u_, &u));
  PetscCall(MPIU_Allreduce(local, global, 2, MPIU_REAL, MPIU_MIN, PetscObjectComm((PetscObject)da_)));
  *rho_min = global[0];
  *p_min = global[1];
  PetscFunctionReturn(0);
}

std::string EulerSolver::dataset_name() const {
  const std::string bc = cfg_.boundary == "periodic" ? "periodicBC" : "openBC";
  if (cfg_.initial_condition == "quadrants") return "euler_multi_quadrants_" + bc;
  if (cfg_.initial_condition == "sod") return "euler_sod_" + bc;
  return "euler_isentropic_vortex_" + bc;
}

std::vector<data::WellAxis> EulerSolver::axes() const {
  const std::string bc = cfg_.boundary == "periodic" ? "periodic" : "open";
  data::WellAxis x{"x", mx_, {}, bc}, y{"y", my_, {}, bc};
  for (PetscInt i = 0; i < mx_; ++i) x.coords.push_back((i + 0.5) * dx());
  for (PetscInt j = 0; j < my_; ++j) y.coords.push_back((j + 0.5) * dy());
  return {x, y};
}

std::vector<data::WellField> EulerSolver::well_fields() const {
  // The Well's euler_multi_quadrants fields, in its order: t0 energy, density, pressure; t1 momentum.
  std::vector<data::WellField> fields;
  for (const char* name : {"energy", "density", "pressure"}) {
    data::WellField f;
    f.name = name;
    f.order = 0;
    f.dim_varying = {true, true};
    fields.push_back(f);
  }
  data::WellField momentum;
  momentum.name = "momentum";
  momentum.order = 1;
  momentum.dim_varying = {true, true};
  fields.push_back(momentum);
  return fields;
}

std::vector<std::pair<std::string, double>> EulerSolver::parameters() const {
  return {{"gamma", cfg_.gamma}};
}

PetscErrorCode EulerSolver::ExtractWellField(const std::string& name, std::vector<float>* out) const {
  PetscFunctionBeginUser;
  if (name == "density") {
    PetscCall(leap::petsc::LeapDMDACopyToWellOrder(da_, u_, {0}, out));
  } else if (name == "momentum") {
    PetscCall(leap::petsc::LeapDMDACopyToWellOrder(da_, u_, {1, 2}, out));
  } else if (name == "energy") {
    PetscCall(leap::petsc::LeapDMDACopyToWellOrder(da_, u_, {3}, out));
  } else if (name == "pressure") {
    const Conserved** u;
    PetscInt xs, ys, xm, ym;
    PetscCall(DMDAGetCorners(da_, &xs, &ys, nullptr, &xm, &ym, nullptr));
    out->resize(size_t(xm) * size_t(ym));
    PetscCall(DMDAVecGetArrayRead(da_, u_, &u));
    for (PetscInt i = 0; i < xm; ++i)
      for (PetscInt j = 0; j < ym; ++j)
        (*out)[size_t(i) * size_t(ym) + size_t(j)] = float(ToPrimitive(u[ys + j][xs + i], cfg_.gamma).p);
    PetscCall(DMDAVecRestoreArrayRead(da_, u_, &u));
  } else {
    SETERRQ(PetscObjectComm((PetscObject)da_), PETSC_ERR_ARG_UNKNOWN_TYPE,
            "Euler2d: no field '%s' (the fields are energy, density, pressure and momentum)", name.c_str());
  }
  PetscFunctionReturn(0);
}

PetscErrorCode EulerSolver::InjectWellFields(const std::vector<std::vector<float>>& fields) {
  Conserved** u;
  PetscInt xs, ys, xm, ym;
  PetscFunctionBeginUser;
  PetscCall(DMDAGetCorners(da_, &xs, &ys, nullptr, &xm, &ym, nullptr));
  const size_t cells = size_t(xm) * size_t(ym);
  PetscCheck(fields.size() == 4, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ,
             "Euler2d: InjectWellFields takes 4 fields (energy, density, pressure, momentum), got %zu",
             fields.size());
  const std::vector<float>& energy = fields[0];
  const std::vector<float>& density = fields[1];
  const std::vector<float>& momentum = fields[3];
  PetscCheck(energy.size() == cells && density.size() == cells && fields[2].size() == cells &&
                 momentum.size() == 2 * cells,
             PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ,
             "Euler2d: InjectWellFields: this rank's block has %zu cells; got %zu, %zu, %zu and %zu values",
             cells, energy.size(), density.size(), fields[2].size(), momentum.size());
  // injection "energy": the emulated energy is used and the pressure follows from it (it is not
  // read); "pressure": the energy follows from the emulated pressure, so that positive density and
  // pressure (log-normalised fields decode positive) give an admissible state.
  const bool from_pressure = cfg_.injection == "pressure";
  const std::vector<float>& pressure = fields[2];
  PetscCall(DMDAVecGetArray(da_, u_, &u));
  for (PetscInt i = 0; i < xm; ++i)
    for (PetscInt j = 0; j < ym; ++j) {
      const size_t k = size_t(i) * size_t(ym) + size_t(j);
      Conserved& c = u[ys + j][xs + i];
      c.rho = density[k];
      c.mx = momentum[2 * k];
      c.my = momentum[2 * k + 1];
      const PetscReal kinetic = 0.5 * (c.mx * c.mx + c.my * c.my) / c.rho;
      c.E = from_pressure ? PetscReal(pressure[k]) / (cfg_.gamma - 1) + kinetic : PetscReal(energy[k]);
    }
  PetscCall(DMDAVecRestoreArray(da_, u_, &u));
  PetscFunctionReturn(0);
}

}  // namespace leap::euler2d
