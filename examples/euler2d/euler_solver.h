// EulerSolver: the 2-D compressible Euler equations on a DMDA (dofs rho, rho*u, rho*v, E; stencil
// width 2; cell-centred finite volumes on [0, lx] x [0, ly]) advanced by a PETSc TS, behind LEAP's
// FluidSolver interface. The numerics, the time stepping and the FluidSolver implementation are
// the dimension-generic ones of examples/euler (EulerSolverBase<2>), which the 3-D solver shares:
//
// Space: MUSCL reconstruction of primitive variables (minmod or MC), HLLC fluxes (euler_rhs.h).
// Time: Shu-Osher SSPRK(3,3) (ssp_rk3.h) with the CFL step of cfl_time_step.h set before every
// step by a TS pre-step hook, the last step shortened to land on the requested time.
// Boundaries: periodic (DM_BOUNDARY_PERIODIC) or open (DM_BOUNDARY_GHOSTED, zero-gradient ghosts).
//
// PETSc options (with the optional prefix) apply as usual: the DMDA reads -da_grid_x, -da_grid_y,
// -da_processors_x, ...; the TS reads -ts_type, -ts_monitor, ... . The solver holds the TS pre-step
// slot; the post-step slot, the monitors and the TS application context stay free for LEAP.
#pragma once

#include <memory>
#include <string>

#include "euler/euler_solver_base.h"
#include "euler2d/euler_config.h"

namespace leap::euler2d {

class EulerSolver final : public euler::EulerSolverBase<2> {
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

  // leap::petsc::FluidSolver (the rest comes from EulerSolverBase<2>)
  std::string dataset_name() const override;

  const EulerConfig& config() const { return cfg_; }
  PetscInt nx() const { return cells(euler::kX); }  // the grid after the options database
  PetscInt ny() const { return cells(euler::kY); }
  PetscReal dx() const { return spacing(euler::kX); }
  PetscReal dy() const { return spacing(euler::kY); }

 private:
  PetscErrorCode FillInitialCondition(Vec U) const override;

  EulerConfig cfg_;
};

}  // namespace leap::euler2d
