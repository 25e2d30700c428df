// leap-rayleigh-benard: runs one Rayleigh–Bénard case and prints its Nusselt number.
//
//   mpiexec -n 2 leap-rayleigh-benard [-leap_config case.yaml] [-leap_rb_reports N]
//                                     [-da_grid_x 256 -da_grid_y 65] [-ts_max_time 0.2]
//                                     [-ts_monitor] [-ksp_type cg -pc_type gamg] [-log_view]
//
// The config (rb_config.h) gives the case; PETSc options override the grid, the end time and the
// solvers. -leap_rb_reports N prints time, Nusselt numbers and kinetic energy at N equally spaced
// times. Exit status: 0 success, 2 bad config, 1 other failure.
#include <petscts.h>

#include <cstdio>
#include <exception>
#include <memory>
#include <string>

#include "leap/config/load.h"
#include "leap/error.h"
#include "rb_solver.h"

namespace {

using leap::rayleigh_benard::Nusselt;
using leap::rayleigh_benard::RBConfig;
using leap::rayleigh_benard::RBSolver;

PetscErrorCode Run(const RBConfig& config, PetscInt reports) {
  std::unique_ptr<RBSolver> solver;
  PetscReal t0, t_end;
  PetscMPIInt size;
  PetscFunctionBeginUser;
  PetscCall(RBSolver::Create(PETSC_COMM_WORLD, config, &solver));
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCall(TSGetMaxTime(solver->ts(), &t_end));  // config t_end unless -ts_max_time
  PetscCall(PetscPrintf(PETSC_COMM_WORLD,
                        "Rayleigh-Benard: Ra %g Pr %g, grid %" PetscInt_FMT " x %" PetscInt_FMT
                        " on [0,%g] x [0,1], %d rank(s), t_end %g\n",
                        config.rayleigh, config.prandtl, solver->nx(), solver->ny(), config.lx, size,
                        double(t_end)));
  t0 = solver->time();
  const PetscLogDouble wall0 = MPI_Wtime();
  for (PetscInt k = 1; k <= reports; ++k) {
    PetscCall(solver->Advance(t0 + (t_end - t0) * PetscReal(k) / PetscReal(reports)));
    Nusselt nu;
    PetscReal ke;
    PetscCall(solver->ComputeNusselt(&nu));
    PetscCall(solver->KineticEnergy(&ke));
    PetscCall(PetscPrintf(
        PETSC_COMM_WORLD, "t %.6f  Nu(bottom) %.5f  Nu(top) %.5f  Nu(volume) %.5f  KE %.6g\n",
        double(solver->time()), double(nu.bottom), double(nu.top), double(nu.volume), double(ke)));
  }
  const PetscLogDouble wall = MPI_Wtime() - wall0;
  PetscInt steps;
  PetscCall(TSGetStepNumber(solver->ts(), &steps));
  const double updates = double(steps) * double(solver->nx()) * double(solver->ny());
  PetscCall(PetscPrintf(PETSC_COMM_WORLD,
                        "steps %" PetscInt_FMT ", Poisson iterations %" PetscInt_FMT
                        ", wall %.3f s, %.4g grid-point updates per second per rank\n",
                        steps, solver->poisson().total_iterations(), double(wall),
                        wall > 0 ? updates / double(wall) / double(size) : 0.0));
  PetscFunctionReturn(0);
}

}  // namespace

int main(int argc, char** argv) {
  if (PetscInitialize(&argc, &argv, nullptr, "leap-rayleigh-benard: 2-D Rayleigh-Benard convection\n"))
    return 1;
  int status = 0;
  char path[PETSC_MAX_PATH_LEN] = "";
  PetscBool have_config = PETSC_FALSE;
  PetscInt reports = 1;
  PetscOptionsBegin(PETSC_COMM_WORLD, nullptr, "LEAP Rayleigh-Benard options", nullptr);
  PetscCall(PetscOptionsString("-leap_config", "YAML case file (rb_config.h)", nullptr, path, path,
                               sizeof(path), &have_config));
  PetscCall(PetscOptionsInt("-leap_rb_reports", "number of Nusselt reports over the run", nullptr, reports,
                            &reports, nullptr));
  PetscOptionsEnd();
  RBConfig config;
  try {
    if (have_config) config = leap::config::load_config<RBConfig>(path);
  } catch (const std::exception& e) {
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "leap-rayleigh-benard: %s\n", e.what()));
    status = leap::exit_code_for(e);
  }
  if (status == 0 && reports < 1) {
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "leap-rayleigh-benard: -leap_rb_reports must be >= 1\n"));
    status = 2;
  }
  if (status == 0 && Run(config, reports)) status = 1;
  if (PetscFinalize()) return 1;
  return status;
}
