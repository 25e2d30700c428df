// The runtime tests' oracle dataset: one trajectory of kSteps frames of a kNx x kNy periodic grid
// with fields a (scalar) and v (vector); channel c (0: a, 1: v_x, 2: v_y) of frame s at cell (x, y)
// holds 1 + 360 s + 120 c + 10 x + y, an integer exact in float32, so every value names its frame,
// channel and cell. Written collectively: each rank of `comm` passes its box.
#pragma once

#include <mpi.h>

#include <string>
#include <vector>

#include "leap/data/well_writer.h"

namespace leap::test {

constexpr int kOracleNx = 12, kOracleNy = 10, kOracleSteps = 16;

inline float oracle_value(int s, int c, int x, int y) {
  return float(1 + 360 * s + 120 * c + 10 * x + y);
}

inline void write_oracle_dataset(MPI_Comm comm, const std::string& path, const std::string& name, int x0,
                                 int y0, int xm, int ym) {
  data::WellLayout L;
  L.dataset_name = name;
  L.axes = {{"x", kOracleNx, {}, "periodic"}, {"y", kOracleNy, {}, "periodic"}};
  for (int i = 0; i < kOracleNx; ++i) L.axes[0].coords.push_back(i + 0.5);
  for (int j = 0; j < kOracleNy; ++j) L.axes[1].coords.push_back(j + 0.5);
  data::WellField a, v;
  a.name = "a";
  a.order = 0;
  v.name = "v";
  v.order = 1;
  a.dim_varying = v.dim_varying = {true, true};
  L.fields = {a, v};
  L.n_trajectories = 1;
  L.n_steps = kOracleSteps;
  for (int s = 0; s < kOracleSteps; ++s) L.times.push_back(0.25 * s);
  const data::Block block{{x0, y0}, {xm, ym}};
  data::WellWriter w(comm, path, L);
  for (int s = 0; s < kOracleSteps; ++s) {
    std::vector<float> fa, fv;
    for (int i = 0; i < xm; ++i)
      for (int j = 0; j < ym; ++j) {
        fa.push_back(oracle_value(s, 0, x0 + i, y0 + j));
        fv.push_back(oracle_value(s, 1, x0 + i, y0 + j));
        fv.push_back(oracle_value(s, 2, x0 + i, y0 + j));
      }
    w.write_frame(0, s, "a", fa.data(), block);
    w.write_frame(0, s, "v", fv.data(), block);
  }
  w.mark_complete(1);
  w.finish();
}

}  // namespace leap::test
