// Observation operators y = A(x) for guided sampling (data assimilation), on states (..., C, X, Y) or
// (..., C, X, Y, Z) with the spatial axes last: every `stride`-th point per axis, the means of block x block cells, or a list
// of sensors (channel, i, j). Each maps (..., C, X, Y) to (..., M) observations, is differentiable, and
// says whether it is linear (then its Jacobian-vector product is the operator itself). compose()
// puts a (non-linear) map in front, e.g. the decoder, so that latents are observed in pixel space.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace leap::models {

struct ObservationOperator {
  std::string name;  // e.g. "subsample:32", for reports
  std::function<at::Tensor(const at::Tensor& x)> apply;
  bool linear = false;
  at::Tensor operator()(const at::Tensor& x) const { return apply(x); }
};

// x[..., offset::stride, offset::stride], flattened over (C, X', Y'). With spatial_dims 3 the states
// are (..., C, X, Y, Z), every axis is subsampled, and (C, X', Y', Z') is flattened.
ObservationOperator subsample_operator(int64_t stride, int64_t offset = 0, int spatial_dims = 2);
// Means over block x block cells (X and Y must be multiples of block), flattened over (C, X', Y');
// in 3-D (spatial_dims 3) over block^3 cells.
ObservationOperator downscale_operator(int64_t block, int spatial_dims = 2);

struct SensorPoint {
  int64_t channel = 0, i = 0, j = 0, k = 0;  // k: the z index on a 3-D grid (0 in 2-D)
};
// The values at the listed cells, in list order: (..., C, X, Y) -> (..., points), or with
// spatial_dims 3 (..., C, X, Y, Z) -> (..., points).
ObservationOperator sensor_operator(std::vector<SensorPoint> points, int spatial_dims = 2);

// x -> A(f(x)) (non-linear unless f is declared linear).
ObservationOperator compose(const ObservationOperator& A, std::function<at::Tensor(const at::Tensor&)> f,
                            const std::string& f_name, bool f_linear = false);

// Parses "subsample:S", "subsample:S:OFFSET" or "downscale:B" (InputError naming `key` otherwise),
// for states with 2 or 3 spatial axes.
ObservationOperator parse_observation_operator(const std::string& spec, const std::string& key,
                                               int spatial_dims = 2);

}  // namespace leap::models
