// Conserved and primitive states of an ideal gas and the conversions between them. The conserved
// layout (rho, rho*u, rho*v, E) is the layout of a DMDA cell: 4 dofs, in this order.
#pragma once

#include <petscsys.h>

#include <cmath>

#if defined(PETSC_USE_COMPLEX)
#error "leap::euler2d needs a real-valued PETSc build (PetscScalar == PetscReal)"
#endif

namespace leap::euler2d {

// One DMDA cell: the conserved variables.
struct Conserved {
  PetscScalar rho;  // density
  PetscScalar mx;   // x momentum rho*u
  PetscScalar my;   // y momentum rho*v
  PetscScalar E;    // total energy per volume p/(gamma-1) + rho*(u^2+v^2)/2
};

struct Primitive {
  PetscReal rho;
  PetscReal u;
  PetscReal v;
  PetscReal p;
};

inline Primitive ToPrimitive(const Conserved& c, PetscReal gamma) {
  Primitive w;
  w.rho = c.rho;
  w.u = c.mx / c.rho;
  w.v = c.my / c.rho;
  w.p = (gamma - 1) * (c.E - 0.5 * (c.mx * w.u + c.my * w.v));
  return w;
}

inline Conserved ToConserved(const Primitive& w, PetscReal gamma) {
  Conserved c;
  c.rho = w.rho;
  c.mx = w.rho * w.u;
  c.my = w.rho * w.v;
  c.E = w.p / (gamma - 1) + 0.5 * w.rho * (w.u * w.u + w.v * w.v);
  return c;
}

inline PetscReal SoundSpeed(const Primitive& w, PetscReal gamma) {
  return std::sqrt(gamma * w.p / w.rho);
}

// Density and pressure positive and finite (NaN fails the comparisons).
inline bool IsAdmissible(const Primitive& w) {
  return w.rho > 0 && w.p > 0 && std::isfinite(w.rho) && std::isfinite(w.p) && std::isfinite(w.u) &&
         std::isfinite(w.v);
}

}  // namespace leap::euler2d
