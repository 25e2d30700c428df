#include "rb_solver.h"

// PetscObjectStateGet (exported, but declared in the private header in PETSc 3.18) tells whether the
// solution vector changed since the diagnostics were computed, whoever changed it.
#include <petsc/private/petscimpl.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "leap/petsc/dmda_layout.h"
#include "rb_log.h"

namespace leap::rayleigh_benard {

namespace {

// Uniform number in [-1, 1) from (seed, i, j) alone (SplitMix64 finaliser over a combined key), so
// the initial field does not depend on how the grid is split over ranks.
PetscReal UniformNoise(int64_t seed, PetscInt i, PetscInt j) {
  uint64_t z = uint64_t(seed) * 0x9E3779B97F4A7C15ull;
  z ^= (uint64_t(uint32_t(j)) << 32) | uint64_t(uint32_t(i));
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return PetscReal(z >> 11) * (2.0 / 9007199254740992.0) - 1.0;  // 53 bits -> [-1, 1)
}

}  // namespace

RBSolver::RBSolver(Key, MPI_Comm comm, const RBConfig& config) : config_(config), comm_(comm) {}

RBSolver::~RBSolver() {
  // Destruction of valid PETSc objects does not fail; a destructor cannot propagate errors anyway.
  poisson_.reset();
  (void)VecDestroy(&vel_out_);
  (void)VecDestroy(&psi_out_);
  (void)VecDestroy(&psi_local_);
  (void)VecDestroy(&x_local_);
  (void)VecDestroy(&psi_);
  (void)VecDestroy(&omega_);
  (void)VecDestroy(&X_);
  (void)TSDestroy(&ts_);
  (void)DMDestroy(&da_vel_);
  (void)DMDestroy(&da_psi_);
  (void)DMDestroy(&da_);
}

PetscErrorCode RBSolver::Create(MPI_Comm comm, const RBConfig& config, std::unique_ptr<RBSolver>* out) {
  PetscFunctionBeginUser;
  auto solver = std::make_unique<RBSolver>(Key{}, comm, config);
  PetscCall(solver->Setup());
  *out = std::move(solver);
  PetscFunctionReturn(0);
}

PetscErrorCode RBSolver::Setup() {
  PetscFunctionBeginUser;
  PetscCheck(config_.rayleigh > 0 && config_.prandtl > 0 && config_.lx > 0, comm_, PETSC_ERR_ARG_OUTOFRANGE,
             "RBSolver: Rayleigh, Prandtl and lx must be > 0");
  PetscCall(DMDACreate2d(comm_, DM_BOUNDARY_PERIODIC, DM_BOUNDARY_NONE, DMDA_STENCIL_BOX, config_.nx,
                         config_.ny, PETSC_DECIDE, PETSC_DECIDE, 2, 1, nullptr, nullptr, &da_));
  PetscCall(DMSetFromOptions(da_));
  PetscCall(DMSetUp(da_));
  PetscCall(DMDASetFieldName(da_, 0, "vorticity"));
  PetscCall(DMDASetFieldName(da_, 1, "buoyancy"));
  PetscCall(DMDAGetInfo(da_, nullptr, &nx_, &ny_, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                        nullptr, nullptr, nullptr, nullptr));
  PetscCheck(nx_ >= 4 && ny_ >= 5, comm_, PETSC_ERR_ARG_OUTOFRANGE,
             "RBSolver: the grid needs nx >= 4 and ny >= 5 points, got %" PetscInt_FMT " x %" PetscInt_FMT,
             nx_, ny_);
  hx_ = config_.lx / PetscReal(nx_);
  hy_ = 1.0 / PetscReal(ny_ - 1);
  PetscCall(DMDASetUniformCoordinates(da_, 0, config_.lx, 0, 1, 0, 0));

  PetscCall(DMDACreateCompatibleDMDA(da_, 1, &da_psi_));
  PetscCall(DMDASetFieldName(da_psi_, 0, "streamfunction"));
  PetscCall(DMDACreateCompatibleDMDA(da_, 2, &da_vel_));
  PetscCall(DMDASetFieldName(da_vel_, 0, "velocity_x"));
  PetscCall(DMDASetFieldName(da_vel_, 1, "velocity_y"));

  PetscCall(DMCreateGlobalVector(da_, &X_));
  PetscCall(PetscObjectSetName((PetscObject)X_, "state"));
  PetscCall(DMCreateLocalVector(da_, &x_local_));
  PetscCall(DMCreateGlobalVector(da_psi_, &omega_));
  PetscCall(DMCreateGlobalVector(da_psi_, &psi_));
  PetscCall(DMCreateLocalVector(da_psi_, &psi_local_));
  PetscCall(DMCreateGlobalVector(da_psi_, &psi_out_));
  PetscCall(DMCreateGlobalVector(da_vel_, &vel_out_));
  PetscCall(PoissonSolver::Create(da_psi_, hx_, hy_, config_.poisson_rtol, &poisson_));

  PetscCall(TSCreate(comm_, &ts_));
  PetscCall(TSSetDM(ts_, da_));
  PetscCall(TSSetProblemType(ts_, TS_NONLINEAR));
  PetscCall(TSSetType(ts_, TSRK));
  PetscCall(TSRKSetType(ts_, TSRK4));
  PetscCall(TSSetRHSFunction(ts_, nullptr, RHSFunction, this));
  PetscCall(TSSetApplicationContext(ts_, this));
  PetscCall(TSSetPreStep(ts_, PreStep));
  PetscCall(TSSetSolution(ts_, X_));
  PetscCall(TSSetTime(ts_, 0));
  {  // first guess, the CFL rule without advection (PreStep sets every step's dt)
    const PetscReal diff = 4 * PetscMax(config_.prandtl, 1.0) * (1 / (hx_ * hx_) + 1 / (hy_ * hy_));
    const PetscReal buoy = PetscSqrtReal(config_.rayleigh * config_.prandtl);
    PetscCall(TSSetTimeStep(ts_, config_.dt > 0 ? config_.dt : config_.cfl / (diff + buoy)));
  }
  PetscCall(TSSetMaxTime(ts_, config_.t_end));
  PetscCall(TSSetMaxSteps(ts_, PETSC_MAX_INT));
  PetscCall(TSSetExactFinalTime(ts_, TS_EXACTFINALTIME_MATCHSTEP));
  TSAdapt adapt;
  PetscCall(TSGetAdapt(ts_, &adapt));
  PetscCall(TSAdaptSetType(adapt, TSADAPTNONE));
  PetscCall(TSSetFromOptions(ts_));
  PetscCall(SetInitialCondition());
  PetscFunctionReturn(0);
}

PetscErrorCode RBSolver::SetInitialCondition() {
  PetscInt xs, ys, xm, ym;
  PetscScalar*** x;
  PetscFunctionBeginUser;
  PetscCall(DMDAGetCorners(da_, &xs, &ys, nullptr, &xm, &ym, nullptr));
  PetscCall(DMDAVecGetArrayDOF(da_, X_, &x));
  for (PetscInt j = ys; j < ys + ym; ++j) {
    const PetscReal y = PetscReal(j) * hy_;
    const bool wall = (j == 0 || j == ny_ - 1);
    for (PetscInt i = xs; i < xs + xm; ++i) {
      x[j][i][0] = 0;
      x[j][i][1] = (j == 0) ? 1.0 : (j == ny_ - 1) ? 0.0 : 1.0 - y;
      if (wall) continue;
      if (config_.perturbation_mode > 0) {
        const PetscReal x_i = PetscReal(i) * hx_;
        x[j][i][1] += config_.perturbation * PetscSinReal(PETSC_PI * y) *
                      PetscCosReal(2 * PETSC_PI * config_.perturbation_mode * x_i / config_.lx);
      } else {
        x[j][i][1] += config_.perturbation * UniformNoise(config_.seed, i, j);
      }
    }
  }
  PetscCall(DMDAVecRestoreArrayDOF(da_, X_, &x));
  PetscCall(VecZeroEntries(psi_));
  PetscCall(TSSetTime(ts_, 0));
  PetscCall(TSSetStepNumber(ts_, 0));
  stage_rate_ = -1;
  PetscFunctionReturn(0);
}

PetscErrorCode RBSolver::RHSFunction(TS, PetscReal, Vec X, Vec F, void* ctx) {
  PetscFunctionBeginUser;
  PetscCall(static_cast<RBSolver*>(ctx)->ComputeRHS(X, F));
  PetscFunctionReturn(0);
}

PetscErrorCode RBSolver::PreStep(TS ts) {
  void* ctx = nullptr;
  PetscFunctionBeginUser;
  PetscCall(TSGetApplicationContext(ts, &ctx));
  PetscCall(static_cast<RBSolver*>(ctx)->ChooseTimeStep());
  PetscFunctionReturn(0);
}

PetscErrorCode RBSolver::ChooseTimeStep() {
  PetscReal t, tmax, dt;
  PetscFunctionBeginUser;
  if (config_.dt > 0) {
    dt = config_.dt;
  } else {
    PetscReal local = stage_rate_;
    if (local < 0) {  // no stage evaluated since the state was set: use the state itself
      Vec vel;
      PetscCall(GetVelocity(&vel));
      PetscCall(LocalAdvectiveRate(vel, &local));
    }
    PetscReal adv = 0;
    PetscCallMPI(MPI_Allreduce(&local, &adv, 1, MPIU_REAL, MPIU_MAX, comm_));
    const PetscReal nu = PetscMax(config_.prandtl, 1.0);
    const PetscReal diff = 4 * nu * (1 / (hx_ * hx_) + 1 / (hy_ * hy_));
    const PetscReal buoy = PetscSqrtReal(config_.rayleigh * config_.prandtl);
    dt = config_.cfl / (adv + diff + buoy);
  }
  stage_rate_ = -1;
  PetscCall(TSGetTime(ts_, &t));
  PetscCall(TSGetMaxTime(ts_, &tmax));
  const PetscReal remaining = tmax - t;
  if (remaining > 0) {  // equal steps that end exactly on tmax, none longer than dt
    const PetscReal n = PetscCeilReal(remaining / dt * (1 - 1e-12));
    dt = remaining / PetscMax(n, 1.0);
  }
  PetscCall(TSSetTimeStep(ts_, dt));
  PetscFunctionReturn(0);
}

PetscErrorCode RBSolver::Advance(PetscReal t_end) {
  PetscReal t;
  TSConvergedReason reason;
  PetscFunctionBeginUser;
  PetscCall(TSGetTime(ts_, &t));
  PetscCheck(t_end >= t, comm_, PETSC_ERR_ARG_OUTOFRANGE,
             "RBSolver::Advance: end time %g is before the current time %g", double(t_end), double(t));
  if (t_end == t) PetscFunctionReturn(0);
  PetscCall(TSSetMaxTime(ts_, t_end));
  PetscCall(TSSetExactFinalTime(ts_, TS_EXACTFINALTIME_MATCHSTEP));
  PetscCall(TSSolve(ts_, X_));
  PetscCall(TSGetConvergedReason(ts_, &reason));
  PetscCheck(reason >= 0, comm_, PETSC_ERR_NOT_CONVERGED, "RBSolver::Advance: the time stepper failed (%s)",
             TSConvergedReasons[reason]);
  PetscCall(TSGetTime(ts_, &t));
  // The last step ends on t_end up to rounding of t + dt; state that exactly.
  if (reason == TS_CONVERGED_TIME && PetscAbsReal(t - t_end) <= 1e-10 * PetscMax(1.0, PetscAbsReal(t_end)))
    PetscCall(TSSetTime(ts_, t_end));
  PetscFunctionReturn(0);
}

// ---------------------------------------------------------------- diagnostics

PetscErrorCode RBSolver::GetStreamfunction(Vec* psi) const {
  PetscObjectState state;
  PetscFunctionBeginUser;
  PetscCall(PetscObjectStateGet((PetscObject)X_, &state));
  if (state != psi_out_state_) {
    // A separate vector, started from the latest stage's ψ, so that diagnostics never change the
    // initial guesses (and hence the round-off) of the time integration.
    PetscCall(VecCopy(psi_, psi_out_));
    PetscCall(VecStrideGather(X_, 0, omega_, INSERT_VALUES));
    PetscCall(poisson_->Solve(omega_, psi_out_));
    psi_out_state_ = state;
  }
  *psi = psi_out_;
  PetscFunctionReturn(0);
}

PetscErrorCode RBSolver::VelocityFromStreamfunction(Vec psi, Vec velocity) const {
  PetscInt xs, ys, xm, ym;
  const PetscScalar** p;
  PetscScalar*** v;
  PetscFunctionBeginUser;
  PetscCall(DMGlobalToLocal(da_psi_, psi, INSERT_VALUES, psi_local_));
  PetscCall(DMDAGetCorners(da_, &xs, &ys, nullptr, &xm, &ym, nullptr));
  PetscCall(DMDAVecGetArrayRead(da_psi_, psi_local_, &p));
  PetscCall(DMDAVecGetArrayDOF(da_vel_, velocity, &v));
  for (PetscInt j = ys; j < ys + ym; ++j)
    for (PetscInt i = xs; i < xs + xm; ++i) {
      if (j == 0 || j == ny_ - 1) {  // no-slip walls
        v[j][i][0] = 0;
        v[j][i][1] = 0;
        continue;
      }
      // psi is 0 on the walls by the boundary condition (the stored wall entries are not used).
      const PetscScalar pn = (j + 1 == ny_ - 1) ? 0 : p[j + 1][i];
      const PetscScalar ps = (j - 1 == 0) ? 0 : p[j - 1][i];
      v[j][i][0] = (pn - ps) / (2 * hy_);
      v[j][i][1] = -(p[j][i + 1] - p[j][i - 1]) / (2 * hx_);
    }
  PetscCall(DMDAVecRestoreArrayDOF(da_vel_, velocity, &v));
  PetscCall(DMDAVecRestoreArrayRead(da_psi_, psi_local_, &p));
  PetscFunctionReturn(0);
}

PetscErrorCode RBSolver::GetVelocity(Vec* velocity) const {
  PetscObjectState state;
  Vec psi;
  PetscFunctionBeginUser;
  PetscCall(GetStreamfunction(&psi));
  PetscCall(PetscObjectStateGet((PetscObject)X_, &state));
  if (state != vel_out_state_) {
    PetscCall(PetscLogEventBegin(LogEvents().diagnostics, 0, 0, 0, 0));
    PetscCall(VelocityFromStreamfunction(psi, vel_out_));
    PetscCall(PetscLogEventEnd(LogEvents().diagnostics, 0, 0, 0, 0));
    vel_out_state_ = state;
  }
  *velocity = vel_out_;
  PetscFunctionReturn(0);
}

PetscErrorCode RBSolver::LocalAdvectiveRate(Vec velocity, PetscReal* rate) const {
  PetscInt xs, ys, xm, ym;
  const PetscScalar*** v;
  PetscFunctionBeginUser;
  PetscCall(DMDAGetCorners(da_vel_, &xs, &ys, nullptr, &xm, &ym, nullptr));
  PetscCall(DMDAVecGetArrayDOFRead(da_vel_, velocity, &v));
  PetscReal r = 0;
  for (PetscInt j = ys; j < ys + ym; ++j)
    for (PetscInt i = xs; i < xs + xm; ++i)
      r = PetscMax(r, PetscAbsScalar(v[j][i][0]) / hx_ + PetscAbsScalar(v[j][i][1]) / hy_);
  PetscCall(DMDAVecRestoreArrayDOFRead(da_vel_, velocity, &v));
  *rate = r;
  PetscFunctionReturn(0);
}

PetscErrorCode RBSolver::ComputeNusselt(Nusselt* nu) const {
  Vec vel;
  PetscFunctionBeginUser;
  PetscCall(GetVelocity(&vel));
  PetscCall(rayleigh_benard::ComputeNusselt(da_, X_, da_vel_, vel, hy_, nu));
  PetscFunctionReturn(0);
}

PetscErrorCode RBSolver::KineticEnergy(PetscReal* ke) const {
  Vec vel;
  PetscInt xs, ys, xm, ym;
  const PetscScalar*** v;
  PetscFunctionBeginUser;
  PetscCall(GetVelocity(&vel));
  PetscCall(DMDAGetCorners(da_vel_, &xs, &ys, nullptr, &xm, &ym, nullptr));
  PetscCall(DMDAVecGetArrayDOFRead(da_vel_, vel, &v));
  PetscReal sum = 0;  // wall rows have zero velocity, so the trapezoidal rule is a plain sum
  for (PetscInt j = ys; j < ys + ym; ++j)
    for (PetscInt i = xs; i < xs + xm; ++i)
      sum += PetscRealPart(v[j][i][0] * v[j][i][0] + v[j][i][1] * v[j][i][1]);
  PetscCall(DMDAVecRestoreArrayDOFRead(da_vel_, vel, &v));
  PetscReal total = 0;
  PetscCallMPI(MPI_Allreduce(&sum, &total, 1, MPIU_REAL, MPIU_SUM, comm_));
  *ke = 0.5 * total * hy_ / PetscReal(nx_);
  PetscFunctionReturn(0);
}

// ---------------------------------------------------------------- The Well

std::vector<data::WellAxis> RBSolver::axes() const {
  data::WellAxis x{"x", int64_t(nx_), {}, "periodic"}, y{"y", int64_t(ny_), {}, "wall"};
  for (PetscInt i = 0; i < nx_; ++i) x.coords.push_back(double(i) * hx_);
  for (PetscInt j = 0; j < ny_; ++j) y.coords.push_back(double(j) * hy_);
  return {x, y};
}

std::vector<data::WellField> RBSolver::well_fields() const {
  std::vector<data::WellField> fields(3);
  fields[0].name = "buoyancy";
  fields[0].order = 0;
  fields[1].name = "streamfunction";
  fields[1].order = 0;
  fields[2].name = "velocity";
  fields[2].order = 1;
  for (auto& f : fields) f.dim_varying = {true, true};
  return fields;
}

std::vector<std::pair<std::string, double>> RBSolver::parameters() const {
  return {{"Rayleigh", config_.rayleigh}, {"Prandtl", config_.prandtl}};
}

PetscErrorCode RBSolver::ExtractWellField(const std::string& name, std::vector<float>* out) const {
  PetscFunctionBeginUser;
  if (name == "buoyancy") {
    PetscCall(petsc::LeapDMDACopyToWellOrder(da_, X_, {1}, out));
  } else if (name == "streamfunction") {
    Vec psi;
    PetscCall(GetStreamfunction(&psi));
    PetscCall(petsc::LeapDMDACopyToWellOrder(da_psi_, psi, {0}, out));
  } else if (name == "velocity") {
    Vec vel;
    PetscCall(GetVelocity(&vel));
    PetscCall(petsc::LeapDMDACopyToWellOrder(da_vel_, vel, {0, 1}, out));
  } else {
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE,
            "RBSolver: no field '%s' (fields: buoyancy, streamfunction, velocity)", name.c_str());
  }
  PetscFunctionReturn(0);
}

PetscErrorCode RBSolver::Admissible(PetscBool* ok, std::string* why) const {
  const PetscScalar*** x;
  PetscInt xs, ys, xm, ym;
  // min b, -max b, and 0 or 1 for a non-finite value (reduced with MIN and MAX).
  PetscReal lo[2] = {PETSC_MAX_REAL, PETSC_MAX_REAL}, bad = 0;
  PetscFunctionBeginUser;
  PetscCall(DMDAGetCorners(da_, &xs, &ys, nullptr, &xm, &ym, nullptr));
  PetscCall(DMDAVecGetArrayDOFRead(da_, X_, &x));
  for (PetscInt j = ys; j < ys + ym; ++j)
    for (PetscInt i = xs; i < xs + xm; ++i) {
      const PetscReal w = PetscRealPart(x[j][i][0]), b = PetscRealPart(x[j][i][1]);
      if (!std::isfinite(w) || !std::isfinite(b)) bad = 1;
      lo[0] = std::min(lo[0], b);
      lo[1] = std::min(lo[1], -b);
    }
  PetscCall(DMDAVecRestoreArrayDOFRead(da_, X_, &x));
  const MPI_Comm comm = PetscObjectComm((PetscObject)da_);
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, lo, 2, MPIU_REAL, MPI_MIN, comm));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPIU_REAL, MPI_MAX, comm));
  const PetscReal bmin = lo[0], bmax = -lo[1];
  *ok = (bad == 0 && bmin >= -kBuoyancyMargin && bmax <= 1 + kBuoyancyMargin) ? PETSC_TRUE : PETSC_FALSE;
  if (!*ok)
    *why = bad != 0 ? std::string("a non-finite vorticity or buoyancy")
                    : "buoyancy in [" + std::to_string(bmin) + ", " + std::to_string(bmax) +
                          "], outside the walls' [0, 1] by more than " + std::to_string(kBuoyancyMargin);
  PetscFunctionReturn(0);
}

PetscErrorCode RBSolver::InjectWellFields(const std::vector<std::vector<float>>& fields) {
  PetscInt xs, ys, xm, ym;
  PetscScalar*** x;
  PetscScalar** p;
  PetscFunctionBeginUser;
  PetscCall(DMDAGetCorners(da_, &xs, &ys, nullptr, &xm, &ym, nullptr));
  const size_t cells = size_t(xm) * size_t(ym);
  PetscCheck(fields.size() == 3, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ,
             "RBSolver::InjectWellFields: expected 3 fields (buoyancy, streamfunction, velocity), got %zu",
             fields.size());
  PetscCheck(fields[0].size() == cells && fields[1].size() == cells && fields[2].size() == 2 * cells,
             PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ,
             "RBSolver::InjectWellFields: this rank's block has %zu points; got %zu, %zu and %zu values "
             "(expected %zu, %zu, %zu)",
             cells, fields[0].size(), fields[1].size(), fields[2].size(), cells, cells, 2 * cells);
  const std::vector<float>& b = fields[0];
  const std::vector<float>& s = fields[1];
  // Streamfunction into psi_out_ (walls 0), then ω = -∇²ψ with ghosts from the neighbours.
  PetscCall(DMDAVecGetArray(da_psi_, psi_out_, &p));
  for (PetscInt i = 0; i < xm; ++i)
    for (PetscInt j = 0; j < ym; ++j) {
      const PetscInt gj = ys + j;
      p[gj][xs + i] = (gj == 0 || gj == ny_ - 1) ? 0.0 : PetscReal(s[size_t(i) * size_t(ym) + size_t(j)]);
    }
  PetscCall(DMDAVecRestoreArray(da_psi_, psi_out_, &p));
  PetscCall(DMGlobalToLocal(da_psi_, psi_out_, INSERT_VALUES, psi_local_));
  const PetscScalar** pl;
  PetscCall(DMDAVecGetArrayRead(da_psi_, psi_local_, &pl));
  PetscCall(DMDAVecGetArrayDOF(da_, X_, &x));
  const PetscReal cx = 1 / (hx_ * hx_), cy = 1 / (hy_ * hy_);
  for (PetscInt i = 0; i < xm; ++i)
    for (PetscInt j = 0; j < ym; ++j) {
      const PetscInt gi = xs + i, gj = ys + j;
      if (gj == 0 || gj == ny_ - 1) {
        x[gj][gi][0] = 0;
        x[gj][gi][1] = (gj == 0) ? 1.0 : 0.0;
        continue;
      }
      const PetscScalar pn = (gj + 1 == ny_ - 1) ? 0 : pl[gj + 1][gi];
      const PetscScalar ps = (gj - 1 == 0) ? 0 : pl[gj - 1][gi];
      x[gj][gi][0] =
          -(cx * (pl[gj][gi + 1] - 2 * pl[gj][gi] + pl[gj][gi - 1]) + cy * (pn - 2 * pl[gj][gi] + ps));
      x[gj][gi][1] = PetscReal(b[size_t(i) * size_t(ym) + size_t(j)]);
    }
  PetscCall(DMDAVecRestoreArrayDOF(da_, X_, &x));
  PetscCall(DMDAVecRestoreArrayRead(da_psi_, psi_local_, &pl));
  // The injected ψ is the best initial guess for the next solves.
  PetscCall(VecCopy(psi_out_, psi_));
  psi_out_state_ = -1;
  vel_out_state_ = -1;
  stage_rate_ = -1;
  PetscFunctionReturn(0);
}

}  // namespace leap::rayleigh_benard
