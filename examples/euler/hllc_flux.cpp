#include "euler/hllc_flux.h"

#include <algorithm>
#include <cmath>

namespace leap::euler {
namespace {

// The conserved variables U and the physical flux F along kAxis of a state w with total energy E.
template <int D, int kAxis>
void StateAndFlux(const Primitive<D>& w, PetscReal E, Conserved<D>* U, Conserved<D>* F) {
  U->rho = w.rho;
  for (int a = 0; a < D; ++a) U->m(a) = w.rho * w.vel(a);
  U->E = E;
  const PetscReal mn = U->m(kAxis), un = w.vel(kAxis);
  F->rho = mn;
  for (int a = 0; a < D; ++a) F->m(a) = a == kAxis ? mn * un + w.p : mn * w.vel(a);
  F->E = un * (E + w.p);
}

// F_K + s_K (U*_K - U_K): the HLLC flux on side K of the contact (Toro eqs. 10.38-10.39), given
// that side's state, its conserved variables and physical flux, its outer wave speed s and the
// contact speed s_star.
template <int D, int kAxis>
Conserved<D> StarFlux(const Primitive<D>& w, const Conserved<D>& U, const Conserved<D>& F, PetscReal inv_rho,
                      PetscReal s, PetscReal s_star) {
  const PetscReal un = w.vel(kAxis);
  const PetscReal d = s - un;  // nonzero: s_L < u_L and s_R > u_R
  const PetscReal factor = w.rho * d / (s - s_star);
  const PetscReal e_star = U.E * inv_rho + (s_star - un) * (s_star + w.p * inv_rho / d);
  Conserved<D> f;
  f.rho = F.rho + s * (factor - U.rho);
  for (int a = 0; a < D; ++a) f.m(a) = F.m(a) + s * (factor * (a == kAxis ? s_star : w.vel(a)) - U.m(a));
  f.E = F.E + s * (factor * e_star - U.E);
  return f;
}

}  // namespace

template <int D, int kAxis>
Conserved<D> PhysicalFlux(const Primitive<D>& w, PetscReal gamma) {
  Conserved<D> U, F;
  StateAndFlux<D, kAxis>(w, TotalEnergy(w, gamma), &U, &F);
  return F;
}

template <int D, int kAxis>
Conserved<D> HllcFlux(const Primitive<D>& L, const Primitive<D>& R, PetscReal gamma) {
  const PetscReal uL = L.vel(kAxis), uR = R.vel(kAxis);  // normal velocities
  const PetscReal inv_rho_L = 1 / L.rho, inv_rho_R = 1 / R.rho;
  const PetscReal cL = std::sqrt(gamma * L.p * inv_rho_L), cR = std::sqrt(gamma * R.p * inv_rho_R);
  const PetscReal EL = TotalEnergy(L, gamma), ER = TotalEnergy(R, gamma);

  // Einfeldt's bounds: the extreme of the one-sided and the Roe-averaged signal speeds.
  const PetscReal sqL = std::sqrt(L.rho), sqR = std::sqrt(R.rho), inv = 1 / (sqL + sqR);
  PetscReal speed2_roe = 0, un_roe = 0;
  for (int a = 0; a < D; ++a) {
    const PetscReal v_roe = (sqL * L.vel(a) + sqR * R.vel(a)) * inv;
    speed2_roe += v_roe * v_roe;
    if (a == kAxis) un_roe = v_roe;
  }
  const PetscReal H_roe = (sqL * (EL + L.p) * inv_rho_L + sqR * (ER + R.p) * inv_rho_R) * inv;
  const PetscReal c2_roe = (gamma - 1) * (H_roe - 0.5 * speed2_roe);
  PetscReal sL = uL - cL, sR = uR + cR;
  if (c2_roe > 0) {
    const PetscReal c_roe = std::sqrt(c2_roe);
    sL = std::min(sL, un_roe - c_roe);
    sR = std::max(sR, un_roe + c_roe);
  } else {  // Davis' estimate where the Roe average is not a valid state
    sL = std::min(sL, uR - cR);
    sR = std::max(sR, uL + cL);
  }

  Conserved<D> UL, UR, FL, FR;
  StateAndFlux<D, kAxis>(L, EL, &UL, &FL);
  StateAndFlux<D, kAxis>(R, ER, &UR, &FR);
  if (sL >= 0) return FL;
  if (sR <= 0) return FR;

  // Contact speed (Toro eq. 10.37); the denominator is negative since sL < u_L and sR > u_R.
  const PetscReal dL = L.rho * (sL - uL), dR = R.rho * (sR - uR);
  const PetscReal s_star = (R.p - L.p + uL * dL - uR * dR) / (dL - dR);
  if (s_star >= 0) return StarFlux<D, kAxis>(L, UL, FL, inv_rho_L, sL, s_star);
  return StarFlux<D, kAxis>(R, UR, FR, inv_rho_R, sR, s_star);
}

// The faces of the 2-D and 3-D solvers.
#define LEAP_EULER_INSTANTIATE_FLUX(D, AXIS)                                   \
  template Conserved<D> PhysicalFlux<D, AXIS>(const Primitive<D>&, PetscReal); \
  template Conserved<D> HllcFlux<D, AXIS>(const Primitive<D>&, const Primitive<D>&, PetscReal);
LEAP_EULER_INSTANTIATE_FLUX(2, kX)
LEAP_EULER_INSTANTIATE_FLUX(2, kY)
LEAP_EULER_INSTANTIATE_FLUX(3, kX)
LEAP_EULER_INSTANTIATE_FLUX(3, kY)
LEAP_EULER_INSTANTIATE_FLUX(3, kZ)
#undef LEAP_EULER_INSTANTIATE_FLUX

}  // namespace leap::euler
