// EulerSolver: the 3-D compressible Euler equations on a DMDA (dofs rho, rho*u, rho*v, rho*w, E;
// stencil width 2; cell-centred finite volumes on [0, lx] x [0, ly] x [0, lz]) advanced by a
// PETSc TS, behind LEAP's FluidSolver interface. The numerics are the 2-D solver's, from the same
// dimension-generic code (examples/euler: MUSCL reconstruction, HLLC fluxes along each axis,
// SSPRK(3,3) with the CFL step, the last step landing on the requested time).
//
// Boundaries per axis: periodic (DM_BOUNDARY_PERIODIC) or open (DM_BOUNDARY_GHOSTED,
// zero-gradient ghosts). The Well's fields: energy, density, pressure (scalars) and momentum (a
// 3-component vector), each rank's block in the order [x][y][z][component], x slowest.
//
// PETSc options (with the optional prefix) apply as usual: -da_grid_x, -da_grid_y, -da_grid_z,
// -da_processors_x, ..., -ts_type, -ts_monitor, ... .
#pragma once

#include <memory>
#include <string>

#include "euler/euler_solver_base.h"
#include "euler3d/euler_config.h"

namespace leap::euler3d {

class EulerSolver final : public euler::EulerSolverBase<3> {
  struct Key {
    explicit Key() = default;
  };

 public:
  // Checks cfg (CheckEulerConfig: a bad value is PETSC_ERR_ARG_OUTOFRANGE with the key in the
  // message), creates the DMDA and the TS on `comm`, applies the options database and sets the
  // initial condition at t = 0. `prefix` prefixes the DMDA's and the TS's options.
  static PetscErrorCode Create(MPI_Comm comm, const EulerConfig& cfg, std::unique_ptr<EulerSolver>* solver,
                               const char* prefix = nullptr);
  explicit EulerSolver(Key) {}  // through Create() only (Key is private)

  // leap::petsc::FluidSolver (the rest comes from EulerSolverBase<3>)
  std::string dataset_name() const override;

  const EulerConfig& config() const { return cfg_; }
  PetscInt nx() const { return cells(euler::kX); }  // the grid after the options database
  PetscInt ny() const { return cells(euler::kY); }
  PetscInt nz() const { return cells(euler::kZ); }
  PetscReal dx() const { return spacing(euler::kX); }
  PetscReal dy() const { return spacing(euler::kY); }
  PetscReal dz() const { return spacing(euler::kZ); }

 private:
  PetscErrorCode FillInitialCondition(Vec U) const override;

  EulerConfig cfg_;
};

}  // namespace leap::euler3d
