// 2-D Rayleigh–Bénard convection on a PETSc DMDA, advanced by a PETSc TS: LEAP's second example
// fluid solver (leap::petsc::FluidSolver).
//
// Physics and units. Boussinesq fluid between two horizontal no-slip walls at fixed temperature,
// hot below and cold above, periodic in x. Lengths are scaled by the layer depth H, time by the
// thermal diffusion time H²/κ, velocities by κ/H and temperature by the wall difference ΔT:
// b = (T - T_top)/ΔT is 1 at the bottom wall (y = 0) and 0 at the top wall (y = 1). With the
// streamfunction ψ (u = ∂ψ/∂y, v = -∂ψ/∂x) and the vorticity ω = ∂v/∂x - ∂u/∂y = -∇²ψ,
//
//     ∂ω/∂t + u·∇ω = Pr ∇²ω + Ra Pr ∂b/∂x,      ∂b/∂t + u·∇b = ∇²b,      -∇²ψ = ω,
//
// with Ra = gαΔT H³/(νκ), Pr = ν/κ; ψ = 0 and ∂ψ/∂y = 0 on both walls (no-slip, no net horizontal
// mass flux), b = 1 at y = 0 and b = 0 at y = 1.
//
// Discretisation. Vertex-centred grid: nx points x_i = i Lx/nx (periodic) and ny points
// y_j = j/(ny-1), both walls included (j = 0 and j = ny-1). The TS state is a 2-dof DMDA vector
// (dof 0 "vorticity", dof 1 "buoyancy"); wall rows are not evolved: b keeps its wall value and the
// stored ω there is 0 and unused. At each right-hand-side evaluation the streamfunction is solved
// by a KSP (poisson_solver.h), the wall vorticity follows from Thom's formula
// ω_wall = -2 ψ(first interior row)/hy², the advection terms use Arakawa's energy- and
// enstrophy-conserving Jacobian, diffusion the 5-point Laplacian and ∂b/∂x a central difference.
// Time stepping: explicit classical RK4 (TSRK, -ts_type/-ts_rk_type may change it) with the step
// set before each step by the CFL rule
//     dt = cfl / ( max(|u|/hx + |v|/hy) + 4 max(Pr, 1) (1/hx² + 1/hy²) + sqrt(Ra Pr) )
// (or the fixed config.dt), shortened so that Advance() lands exactly on its end time. The rule is
// installed with TSSetPreStep (TSSetPostStep and TSMonitorSet stay free for LEAP). The advective
// rate comes from the stages of the previous step (from the state itself after SetInitialCondition
// or InjectWellFields); a state written into solution() by other means should go through
// InjectWellFields, or its first step uses the previous flow's rate.
//
// Dataset fields (The Well's order [x][y][component], float32, on the same grid, walls included):
// "buoyancy" (order 0), "streamfunction" (order 0; The Well's rayleigh_benard stores pressure
// instead: the streamfunction is the field this formulation solves for, no second Poisson solve
// for pressure is needed) and "velocity" (order 1, components x, y; central differences of ψ,
// zero on the walls). InjectWellFields uses buoyancy and streamfunction: b is copied (wall rows
// reset to 1 and 0), ψ gives ω = -∇²ψ with the solver's own 5-point Laplacian (so an extracted
// state is reproduced exactly up to float rounding); the velocity block is checked for size only,
// since it is derived from ψ.
#pragma once

#include <petscdmda.h>
#include <petscts.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "leap/petsc/fluid_solver.h"
#include "nusselt.h"
#include "poisson_solver.h"
#include "rb_config.h"

namespace leap::rayleigh_benard {

class RBSolver : public petsc::FluidSolver {
 public:
  // Collective on comm. Builds the grid (the options database may override its size with
  // -da_grid_x/-da_grid_y), the Poisson solver and the TS (options: -ts_*), and sets the initial
  // condition (SetInitialCondition).
  static PetscErrorCode Create(MPI_Comm comm, const RBConfig& config, std::unique_ptr<RBSolver>* out);

  class Key {  // only Create() constructs
    friend class RBSolver;
    Key() = default;
  };
  RBSolver(Key, MPI_Comm comm, const RBConfig& config);
  ~RBSolver() override;
  RBSolver(const RBSolver&) = delete;
  RBSolver& operator=(const RBSolver&) = delete;

  // ---- leap::petsc::FluidSolver
  DM dm() const override { return da_; }
  TS ts() const override { return ts_; }
  Vec solution() const override { return X_; }
  PetscErrorCode Advance(PetscReal t_end) override;
  std::string dataset_name() const override { return "rayleigh_benard"; }
  std::vector<data::WellAxis> axes() const override;
  std::vector<data::WellField> well_fields() const override;
  std::vector<std::pair<std::string, double>> parameters() const override;
  PetscErrorCode ExtractWellField(const std::string& name, std::vector<float>* out) const override;
  PetscErrorCode InjectWellFields(const std::vector<std::vector<float>>& fields) override;
  // Its physics for a hybrid run. Nothing is conserved on its boundaries (the walls exchange heat and
  // momentum), so ConservedDofs stays empty. Admissible: the buoyancy obeys the maximum principle of
  // advection-diffusion between the walls' 0 and 1, within kBuoyancyMargin of them (the scheme's own
  // overshoots are far smaller); a finite vorticity.
  static constexpr PetscReal kBuoyancyMargin = 0.1;
  PetscErrorCode Admissible(PetscBool* ok, std::string* why) const override;

  // ---- Rayleigh–Bénard specifics
  const RBConfig& config() const { return config_; }
  PetscInt nx() const { return nx_; }  // grid points along x (after options)
  PetscInt ny() const { return ny_; }  // grid points along y, walls included
  PetscReal hx() const { return hx_; }
  PetscReal hy() const { return hy_; }

  // Conductive profile b = 1 - y plus config.perturbation times a uniform random number in [-1, 1)
  // drawn from (seed, i, j) alone (identical on every rank count) or, when
  // config.perturbation_mode = m > 0, times sin(πy) cos(2πm x/Lx); ω = 0, time 0, step 0.
  PetscErrorCode SetInitialCondition();
  // Nusselt numbers of the current state (wall fluxes and volume average). Collective.
  PetscErrorCode ComputeNusselt(Nusselt* nu) const;
  // Kinetic energy per unit area, <u² + v²>/2. Collective.
  PetscErrorCode KineticEnergy(PetscReal* ke) const override;
  // The streamfunction (1-dof DMDA streamfunction_dm()) and velocity (2-dof DMDA velocity_dm()) of
  // the current state, computed on demand; the vectors are borrowed, valid until the state changes.
  PetscErrorCode GetStreamfunction(Vec* psi) const;
  PetscErrorCode GetVelocity(Vec* velocity) const;
  DM streamfunction_dm() const { return da_psi_; }
  DM velocity_dm() const { return da_vel_; }
  const PoissonSolver& poisson() const { return *poisson_; }

  // dF/dt of the TS state X (rb_rhs.cpp); the TS calls it through RHSFunction.
  PetscErrorCode ComputeRHS(Vec X, Vec F);
  static PetscErrorCode RHSFunction(TS ts, PetscReal t, Vec X, Vec F, void* ctx);

 private:
  PetscErrorCode Setup();
  static PetscErrorCode PreStep(TS ts);
  PetscErrorCode ChooseTimeStep();
  // Largest advective rate |u|/hx + |v|/hy over the owned nodes of a velocity field.
  PetscErrorCode LocalAdvectiveRate(Vec velocity, PetscReal* rate) const;
  PetscErrorCode VelocityFromStreamfunction(Vec psi, Vec velocity) const;

  RBConfig config_;
  MPI_Comm comm_;
  PetscInt nx_ = 0, ny_ = 0;
  PetscReal hx_ = 0, hy_ = 0;
  DM da_ = nullptr;      // state: dof 0 vorticity, dof 1 buoyancy
  DM da_psi_ = nullptr;  // streamfunction
  DM da_vel_ = nullptr;  // velocity (u, v)
  TS ts_ = nullptr;
  Vec X_ = nullptr;
  Vec omega_ = nullptr;  // work: vorticity of a stage (1 dof)
  Vec psi_ = nullptr;    // streamfunction of the latest RHS evaluation (next initial guess)
  Vec x_local_ = nullptr, psi_local_ = nullptr;
  std::unique_ptr<PoissonSolver> poisson_;
  // Diagnostics of the current state, recomputed when X_ changes (PetscObjectState).
  mutable Vec psi_out_ = nullptr, vel_out_ = nullptr;
  mutable PetscObjectState psi_out_state_ = -1, vel_out_state_ = -1;
  // Largest advective rate seen in the stages since the last step began (-1: none yet).
  PetscReal stage_rate_ = -1;
};

}  // namespace leap::rayleigh_benard
