// MUSCL reconstruction of primitive variables along one axis: from a cell and its two neighbours
// along that axis, the limited linear profile's values on the cell's lower (minus) and upper (plus)
// faces. Every primitive variable is limited alone, so the same code serves any axis and any
// dimension. A profile that would make density or pressure non-positive at a face falls back to
// the cell value (first order there), so the face states handed to the Riemann solver are
// admissible.
#pragma once

#include "euler/gas_state.h"
#include "euler/slope_limiter.h"

namespace leap::euler {

template <int D>
struct FaceStates {
  Primitive<D> minus;  // on the face towards the lower index
  Primitive<D> plus;   // on the face towards the higher index
};

template <Limiter kLimiter>
inline PetscReal Slope(PetscReal a, PetscReal b) {
  return kLimiter == Limiter::kMC ? MonotonizedCentral(a, b) : Minmod(a, b);
}

// The limiter is a template parameter so that the per-face loops carry no branch on it.
template <Limiter kLimiter, int D>
inline FaceStates<D> ReconstructFaces(const Primitive<D>& lo, const Primitive<D>& w, const Primitive<D>& hi) {
  FaceStates<D> f;
  const PetscReal s_rho = 0.5 * Slope<kLimiter>(w.rho - lo.rho, hi.rho - w.rho);
  f.minus.rho = w.rho - s_rho;
  f.plus.rho = w.rho + s_rho;
  for (int a = 0; a < D; ++a) {
    const PetscReal s = 0.5 * Slope<kLimiter>(w.vel(a) - lo.vel(a), hi.vel(a) - w.vel(a));
    f.minus.vel(a) = w.vel(a) - s;
    f.plus.vel(a) = w.vel(a) + s;
  }
  const PetscReal s_p = 0.5 * Slope<kLimiter>(w.p - lo.p, hi.p - w.p);
  f.minus.p = w.p - s_p;
  f.plus.p = w.p + s_p;
  if (!(f.minus.rho > 0 && f.minus.p > 0 && f.plus.rho > 0 && f.plus.p > 0)) f.minus = f.plus = w;
  return f;
}

template <int D>
inline FaceStates<D> ReconstructFaces(Limiter limiter, const Primitive<D>& lo, const Primitive<D>& w,
                                      const Primitive<D>& hi) {
  return limiter == Limiter::kMC ? ReconstructFaces<Limiter::kMC>(lo, w, hi)
                                 : ReconstructFaces<Limiter::kMinmod>(lo, w, hi);
}

}  // namespace leap::euler
