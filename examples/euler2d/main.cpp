// leap-euler2d: runs one case of the 2-D compressible Euler solver and prints the conserved totals
// at the start and the end.
//
//   mpiexec -n 4 leap-euler2d -leap_config case.yaml -da_grid_x 256 -da_grid_y 256 -ts_monitor -log_view
//
// Exit status: 0 success, 2 bad input (a one-line reason naming the file and key), 1 other failure.
#include <cstdio>
#include <string>

#include "euler/euler_program.h"
#include "euler2d/euler_config.h"
#include "euler2d/euler_solver.h"

namespace {

const char kHelp[] =
    "leap-euler2d: 2-D compressible Euler (MUSCL-HLLC finite volumes, SSP-RK3) on a PETSc DMDA.\n"
    "  -leap_config FILE   YAML config (EulerConfig: nx, ny, lx, ly, gamma, boundary, limiter, cfl, t_end,\n"
    "                      initial_condition, seed, quadrants, vortex); defaults without it\n"
    "  -leap_t_end T       end time (overrides t_end of the config)\n"
    "PETSc options apply: -da_grid_x, -da_grid_y, -ts_monitor, -ts_type, -log_view, ...\n";

using leap::euler2d::EulerConfig;
using leap::euler2d::EulerSolver;

}  // namespace

int main(int argc, char** argv) {
  return leap::euler::RunEulerProgram<EulerSolver, EulerConfig>(
      argc, argv, "leap-euler2d", kHelp, [](const EulerSolver& s, const EulerConfig& c) {
        char b[512];
        std::snprintf(b, sizeof b,
                      "%s, %" PetscInt_FMT " x %" PetscInt_FMT
                      " cells on [0, %g] x [0, %g], gamma = %g, %s boundaries, "
                      "%s limiter, cfl = %g",
                      s.dataset_name().c_str(), s.nx(), s.ny(), c.lx, c.ly, c.gamma, c.boundary.c_str(),
                      c.limiter.c_str(), c.cfl);
        return std::string(b);
      });
}
