#include "euler/exact_riemann.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "leap/error.h"

namespace leap::euler {

template <int D>
ExactRiemannSolver<D>::ExactRiemannSolver(const Primitive<D>& left, const Primitive<D>& right,
                                          PetscReal gamma, int axis)
    : left_(left), right_(right), gamma_(gamma), axis_(axis) {
  if (!(gamma > 1)) throw Error("ExactRiemannSolver: gamma must exceed 1, found " + std::to_string(gamma));
  if (axis < 0 || axis >= D)
    throw Error("ExactRiemannSolver: no axis " + std::to_string(axis) + " in " + std::to_string(D) +
                " dimensions");
  if (!IsAdmissible(left) || !IsAdmissible(right))
    throw Error("ExactRiemannSolver: density and pressure must be positive and finite on both sides");
  c_left_ = SoundSpeed(left, gamma);
  c_right_ = SoundSpeed(right, gamma);
  const PetscReal du = right.vel(axis) - left.vel(axis);
  if (2 / (gamma - 1) * (c_left_ + c_right_) <= du)
    throw Error("ExactRiemannSolver: the data generate vacuum (pressure positivity condition violated)");

  // Initial guess: the primitive-variable (linearised) solution, kept positive.
  const PetscReal p_pv =
      0.5 * (left.p + right.p) - 0.125 * du * (left.rho + right.rho) * (c_left_ + c_right_);
  const PetscReal tiny = 1e-12 * std::min(left.p, right.p);
  PetscReal p = std::max(tiny, p_pv);
  for (iterations_ = 1; iterations_ <= 100; ++iterations_) {
    PetscReal fL, dfL, fR, dfR;
    PressureFunction(p, left, c_left_, &fL, &dfL);
    PressureFunction(p, right, c_right_, &fR, &dfR);
    PetscReal p_new = p - (fL + fR + du) / (dfL + dfR);
    if (p_new < tiny) p_new = tiny;
    const PetscReal change = 2 * std::abs(p_new - p) / (p_new + p);
    p = p_new;
    if (change < 1e-13) break;
  }
  if (iterations_ > 100)
    throw Error("ExactRiemannSolver: Newton iteration for the star pressure did not converge");
  p_star_ = p;
  PetscReal fL, dfL, fR, dfR;
  PressureFunction(p, left, c_left_, &fL, &dfL);
  PressureFunction(p, right, c_right_, &fR, &dfR);
  u_star_ = 0.5 * (left.vel(axis) + right.vel(axis)) + 0.5 * (fR - fL);
}

template <int D>
void ExactRiemannSolver<D>::PressureFunction(PetscReal p, const Primitive<D>& w, PetscReal c, PetscReal* f,
                                             PetscReal* df) const {
  const PetscReal g = gamma_;
  if (p > w.p) {  // shock
    const PetscReal A = 2 / ((g + 1) * w.rho), B = (g - 1) / (g + 1) * w.p;
    const PetscReal q = std::sqrt(A / (p + B));
    *f = (p - w.p) * q;
    *df = q * (1 - 0.5 * (p - w.p) / (B + p));
  } else {  // rarefaction
    const PetscReal r = p / w.p;
    *f = 2 * c / (g - 1) * (std::pow(r, (g - 1) / (2 * g)) - 1);
    *df = std::pow(r, -(g + 1) / (2 * g)) / (w.rho * c);
  }
}

template <int D>
Primitive<D> ExactRiemannSolver<D>::With(const Primitive<D>& w, PetscReal rho, PetscReal un,
                                         PetscReal p) const {
  Primitive<D> r = w;
  r.rho = rho;
  r.vel(axis_) = un;
  r.p = p;
  return r;
}

template <int D>
Primitive<D> ExactRiemannSolver<D>::Sample(PetscReal s) const {
  const PetscReal g = gamma_;
  const PetscReal g1 = (g - 1) / (2 * g), g2 = (g + 1) / (2 * g), g6 = (g - 1) / (g + 1);
  if (s <= u_star_) {  // left of the contact
    const Primitive<D>& W = left_;
    const PetscReal u = W.vel(axis_), c = c_left_, ratio = p_star_ / W.p;
    if (p_star_ > W.p) {  // left shock
      const PetscReal shock = u - c * std::sqrt(g2 * ratio + g1);
      if (s <= shock) return W;
      return With(W, W.rho * (ratio + g6) / (g6 * ratio + 1), u_star_, p_star_);
    }
    const PetscReal head = u - c, tail = u_star_ - c * std::pow(ratio, g1);
    if (s <= head) return W;
    if (s >= tail) return With(W, W.rho * std::pow(ratio, 1 / g), u_star_, p_star_);
    const PetscReal base = 2 / (g + 1) + (g - 1) / ((g + 1) * c) * (u - s);  // inside the fan
    return With(W, W.rho * std::pow(base, 2 / (g - 1)), 2 / (g + 1) * (c + 0.5 * (g - 1) * u + s),
                W.p * std::pow(base, 2 * g / (g - 1)));
  }
  const Primitive<D>& W = right_;  // right of the contact
  const PetscReal u = W.vel(axis_), c = c_right_, ratio = p_star_ / W.p;
  if (p_star_ > W.p) {  // right shock
    const PetscReal shock = u + c * std::sqrt(g2 * ratio + g1);
    if (s >= shock) return W;
    return With(W, W.rho * (ratio + g6) / (g6 * ratio + 1), u_star_, p_star_);
  }
  const PetscReal head = u + c, tail = u_star_ + c * std::pow(ratio, g1);
  if (s >= head) return W;
  if (s <= tail) return With(W, W.rho * std::pow(ratio, 1 / g), u_star_, p_star_);
  const PetscReal base = 2 / (g + 1) - (g - 1) / ((g + 1) * c) * (u - s);
  return With(W, W.rho * std::pow(base, 2 / (g - 1)), 2 / (g + 1) * (-c + 0.5 * (g - 1) * u + s),
              W.p * std::pow(base, 2 * g / (g - 1)));
}

template class ExactRiemannSolver<2>;
template class ExactRiemannSolver<3>;

}  // namespace leap::euler
