// EulerSolverBase<D>: what the 2-D and the 3-D Euler solvers (examples/euler2d, examples/euler3d)
// share behind LEAP's FluidSolver interface, written once for D = 2 and 3:
//  - the D-dimensional DMDA (dofs rho, rho*u, rho*v[, rho*w], E; stencil width 2, star stencil;
//    periodic or open boundaries per axis; cell-centred finite volumes on [0, l_x] x ...);
//  - the TS: Shu-Osher SSPRK(3,3) (ssp_rk3.h) with the CFL step of cfl_time_step.h set before
//    every step by a TS pre-step hook, the last step shortened to land on the requested time, and
//    the right-hand side of euler_rhs.h;
//  - the state in The Well's terms (fields energy, density, pressure, momentum; each rank's block in
//    The Well's order, x slowest), the conserved totals and the admissibility of a state.
// A derived solver creates itself through SetUp() and supplies its initial condition
// (FillInitialCondition) and its dataset name.
//
// PETSc options (with the optional prefix) apply as usual: the DMDA reads -da_grid_x, -da_grid_y,
// -da_grid_z, -da_processors_x, ...; the TS reads -ts_type, -ts_monitor, ... . The solver holds the
// TS pre-step slot; the post-step slot, the monitors and the TS application context stay free for
// LEAP.
#pragma once

#include <petscdmda.h>
#include <petscts.h>

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "euler/euler_rhs.h"
#include "euler/slope_limiter.h"
#include "leap/petsc/fluid_solver.h"

namespace leap::euler {

template <int D>
class EulerSolverBase : public leap::petsc::FluidSolver {
 public:
  static constexpr int kDof = D + 2;
  // Mass, momentum x, y(, z), energy.
  using Totals = std::array<PetscReal, size_t(D + 2)>;

  ~EulerSolverBase() override;
  EulerSolverBase(const EulerSolverBase&) = delete;
  EulerSolverBase& operator=(const EulerSolverBase&) = delete;

  // leap::petsc::FluidSolver
  DM dm() const override { return da_; }
  TS ts() const override { return ts_; }
  Vec solution() const override { return u_; }
  PetscErrorCode Advance(PetscReal t_end) override;
  std::vector<data::WellAxis> axes() const override;          // x, y(, z), with their boundary types
  std::vector<data::WellField> well_fields() const override;  // energy, density, pressure, momentum
  std::vector<std::pair<std::string, double>> parameters() const override;  // gamma
  PetscErrorCode ExtractWellField(const std::string& name, std::vector<float>* out) const override;
  PetscErrorCode InjectWellFields(const std::vector<std::vector<float>>& fields) override;
  // Euler's physics for a hybrid run: on a domain periodic along every axis mass, momenta and energy
  // are conserved (density and energy restored by RestoreConservedSums, which keeps the pressure
  // positive); an admissible state has positive density and pressure everywhere.
  std::vector<leap::petsc::ConservedDof> ConservedDofs() const override;
  PetscErrorCode RestoreConserved(const std::vector<PetscScalar>& target, PetscBool* ok) override;
  PetscErrorCode Admissible(PetscBool* ok, std::string* why) const override;
  // Domain mean of |m|^2 / (2 rho) over every momentum component, in double.
  PetscErrorCode KineticEnergy(PetscReal* ke) const override;

  PetscReal gamma() const { return numerics_.gamma; }
  // The grid after the options database, along axis a (kX, kY, kZ).
  PetscInt cells(int a) const { return cells_[size_t(a)]; }
  PetscReal length(int a) const { return numerics_.lengths[size_t(a)]; }
  PetscReal spacing(int a) const { return numerics_.lengths[size_t(a)] / PetscReal(cells_[size_t(a)]); }
  bool periodic(int a) const { return numerics_.periodic[size_t(a)]; }
  // Steps taken since creation (all Advance calls together).
  PetscInt steps() const;

  // Re-applies the configured initial condition and sets the time (and step count) to zero.
  PetscErrorCode SetInitialCondition();
  // The CFL-limited time step of the current state (collective).
  PetscErrorCode StableTimeStep(PetscReal* dt) const;
  // Domain integrals of the conserved variables (mass, momentum x, y(, z), energy; collective).
  PetscErrorCode ConservedTotals(Totals* totals) const;
  // After a leap: restores the sums over the cells of the conserved variables (mass, momentum,
  // energy: what VecStrideSumAll gives) to `target` while keeping the pressure positive. Density is
  // scaled, momentum shifted (uniform corrections); the internal energy E - |m|^2/2rho of the state
  // as it was before the correction (positive when its pressure was) is scaled uniformly so that
  // the total energy is the target with the corrected kinetic energy. *restored is false when the
  // target energy is below the corrected kinetic energy or a sign makes it impossible (the leap
  // should then be rejected). Collective.
  PetscErrorCode RestoreConservedSums(const Totals& target, PetscBool* restored);
  // Smallest density and pressure over the domain (collective).
  PetscErrorCode MinDensityPressure(PetscReal* rho_min, PetscReal* p_min) const;

 protected:
  // What SetUp needs of a derived solver's config.
  struct Numerics {
    std::array<PetscInt, size_t(D)> cells{};  // before the options database
    std::array<PetscReal, size_t(D)> lengths{};
    std::array<bool, size_t(D)> periodic{};  // else open (zero-gradient ghosts)
    PetscReal gamma = 1.4;
    PetscReal cfl = 0.4;
    PetscReal t_end = 0;
    Limiter limiter = Limiter::kMC;
    // How InjectWellFields derives the energy: from the pressure field (true) or as given.
    bool inject_pressure = true;
  };

  EulerSolverBase() = default;
  // Creates the DMDA and the TS on `comm` with `prefix` on their options, applies the options
  // database and sets the initial condition at t = 0 (FillInitialCondition). Called once, by the
  // derived solver's factory.
  PetscErrorCode SetUp(MPI_Comm comm, const char* prefix, const Numerics& numerics);
  // Sets the global vector U of dm() (the cell with index (i, j(, k)) centred at ((i + 1/2) dx, ...))
  // to the initial condition.
  virtual PetscErrorCode FillInitialCondition(Vec U) const = 0;
  // The cell widths along every axis.
  std::array<PetscReal, size_t(D)> widths() const;

 private:
  static PetscErrorCode PreStep(TS ts);

  Numerics numerics_;
  DM da_ = nullptr;
  TS ts_ = nullptr;
  Vec u_ = nullptr;
  std::array<PetscInt, size_t(D)> cells_{};
  EulerRHSContext<D> rhs_;
};

extern template class EulerSolverBase<2>;
extern template class EulerSolverBase<3>;

}  // namespace leap::euler
