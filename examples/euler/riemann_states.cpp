#include "euler/riemann_states.h"

#include <random>

namespace leap::euler {
namespace {

// A double uniform in [0, 1) from the top 53 bits of one draw: the same on every platform (unlike
// std::uniform_real_distribution, whose algorithm the standard leaves open).
PetscReal Uniform01(std::mt19937_64& rng) {
  return PetscReal(rng() >> 11) * 0x1.0p-53;
}
PetscReal Uniform(std::mt19937_64& rng, PetscReal lo, PetscReal hi) {
  return lo + (hi - lo) * Uniform01(rng);
}

}  // namespace

template <int D>
OrthantProblem<D> DrawOrthants(const RiemannStateRanges& r, int64_t seed,
                               const std::array<PetscReal, D>& lengths) {
  std::mt19937_64 rng(static_cast<std::uint64_t>(seed));
  OrthantProblem<D> q;
  for (size_t a = 0; a < size_t(D); ++a) q.split[a] = lengths[a] * Uniform(rng, r.split_min, r.split_max);
  for (Primitive<D>& w : q.state) {
    w.rho = Uniform(rng, r.density_min, r.density_max);
    w.p = Uniform(rng, r.pressure_min, r.pressure_max);
    for (int a = 0; a < D; ++a) w.vel(a) = Uniform(rng, -r.velocity_max, r.velocity_max);
  }
  return q;
}

template OrthantProblem<2> DrawOrthants<2>(const RiemannStateRanges&, int64_t,
                                           const std::array<PetscReal, 2>&);
template OrthantProblem<3> DrawOrthants<3>(const RiemannStateRanges&, int64_t,
                                           const std::array<PetscReal, 3>&);

}  // namespace leap::euler
