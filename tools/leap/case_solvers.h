// The example solvers behind `case: euler2d | euler3d | rayleigh_benard`: builds one with sweep overrides
// applied to its config section (validated like the file itself).
#pragma once

#include <mpi.h>

#include <memory>
#include <string>
#include <vector>

#include "generate_config.h"
#include "leap/petsc/fluid_solver.h"

namespace leap::cli {

// `sets` are "key=value" overrides of the case's section (sweep point, seed). Throws InputError for
// bad values (naming `file` and the key) and Error when PETSc fails.
std::unique_ptr<petsc::FluidSolver> make_case_solver(MPI_Comm comm, const GenerateConfig& cfg,
                                                     const std::vector<std::string>& sets,
                                                     const std::string& file);

}  // namespace leap::cli
