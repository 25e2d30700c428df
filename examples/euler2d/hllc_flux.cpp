#include "euler2d/hllc_flux.h"

#include <algorithm>
#include <cmath>

namespace leap::euler2d {
namespace {

PetscReal TotalEnergy(const Primitive& w, PetscReal gamma) {
  return w.p / (gamma - 1) + 0.5 * w.rho * (w.u * w.u + w.v * w.v);
}

// F_K + s_K (U*_K - U_K): the HLLC flux on side K of the contact (Toro eqs. 10.38-10.39), given
// that side's state, its conserved variables and physical flux, its outer wave speed s and the
// contact speed s_star.
Conserved StarFlux(const Primitive& w, const Conserved& U, const Conserved& F, PetscReal inv_rho, PetscReal s,
                   PetscReal s_star) {
  const PetscReal d = s - w.u;  // nonzero: s_L < u_L and s_R > u_R
  const PetscReal factor = w.rho * d / (s - s_star);
  const PetscReal e_star = U.E * inv_rho + (s_star - w.u) * (s_star + w.p * inv_rho / d);
  return {F.rho + s * (factor - U.rho), F.mx + s * (factor * s_star - U.mx), F.my + s * (factor * w.v - U.my),
          F.E + s * (factor * e_star - U.E)};
}

}  // namespace

Conserved PhysicalFluxX(const Primitive& w, PetscReal gamma) {
  const PetscReal E = TotalEnergy(w, gamma);
  const PetscReal mx = w.rho * w.u;
  return {mx, mx * w.u + w.p, mx * w.v, w.u * (E + w.p)};
}

Conserved HllcFluxX(const Primitive& L, const Primitive& R, PetscReal gamma) {
  const PetscReal inv_rho_L = 1 / L.rho, inv_rho_R = 1 / R.rho;
  const PetscReal cL = std::sqrt(gamma * L.p * inv_rho_L), cR = std::sqrt(gamma * R.p * inv_rho_R);
  const PetscReal EL = TotalEnergy(L, gamma), ER = TotalEnergy(R, gamma);

  // Einfeldt's bounds: the extreme of the one-sided and the Roe-averaged signal speeds.
  const PetscReal sqL = std::sqrt(L.rho), sqR = std::sqrt(R.rho), inv = 1 / (sqL + sqR);
  const PetscReal u_roe = (sqL * L.u + sqR * R.u) * inv;
  const PetscReal v_roe = (sqL * L.v + sqR * R.v) * inv;
  const PetscReal H_roe = (sqL * (EL + L.p) * inv_rho_L + sqR * (ER + R.p) * inv_rho_R) * inv;
  const PetscReal c2_roe = (gamma - 1) * (H_roe - 0.5 * (u_roe * u_roe + v_roe * v_roe));
  PetscReal sL = L.u - cL, sR = R.u + cR;
  if (c2_roe > 0) {
    const PetscReal c_roe = std::sqrt(c2_roe);
    sL = std::min(sL, u_roe - c_roe);
    sR = std::max(sR, u_roe + c_roe);
  } else {  // Davis' estimate where the Roe average is not a valid state
    sL = std::min(sL, R.u - cR);
    sR = std::max(sR, L.u + cL);
  }

  const Conserved UL = {L.rho, L.rho * L.u, L.rho * L.v, EL};
  const Conserved UR = {R.rho, R.rho * R.u, R.rho * R.v, ER};
  const Conserved FL = {UL.mx, UL.mx * L.u + L.p, UL.mx * L.v, L.u * (EL + L.p)};
  const Conserved FR = {UR.mx, UR.mx * R.u + R.p, UR.mx * R.v, R.u * (ER + R.p)};
  if (sL >= 0) return FL;
  if (sR <= 0) return FR;

  // Contact speed (Toro eq. 10.37); the denominator is negative since sL < u_L and sR > u_R.
  const PetscReal dL = L.rho * (sL - L.u), dR = R.rho * (sR - R.u);
  const PetscReal s_star = (R.p - L.p + L.u * dL - R.u * dR) / (dL - dR);
  if (s_star >= 0) return StarFlux(L, UL, FL, inv_rho_L, sL, s_star);
  return StarFlux(R, UR, FR, inv_rho_R, sR, s_star);
}

Conserved HllcFluxY(const Primitive& below, const Primitive& above, PetscReal gamma) {
  const Primitive b = {below.rho, below.v, below.u, below.p};
  const Primitive a = {above.rho, above.v, above.u, above.p};
  const Conserved f = HllcFluxX(b, a, gamma);
  return {f.rho, f.my, f.mx, f.E};
}

}  // namespace leap::euler2d
