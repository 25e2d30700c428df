// A small dataset layout used by tests: 2-D, fields "a" (scalar) and "v" (vector), analytic values.
#pragma once

#include <cmath>
#include <string>

#include "leap/data/well_file.h"

namespace leap::test {

inline data::WellLayout small_layout(int64_t nx, int64_t ny, int64_t traj, int64_t steps) {
  data::WellLayout L;
  L.dataset_name = "leap_test";
  data::WellAxis x{"x", nx, {}, "periodic"}, y{"y", ny, {}, "open"};
  for (int64_t i = 0; i < nx; ++i) x.coords.push_back((i + 0.5) / nx);
  for (int64_t j = 0; j < ny; ++j) y.coords.push_back((j + 0.5) / ny);
  L.axes = {x, y};
  data::WellField a, v;
  a.name = "a";
  a.order = 0;
  v.name = "v";
  v.order = 1;
  a.dim_varying = v.dim_varying = {true, true};
  L.fields = {a, v};
  L.parameters = {{"gamma", 1.4}, {"Ra", 1e5}};
  L.n_trajectories = traj;
  L.n_steps = steps;
  for (int64_t t = 0; t < steps; ++t) L.times.push_back(0.25 * t);
  return L;
}

// The analytic value stored at (trajectory, step, i, j, channel c): distinct for every entry.
inline float value_at(int64_t traj, int64_t step, int64_t i, int64_t j, int c) {
  return float(1000 * traj + 100 * step + i + 0.01 * j + 0.25 * c);
}

}  // namespace leap::test
