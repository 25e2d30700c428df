// leap-euler3d: runs one case of the 3-D compressible Euler solver and prints the conserved totals
// at the start and the end.
//
//   mpiexec -n 4 leap-euler3d -leap_config case.yaml -da_grid_x 64 -da_grid_y 64 -da_grid_z 64 -log_view
//
// Exit status: 0 success, 2 bad input (a one-line reason naming the file and key), 1 other failure.
#include <cstdio>
#include <string>

#include "euler/euler_program.h"
#include "euler3d/euler_config.h"
#include "euler3d/euler_solver.h"

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

}  // namespace

int main(int argc, char** argv) {
  return leap::euler::RunEulerProgram<
      EulerSolver,
      EulerConfig>(argc, argv, "leap-euler3d", kHelp, [](const EulerSolver& s, const EulerConfig& c) {
    char b[512];
    std::snprintf(
        b, sizeof b,
        "%s, %" PetscInt_FMT " x %" PetscInt_FMT " x %" PetscInt_FMT
        " cells on [0, %g] x [0, %g] x [0, %g], gamma = %g, boundaries x %s y %s z %s, %s limiter, cfl = %g",
        s.dataset_name().c_str(), s.nx(), s.ny(), s.nz(), c.lx, c.ly, c.lz, c.gamma, c.boundary.x.c_str(),
        c.boundary.y.c_str(), c.boundary.z.c_str(), c.limiter.c_str(), c.cfl);
    return std::string(b);
  });
}
