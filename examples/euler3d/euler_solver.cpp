#include "euler3d/euler_solver.h"

#include <exception>
#include <utility>

#include "euler3d/initial_conditions.h"

namespace leap::euler3d {

PetscErrorCode EulerSolver::Create(MPI_Comm comm, const EulerConfig& cfg,
                                   std::unique_ptr<EulerSolver>* solver, const char* prefix) {
  PetscFunctionBeginUser;
  PetscCheck(solver, comm, PETSC_ERR_ARG_NULL, "Euler3d: Create needs a place for the solver");
  solver->reset();
  try {
    CheckEulerConfig(cfg);
  } catch (const std::exception& e) {
    SETERRQ(comm, PETSC_ERR_ARG_OUTOFRANGE, "Euler3d: %s", e.what());
  }
  auto s = std::make_unique<EulerSolver>(Key{});
  s->cfg_ = cfg;
  Numerics n;
  n.cells = {cfg.nx, cfg.ny, cfg.nz};
  n.lengths = {cfg.lx, cfg.ly, cfg.lz};
  for (int a = 0; a < 3; ++a) n.periodic[size_t(a)] = cfg.boundary.of(a) == "periodic";
  n.gamma = cfg.gamma;
  n.cfl = cfg.cfl;
  n.t_end = cfg.t_end;
  n.limiter = euler::LimiterFromName(cfg.limiter);
  n.inject_pressure = cfg.injection == "pressure";
  PetscCall(s->SetUp(comm, prefix, n));
  *solver = std::move(s);
  PetscFunctionReturn(0);
}

PetscErrorCode EulerSolver::FillInitialCondition(Vec U) const {
  PetscFunctionBeginUser;
  PetscCall(leap::euler3d::SetInitialCondition(dm(), U, cfg_, {dx(), dy(), dz()}));
  PetscFunctionReturn(0);
}

std::string EulerSolver::dataset_name() const {
  const bool x = periodic(0), y = periodic(1), z = periodic(2);
  const std::string bc = x && y && z ? "periodicBC" : !x && !y && !z ? "openBC" : "mixedBC";
  const std::string& ic = cfg_.initial_condition;
  if (ic == "octants") return "euler3d_multi_octants_" + bc;
  if (ic == "blast") return "euler3d_blast_wave_" + bc;
  if (ic == "taylor_green") return "euler3d_taylor_green_" + bc;
  if (ic == "sod") return "euler3d_sod_" + cfg_.sod.axis + "_" + bc;
  return "euler3d_density_wave_" + bc;
}

}  // namespace leap::euler3d
