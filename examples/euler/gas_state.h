// Conserved and primitive states of an ideal gas in D = 2 or 3 space dimensions and the
// conversions between them, written once for both. The conserved layout (rho, rho*u, rho*v[,
// rho*w], E) is the layout of a DMDA cell: D + 2 dofs, in this order.
//
// The components have names (u, v, w; mx, my, mz), which the solvers and tests read, and an index
// (vel(a), m(a) for the axis a = kX, kY, kZ), through which the kernels are written for any
// dimension and any normal axis: with a constant axis, vel(a) is the named member.
#pragma once

#include <petscsys.h>

#include <cmath>

#if defined(PETSC_USE_COMPLEX)
#error "leap::euler needs a real-valued PETSc build (PetscScalar == PetscReal)"
#endif

namespace leap::euler {

inline constexpr int kX = 0;
inline constexpr int kY = 1;
inline constexpr int kZ = 2;

// "Euler2d" or "Euler3d": the prefix of messages and log events.
template <int D>
constexpr const char* SolverName() {
  static_assert(D == 2 || D == 3, "the Euler kernels are instantiated for 2 and 3 dimensions");
  return D == 2 ? "Euler2d" : "Euler3d";
}

// One DMDA cell: the conserved variables.
template <int D>
struct Conserved;

template <>
struct Conserved<2> {
  PetscScalar rho;  // density
  PetscScalar mx;   // x momentum rho*u
  PetscScalar my;   // y momentum rho*v
  PetscScalar E;    // total energy per volume p/(gamma-1) + rho*(u^2+v^2)/2
  PetscScalar& m(int a) { return a == kX ? mx : my; }
  PetscScalar m(int a) const { return a == kX ? mx : my; }
};

template <>
struct Conserved<3> {
  PetscScalar rho;  // density
  PetscScalar mx;   // x momentum rho*u
  PetscScalar my;   // y momentum rho*v
  PetscScalar mz;   // z momentum rho*w
  PetscScalar E;    // total energy per volume p/(gamma-1) + rho*(u^2+v^2+w^2)/2
  PetscScalar& m(int a) { return a == kX ? mx : a == kY ? my : mz; }
  PetscScalar m(int a) const { return a == kX ? mx : a == kY ? my : mz; }
};

template <int D>
struct Primitive;

template <>
struct Primitive<2> {
  PetscReal rho;
  PetscReal u;
  PetscReal v;
  PetscReal p;
  PetscReal& vel(int a) { return a == kX ? u : v; }
  PetscReal vel(int a) const { return a == kX ? u : v; }
};

template <>
struct Primitive<3> {
  PetscReal rho;
  PetscReal u;
  PetscReal v;
  PetscReal w;
  PetscReal p;
  PetscReal& vel(int a) { return a == kX ? u : a == kY ? v : w; }
  PetscReal vel(int a) const { return a == kX ? u : a == kY ? v : w; }
};

static_assert(sizeof(Conserved<2>) == 4 * sizeof(PetscScalar), "a 2-D cell is 4 dofs");
static_assert(sizeof(Conserved<3>) == 5 * sizeof(PetscScalar), "a 3-D cell is 5 dofs");

// |u|^2, summed over the axes in the order x, y, z (whatever the normal axis of the caller).
template <int D>
inline PetscReal SpeedSquared(const Primitive<D>& w) {
  PetscReal s = 0;
  for (int a = 0; a < D; ++a) s += w.vel(a) * w.vel(a);
  return s;
}

// p/(gamma-1) + rho |u|^2 / 2.
template <int D>
inline PetscReal TotalEnergy(const Primitive<D>& w, PetscReal gamma) {
  return w.p / (gamma - 1) + 0.5 * w.rho * SpeedSquared(w);
}

template <int D>
inline Primitive<D> ToPrimitive(const Conserved<D>& c, PetscReal gamma) {
  Primitive<D> w;
  w.rho = c.rho;
  PetscReal m_dot_u = 0;
  for (int a = 0; a < D; ++a) {
    w.vel(a) = c.m(a) / c.rho;
    m_dot_u += c.m(a) * w.vel(a);
  }
  w.p = (gamma - 1) * (c.E - 0.5 * m_dot_u);
  return w;
}

template <int D>
inline Conserved<D> ToConserved(const Primitive<D>& w, PetscReal gamma) {
  Conserved<D> c;
  c.rho = w.rho;
  for (int a = 0; a < D; ++a) c.m(a) = w.rho * w.vel(a);
  c.E = TotalEnergy(w, gamma);
  return c;
}

template <int D>
inline PetscReal SoundSpeed(const Primitive<D>& w, PetscReal gamma) {
  return std::sqrt(gamma * w.p / w.rho);
}

// Density and pressure positive and finite (NaN fails the comparisons), velocity finite.
template <int D>
inline bool IsAdmissible(const Primitive<D>& w) {
  bool finite = std::isfinite(w.rho) && std::isfinite(w.p);
  for (int a = 0; a < D; ++a) finite = finite && std::isfinite(w.vel(a));
  return w.rho > 0 && w.p > 0 && finite;
}

}  // namespace leap::euler
