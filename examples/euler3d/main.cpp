// leap-euler3d: runs one case of the 3-D compressible Euler solver and prints the conserved totals
// at the start and the end.
//
//   mpiexec -n 4 leap-euler3d -leap_config case.yaml -da_grid_x 64 -da_grid_y 64 -da_grid_z 64 -log_view
//
// Exit status: 0 success, 2 bad input (a one-line reason naming the file and key), 1 other failure.
#include <petscsys.h>

#include <ctime>
#include <exception>
#include <iostream>
#include <memory>
#include <string>

#include "euler3d/euler_config.h"
#include "euler3d/euler_solver.h"
#include "leap/config/load.h"
#include "leap/error.h"

namespace {

const char kHelp[] =
    "leap-euler3d: 3-D compressible Euler (MUSCL-HLLC finite volumes, SSP-RK3) on a PETSc DMDA.\n"
    "  -leap_config FILE   YAML config (EulerConfig: nx, ny, nz, lx, ly, lz, gamma, boundary, limiter, cfl,\n"
    "                      t_end, initial_condition, seed, octants, blast, taylor_green, sod, "
    "density_wave);\n"
    "                      defaults without it\n"
    "  -leap_t_end T       end time (overrides t_end of the config)\n"
    "PETSc options apply: -da_grid_x, -da_grid_y, -da_grid_z, -ts_monitor, -ts_type, -log_view, ...\n";

using leap::euler3d::EulerConfig;
using leap::euler3d::EulerSolver;

PetscErrorCode PrintState(const EulerSolver& solver, const char* label) {
  EulerSolver::Totals totals;
  PetscReal rho_min, p_min;
  PetscFunctionBeginUser;
  PetscCall(solver.ConservedTotals(&totals));
  PetscCall(solver.MinDensityPressure(&rho_min, &p_min));
  PetscCall(
      PetscPrintf(PETSC_COMM_WORLD,
                  "%-6s t = %.6f  steps = %" PetscInt_FMT "  mass = %.15e  momentum = (%.15e, %.15e, %.15e)  "
                  "energy = %.15e  min density = %.6e  min pressure = %.6e\n",
                  label, (double)solver.time(), solver.steps(), (double)totals[0], (double)totals[1],
                  (double)totals[2], (double)totals[3], (double)totals[4], (double)rho_min, (double)p_min));
  PetscFunctionReturn(0);
}

// The program's own options (listed by -help).
PetscErrorCode ReadOptions(char* path, size_t len, PetscBool* has_config, PetscReal* t_end,
                           PetscBool* has_t_end) {
  PetscFunctionBeginUser;
  PetscOptionsBegin(PETSC_COMM_WORLD, nullptr, "leap-euler3d options", "leap-euler3d");
  PetscCall(PetscOptionsString("-leap_config", "YAML config of the case (EulerConfig)", "leap-euler3d", path,
                               path, len, has_config));
  PetscCall(PetscOptionsReal("-leap_t_end", "end time (overrides t_end of the config)", "leap-euler3d",
                             *t_end, t_end, has_t_end));
  PetscOptionsEnd();
  PetscFunctionReturn(0);
}

PetscErrorCode Run(const EulerConfig& cfg) {
  std::unique_ptr<EulerSolver> solver;
  PetscLogDouble t0, t1;
  PetscMPIInt size;
  PetscFunctionBeginUser;
  PetscCall(EulerSolver::Create(PETSC_COMM_WORLD, cfg, &solver));
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD,
                        "leap-euler3d: %s, %" PetscInt_FMT " x %" PetscInt_FMT " x %" PetscInt_FMT
                        " cells on [0, %g] x [0, %g] x [0, %g], gamma = %g, "
                        "boundaries x %s y %s z %s, %s limiter, cfl = %g, %d rank(s)\n",
                        solver->dataset_name().c_str(), solver->nx(), solver->ny(), solver->nz(), cfg.lx,
                        cfg.ly, cfg.lz, cfg.gamma, cfg.boundary.x.c_str(), cfg.boundary.y.c_str(),
                        cfg.boundary.z.c_str(), cfg.limiter.c_str(), cfg.cfl, (int)size));
  PetscCall(PrintState(*solver, "start"));
  PetscCall(PetscTime(&t0));
  const std::clock_t cpu0 = std::clock();  // this process's CPU time
  PetscCall(solver->Advance(cfg.t_end));
  const std::clock_t cpu1 = std::clock();
  const double cpu = double(cpu1 - cpu0) / CLOCKS_PER_SEC;
  PetscCall(PetscTime(&t1));
  PetscCall(PrintState(*solver, "end"));
  // Throughput: cell updates (cells x steps) per second of wall time, and per CPU second of a rank.
  const double updates =
      double(solver->nx()) * double(solver->ny()) * double(solver->nz()) * double(solver->steps());
  PetscCall(PetscPrintf(PETSC_COMM_WORLD,
                        "wall %.3f s, cpu %.3f s (rank 0): %.4g cell updates per second, %.4g per rank, "
                        "%.4g per CPU second of a rank\n",
                        double(t1 - t0), cpu, updates / double(t1 - t0), updates / double(t1 - t0) / size,
                        updates / size / cpu));
  PetscFunctionReturn(0);
}

}  // namespace

int main(int argc, char** argv) {
  if (PetscInitialize(&argc, &argv, nullptr, kHelp)) return 1;
  int rank = 0;
  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  int status = 0;
  try {
    char path[PETSC_MAX_PATH_LEN] = "";
    PetscBool has_config = PETSC_FALSE, has_t_end = PETSC_FALSE;
    PetscReal t_end = 0;
    if (ReadOptions(path, sizeof(path), &has_config, &t_end, &has_t_end))
      throw leap::Error("reading the options failed");
    EulerConfig cfg = has_config ? leap::config::load_config<EulerConfig>(path) : EulerConfig{};
    if (has_t_end) {
      if (!(t_end >= 0))
        throw leap::InputError("option -leap_t_end: expected a value >= 0, found " + std::to_string(t_end));
      cfg.t_end = t_end;
    }
    if (Run(cfg)) status = 1;
  } catch (const std::exception& e) {
    if (rank == 0) std::cerr << "leap-euler3d: " << e.what() << "\n";
    status = leap::exit_code_for(e);
  }
  if (PetscFinalize()) return 1;
  return status;
}
