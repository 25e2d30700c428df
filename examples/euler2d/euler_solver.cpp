#include "euler2d/euler_solver.h"

#include <exception>
#include <utility>

#include "euler2d/initial_conditions.h"

namespace leap::euler2d {

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
  Numerics n;
  n.cells = {cfg.nx, cfg.ny};
  n.lengths = {cfg.lx, cfg.ly};
  n.periodic = {cfg.boundary == "periodic", cfg.boundary == "periodic"};
  n.gamma = cfg.gamma;
  n.cfl = cfg.cfl;
  n.t_end = cfg.t_end;
  n.limiter = LimiterFromName(cfg.limiter);
  n.inject_pressure = cfg.injection == "pressure";
  PetscCall(s->SetUp(comm, prefix, n));
  *solver = std::move(s);
  PetscFunctionReturn(0);
}

PetscErrorCode EulerSolver::FillInitialCondition(Vec U) const {
  PetscFunctionBeginUser;
  PetscCall(leap::euler2d::SetInitialCondition(dm(), U, cfg_, dx(), dy()));
  PetscFunctionReturn(0);
}

std::string EulerSolver::dataset_name() const {
  const std::string bc = cfg_.boundary == "periodic" ? "periodicBC" : "openBC";
  if (cfg_.initial_condition == "quadrants") return "euler_multi_quadrants_" + bc;
  if (cfg_.initial_condition == "sod") return "euler_sod_" + bc;
  return "euler_isentropic_vortex_" + bc;
}

}  // namespace leap::euler2d
