// EulerSolver: the 2-D compressible Euler equations on a DMDA (dofs rho, rho*u, rho*v, E; stencil
// width 2; cell-centred finite volumes on [0, lx] x [0, ly]) advanced by a PETSc TS, behind LEAP's
// FluidSolver interface.
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

#include <petscdmda.h>
#include <petscts.h>

#include <array>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "euler2d/euler_config.h"
#include "euler2d/euler_rhs.h"
#include "leap/petsc/fluid_solver.h"

namespace leap::euler2d {

class EulerSolver final : public leap::petsc::FluidSolver {
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
  ~EulerSolver() override;
  EulerSolver(const EulerSolver&) = delete;
  EulerSolver& operator=(const EulerSolver&) = delete;

  // leap::petsc::FluidSolver
  DM dm() const override { return da_; }
  TS ts() const override { return ts_; }
  Vec solution() const override { return u_; }
  PetscErrorCode Advance(PetscReal t_end) override;
  std::string dataset_name() const override;
  std::vector<data::WellAxis> axes() const override;
  std::vector<data::WellField> well_fields() const override;
  std::vector<std::pair<std::string, double>> parameters() const override;
  PetscErrorCode ExtractWellField(const std::string& name, std::vector<float>* out) const override;
  PetscErrorCode InjectWellFields(const std::vector<std::vector<float>>& fields) override;
  // Euler's physics for a hybrid run: on a periodic domain mass, momenta and energy are conserved
  // (density and energy restored by RestoreConservedSums, which keeps the pressure positive); an
  // admissible state has positive density and pressure everywhere.
  std::vector<leap::petsc::ConservedDof> ConservedDofs() const override;
  PetscErrorCode RestoreConserved(const std::vector<PetscScalar>& target, PetscBool* ok) override;
  PetscErrorCode Admissible(PetscBool* ok, std::string* why) const override;

  const EulerConfig& config() const { return cfg_; }
  PetscReal gamma() const { return cfg_.gamma; }
  PetscInt nx() const { return mx_; }  // the grid after the options database
  PetscInt ny() const { return my_; }
  PetscReal dx() const { return cfg_.lx / PetscReal(mx_); }
  PetscReal dy() const { return cfg_.ly / PetscReal(my_); }
  // Steps taken since creation (all Advance calls together).
  PetscInt steps() const;

  // Re-applies the configured initial condition and sets the time (and step count) to zero.
  PetscErrorCode SetInitialCondition();
  // The CFL-limited time step of the current state (collective).
  PetscErrorCode StableTimeStep(PetscReal* dt) const;
  // Domain integrals of the conserved variables (mass, x momentum, y momentum, energy; collective).
  PetscErrorCode ConservedTotals(std::array<PetscReal, 4>* totals) const;
  // After a leap: restores the sums over the cells of the conserved variables (mass, momentum x/y,
  // energy: what VecStrideSumAll gives) to `target` while keeping the pressure positive. Density is
  // scaled, momentum shifted (uniform corrections); the internal energy E - |m|^2/2rho of the state
  // as it was before the correction (positive when its pressure was) is scaled uniformly so that
  // the total energy is the target with the corrected kinetic energy. PETSC_ERR_ARG_OUTOFRANGE when
  // the target energy is below the corrected kinetic energy or a sign makes it impossible (the leap
  // should then be rejected). Collective.
  PetscErrorCode RestoreConservedSums(const std::array<PetscReal, 4>& target, PetscBool* restored);
  // Smallest density and pressure over the domain (collective).
  PetscErrorCode MinDensityPressure(PetscReal* rho_min, PetscReal* p_min) const;

 private:
  PetscErrorCode Setup(MPI_Comm comm, const char* prefix);
  static PetscErrorCode PreStep(TS ts);

  EulerConfig cfg_;
  DM da_ = nullptr;
  TS ts_ = nullptr;
  Vec u_ = nullptr;
  PetscInt mx_ = 0, my_ = 0;
  EulerRHSContext rhs_;
};

}  // namespace leap::euler2d
