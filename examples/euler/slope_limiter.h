// TVD slope limiters of the MUSCL reconstruction: from the one-sided differences a = w_i - w_{i-1}
// and b = w_{i+1} - w_i, the limited slope of cell i (per cell width). Both are zero at extrema.
#pragma once

#include <petscsys.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace leap::euler {

enum class Limiter { kMinmod, kMC };

// "minmod" or "mc" (as in EulerConfig::limiter); anything else is minmod's caller's error.
inline Limiter LimiterFromName(const std::string& name) {
  return name == "mc" ? Limiter::kMC : Limiter::kMinmod;
}
inline const char* LimiterName(Limiter l) {
  return l == Limiter::kMC ? "mc" : "minmod";
}

// minmod(a, b): the smaller one-sided slope when both have the same sign.
inline PetscReal Minmod(PetscReal a, PetscReal b) {
  if (a * b <= 0) return 0;
  return a > 0 ? std::min(a, b) : std::max(a, b);
}

// Monotonised central (van Leer): minmod(2a, 2b, (a+b)/2).
inline PetscReal MonotonizedCentral(PetscReal a, PetscReal b) {
  if (a * b <= 0) return 0;
  const PetscReal m = std::min(std::min(2 * std::abs(a), 2 * std::abs(b)), 0.5 * std::abs(a + b));
  return a > 0 ? m : -m;
}

inline PetscReal LimitedSlope(Limiter l, PetscReal a, PetscReal b) {
  return l == Limiter::kMC ? MonotonizedCentral(a, b) : Minmod(a, b);
}

}  // namespace leap::euler
