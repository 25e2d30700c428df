// Cell averages of the conserved variables of a pointwise primitive field, by tensor-product
// Gauss-Legendre quadrature (3 points per axis: exact for polynomials of degree 5), for initial
// conditions and exact solutions that are smooth inside a cell.
#pragma once

#include <array>
#include <cmath>

#include "euler/gas_state.h"

namespace leap::euler {

// The average over the cell centred at xc with widths h; field(x) gives the primitive state at the
// point x (a std::array<PetscReal, D>).
template <int D, class Field>
Conserved<D> CellAverage(const Field& field, const std::array<PetscReal, D>& xc,
                         const std::array<PetscReal, D>& h, PetscReal gamma) {
  const PetscReal node[3] = {-std::sqrt(0.6), 0.0, std::sqrt(0.6)};
  const PetscReal weight[3] = {5.0 / 18, 8.0 / 18, 5.0 / 18};  // on [-1/2, 1/2]
  Conserved<D> avg{};
  int points = 1;
  for (int a = 0; a < D; ++a) points *= 3;
  for (int p = 0; p < points; ++p) {
    // The quadrature point's node per axis, x slowest.
    std::array<int, D> n;
    for (int a = D - 1, rest = p; a >= 0; --a, rest /= 3) n[size_t(a)] = rest % 3;
    std::array<PetscReal, D> x;
    PetscReal w = weight[n[0]];
    for (size_t a = 1; a < size_t(D); ++a) w *= weight[n[a]];
    for (size_t a = 0; a < size_t(D); ++a) x[a] = xc[a] + 0.5 * h[a] * node[n[a]];
    const Conserved<D> c = ToConserved(field(x), gamma);
    avg.rho += w * c.rho;
    for (int a = 0; a < D; ++a) avg.m(a) += w * c.m(a);
    avg.E += w * c.E;
  }
  return avg;
}

}  // namespace leap::euler
