// MUSCL reconstruction of primitive variables: from a cell and its two neighbours along one
// direction, the limited linear profile's values on the cell's lower (minus) and upper (plus) faces.
// A profile that would make density or pressure non-positive at a face falls back to the cell
// value (first order there), so the face states handed to the Riemann solver are admissible.
#pragma once

#include "euler2d/gas_state.h"
#include "euler2d/slope_limiter.h"

namespace leap::euler2d {

struct FaceStates {
  Primitive minus;  // on the face towards the lower index
  Primitive plus;   // on the face towards the higher index
};

template <Limiter kLimiter>
inline PetscReal Slope(PetscReal a, PetscReal b) {
  return kLimiter == Limiter::kMC ? MonotonizedCentral(a, b) : Minmod(a, b);
}

// The limiter is a template parameter so that the per-face loops carry no branch on it.
template <Limiter kLimiter>
inline FaceStates ReconstructFaces(const Primitive& lo, const Primitive& w, const Primitive& hi) {
  const PetscReal s_rho = 0.5 * Slope<kLimiter>(w.rho - lo.rho, hi.rho - w.rho);
  const PetscReal s_u = 0.5 * Slope<kLimiter>(w.u - lo.u, hi.u - w.u);
  const PetscReal s_v = 0.5 * Slope<kLimiter>(w.v - lo.v, hi.v - w.v);
  const PetscReal s_p = 0.5 * Slope<kLimiter>(w.p - lo.p, hi.p - w.p);
  FaceStates f;
  f.minus = {w.rho - s_rho, w.u - s_u, w.v - s_v, w.p - s_p};
  f.plus = {w.rho + s_rho, w.u + s_u, w.v + s_v, w.p + s_p};
  if (!(f.minus.rho > 0 && f.minus.p > 0 && f.plus.rho > 0 && f.plus.p > 0)) f.minus = f.plus = w;
  return f;
}

inline FaceStates ReconstructFaces(Limiter limiter, const Primitive& lo, const Primitive& w,
                                   const Primitive& hi) {
  return limiter == Limiter::kMC ? ReconstructFaces<Limiter::kMC>(lo, w, hi)
                                 : ReconstructFaces<Limiter::kMinmod>(lo, w, hi);
}

}  // namespace leap::euler2d
