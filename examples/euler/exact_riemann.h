// The exact solution of the 1-D Riemann problem of the Euler equations for an ideal gas (Toro,
// "Riemann Solvers and Numerical Methods for Fluid Dynamics", ch. 4): the star-region pressure and
// velocity by Newton iteration on the pressure function, and the self-similar solution W(s),
// s = x_n / t along the normal axis. Used to validate the finite-volume solvers (Sod's shock tube
// along each axis) and their HLLC flux.
#pragma once

#include "euler/gas_state.h"

namespace leap::euler {

template <int D>
class ExactRiemannSolver {
 public:
  // States on the lower and upper side of the initial discontinuity, a plane normal to `axis`
  // (kX, kY or kZ): vel(axis) is the normal velocity, the other components are tangential (carried
  // by the contact). Throws leap::Error for a non-admissible state or data that generate vacuum
  // (which this solver does not treat).
  ExactRiemannSolver(const Primitive<D>& left, const Primitive<D>& right, PetscReal gamma, int axis = kX);

  PetscReal p_star() const { return p_star_; }
  PetscReal u_star() const { return u_star_; }  // the normal velocity of the star region
  int iterations() const { return iterations_; }

  // The solution at x_n/t = s (the discontinuity starts at x_n = 0, t = 0).
  Primitive<D> Sample(PetscReal s) const;

 private:
  // Toro's pressure function f_K(p) of one side and its derivative.
  void PressureFunction(PetscReal p, const Primitive<D>& w, PetscReal c, PetscReal* f, PetscReal* df) const;
  // w with density, normal velocity and pressure replaced.
  Primitive<D> With(const Primitive<D>& w, PetscReal rho, PetscReal un, PetscReal p) const;

  Primitive<D> left_, right_;
  PetscReal gamma_;
  int axis_;
  PetscReal c_left_, c_right_;
  PetscReal p_star_ = 0, u_star_ = 0;
  int iterations_ = 0;
};

}  // namespace leap::euler
