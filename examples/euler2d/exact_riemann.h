// The exact solution of the 1-D Riemann problem of the Euler equations for an ideal gas (Toro,
// "Riemann Solvers and Numerical Methods for Fluid Dynamics", ch. 4): the star-region pressure and
// velocity by Newton iteration on the pressure function, and the self-similar solution W(x/t).
// Used to validate the finite-volume solver (Sod's shock tube) and its HLLC flux.
#pragma once

#include "euler2d/gas_state.h"

namespace leap::euler2d {

class ExactRiemannSolver {
 public:
  // States left and right of the initial discontinuity; u is the normal velocity and v the
  // tangential one (carried by the contact). Throws leap::Error for a non-admissible state or data
  // that generate vacuum (which this solver does not treat).
  ExactRiemannSolver(const Primitive& left, const Primitive& right, PetscReal gamma);

  PetscReal p_star() const { return p_star_; }
  PetscReal u_star() const { return u_star_; }
  int iterations() const { return iterations_; }

  // The solution at x/t = s (the discontinuity starts at x = 0, t = 0).
  Primitive Sample(PetscReal s) const;

 private:
  // Toro's pressure function f_K(p) of one side and its derivative.
  void PressureFunction(PetscReal p, const Primitive& w, PetscReal c, PetscReal* f, PetscReal* df) const;

  Primitive left_, right_;
  PetscReal gamma_;
  PetscReal c_left_, c_right_;
  PetscReal p_star_ = 0, u_star_ = 0;
  int iterations_ = 0;
};

}  // namespace leap::euler2d
