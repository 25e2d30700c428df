// `leap generate` configuration: which solver, the parameter sweep, trajectories per split, frames.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "euler2d/euler_config.h"
#include "euler3d/euler_config.h"
#include "leap/config/schema.h"
#include "rb_config.h"

namespace leap::cli {

// One swept key of the case's section, e.g. {key: gamma, values: [1.4, 1.6]}. The sweep is the
// Cartesian product of all axes; each point is one file per split.
struct SweepAxis {
  std::string key;
  std::vector<std::string> values;
  template <class V>
  void visit(V& v) {
    v("key", key, "a key of the case's section (e.g. gamma, boundary; Rayleigh)");
    v("values", values, "values the key takes", config::non_empty_list<std::string>());
  }
};

struct SplitCounts {
  int64_t train = 4;
  int64_t valid = 1;
  int64_t test = 1;
  template <class V>
  void visit(V& v) {
    v("train", train, "training trajectories per parameter combination", config::at_least<int64_t>(0));
    v("valid", valid, "validation trajectories per parameter combination", config::at_least<int64_t>(0));
    v("test", test, "test trajectories per parameter combination", config::at_least<int64_t>(0));
  }
};

struct GenerateConfig {
  std::string case_name = "euler2d";
  int64_t seed = 0;
  int64_t frames = 20;
  double frame_interval = 0.01;
  double warmup = 0.0;
  int64_t spatial_factor = 1;
  SplitCounts trajectories;
  std::vector<SweepAxis> sweep;
  euler2d::EulerConfig euler2d;
  euler3d::EulerConfig euler3d;
  rayleigh_benard::RBConfig rayleigh_benard;

  template <class V>
  void visit(V& v) {
    v("case", case_name, "which solver", config::one_of({"euler2d", "euler3d", "rayleigh_benard"}));
    v("seed", seed, "base seed; trajectory k of the whole dataset uses seed + k", config::at_least<int64_t>(0));
    v("frames", frames, "frames per trajectory", config::at_least<int64_t>(2));
    v("frame_interval", frame_interval, "simulated time between frames", config::greater_than(0.0));
    v("warmup", warmup, "simulated time before the first frame", config::at_least(0.0));
    v("spatial_factor", spatial_factor,
      "the grid must be divisible by it (the autoencoder's total down-sampling)", config::at_least<int64_t>(1));
    v("trajectories", trajectories, "trajectories per parameter combination in each split");
    v.list("sweep", sweep, "parameter sweep: keys of the case's section and their values");
    v("euler2d", euler2d, "the Euler solver (case euler2d)");
    v("euler3d", euler3d, "the 3-D Euler solver (case euler3d)");
    v("rayleigh_benard", rayleigh_benard, "the Rayleigh-Benard solver (case rayleigh_benard)");
  }
};

}  // namespace leap::cli
