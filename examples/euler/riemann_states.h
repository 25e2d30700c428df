// Piecewise-constant Riemann problems of 2^D constant states: the domain split at a point into
// quadrants (2-D, like The Well's euler_multi_quadrants) or octants (3-D), each with its own
// density, pressure and velocity drawn at random within configured ranges. Everything is drawn from
// std::mt19937_64 seeded with the config's seed, the same few numbers on every rank, so the seed
// alone fixes the field on any rank count.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "euler/gas_state.h"
#include "leap/config/schema.h"
#include "leap/error.h"

namespace leap::euler {

// Ranges from which the problem is drawn: the split point (as fractions of the domain lengths)
// and, per state, density, pressure and every velocity component (uniform in
// [-velocity_max, velocity_max]).
struct RiemannStateRanges {
  double split_min = 0.25;
  double split_max = 0.75;
  double density_min = 0.1;
  double density_max = 2.0;
  double pressure_min = 0.1;
  double pressure_max = 2.0;
  double velocity_max = 1.0;

  template <class V>
  void visit(V& v) {
    using config::at_least;
    using config::greater_than;
    using config::in_range;
    v("split_min", split_min, "smallest split point, as a fraction of the domain length along each axis",
      in_range(0.0, 1.0));
    v("split_max", split_max, "largest split point, as a fraction of the domain length along each axis",
      in_range(0.0, 1.0));
    v("density_min", density_min, "smallest density of a state", greater_than(0.0));
    v("density_max", density_max, "largest density of a state", greater_than(0.0));
    v("pressure_min", pressure_min, "smallest pressure of a state", greater_than(0.0));
    v("pressure_max", pressure_max, "largest pressure of a state", greater_than(0.0));
    v("velocity_max", velocity_max, "largest magnitude of each velocity component of a state", at_least(0.0));
  }
  void validate(const std::string& file, const std::string& path) const {
    if (!(split_min <= split_max))
      throw InputError(file, path + ".split_max",
                       "a value >= split_min (" + config::format_number(split_min) + ")",
                       config::format_number(split_max));
    if (!(density_min <= density_max))
      throw InputError(file, path + ".density_max",
                       "a value >= density_min (" + config::format_number(density_min) + ")",
                       config::format_number(density_max));
    if (!(pressure_min <= pressure_max))
      throw InputError(file, path + ".pressure_max",
                       "a value >= pressure_min (" + config::format_number(pressure_min) + ")",
                       config::format_number(pressure_max));
  }
};

template <int D>
struct OrthantProblem {
  std::array<PetscReal, D> split{};  // the split point
  // The states: state[b] holds where x_a >= split_a exactly for the axes a whose bit is set in b
  // (2-D: [0] x < x0, y < y0; [1] x >= x0, y < y0; [2] x < x0, y >= y0; [3] x >= x0, y >= y0).
  std::array<Primitive<D>, (1 << D)> state{};

  Primitive<D> At(const std::array<PetscReal, D>& x) const {
    int b = 0;
    for (int a = 0; a < D; ++a)
      if (x[size_t(a)] >= split[size_t(a)]) b |= 1 << a;
    return state[size_t(b)];
  }
};

// Draws the split point (per axis, in the order x, y, z) and then the states (in the order of
// `state`; per state density, pressure, then the velocity components) from `seed`.
template <int D>
OrthantProblem<D> DrawOrthants(const RiemannStateRanges& ranges, int64_t seed,
                               const std::array<PetscReal, D>& lengths);

}  // namespace leap::euler
