#include "case_solvers.h"

#include "euler2d/euler_solver.h"
#include "euler3d/euler_solver.h"
#include "leap/config/load.h"
#include "rb_solver.h"

namespace leap::cli {

namespace {

template <class Solver, class Config>
std::unique_ptr<petsc::FluidSolver> build(MPI_Comm comm, const Config& base, const std::vector<std::string>& sets,
                                          const std::string& file, const std::string& section) {
  const Config cfg = config::with_overrides(base, sets, file, section);
  std::unique_ptr<Solver> solver;
  PetscErrorCode ierr = Solver::Create(comm, cfg, &solver);
  if (ierr) throw Error(file + ": the " + section + " solver could not be created (PETSc error " + std::to_string(int(ierr)) + ")");
  return solver;
}

}  // namespace

std::unique_ptr<petsc::FluidSolver> make_case_solver(MPI_Comm comm, const GenerateConfig& cfg,
                                                     const std::vector<std::string>& sets,
                                                     const std::string& file) {
  if (cfg.case_name == "euler2d")
    return build<euler2d::EulerSolver>(comm, cfg.euler2d, sets, file, "euler2d");
  if (cfg.case_name == "euler3d") return build<euler3d::EulerSolver>(comm, cfg.euler3d, sets, file, "euler3d");
  return build<rayleigh_benard::RBSolver>(comm, cfg.rayleigh_benard, sets, file, "rayleigh_benard");
}

}  // namespace leap::cli
