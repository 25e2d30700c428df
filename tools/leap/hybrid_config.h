// `leap hybrid` configuration: the solver and its held-out initial condition, the horizon in
// frames, and how the emulator leaps (PETSc's -leap_* options override the leap section).
#pragma once

#include <algorithm>

#include <cstdint>
#include <string>

#include "euler2d/euler_config.h"
#include "euler3d/euler_config.h"
#include "leap/config/schema.h"
#include "leap/error.h"
#include "leap/plugin/leap_policy_keys.h"
#include "rb_config.h"

namespace leap::cli {

struct HybridLeapConfig {
  plugin::LeapPolicyOptions policy;  // leap.leap_frames, leap.solver_frames, ... (leap_policy_keys.h)
  int64_t context = 0;
  int64_t members = 1;
  std::vector<int64_t> emulator_ranks{0};
  bool emulators_per_node = false;
  bool restore_conserved = true;
  std::string device = "cpu";
  std::string precision = "fp32";
  bool cuda_graph = false;
  int64_t seed = 0;
  int64_t record_frames = 8;
  int64_t record_valid_every = 4;

  template <class V>
  void visit(V& v) {
    using config::at_least;
    plugin::visit_policy_keys(v, policy);
    v("context", context, "observed frames the emulator is given, 1..window-1 (0: min(2, window - 1))",
      at_least<int64_t>(0));
    v("members", members, "ensemble members per leap; their mean is injected (-leap_members)",
      at_least<int64_t>(1));
    v("emulator_ranks", emulator_ranks,
      "ranks that run the emulator (0 among them), each for its share of the members (emulator rank k "
      "samples "
      "with seed + k); every other rank is served by the nearest emulator rank below it",
      config::each(at_least<int64_t>(0)));
    v("emulators_per_node", emulators_per_node,
      "instead of emulator_ranks: one emulator rank per node (its first rank), e.g. one GPU per node");
    v("restore_conserved", restore_conserved,
      "restore the conserved totals (Euler: mass, momentum, energy) after a leap when all boundaries are "
      "periodic");
    v("device", device, "where the emulator runs: cpu, cuda, cuda:N");
    v("precision", precision,
      "emulator arithmetic: fp32, or bf16 weights (GPU; the sampler state stays fp32)",
      config::one_of({"fp32", "bf16"}));
    v("cuda_graph", cuda_graph, "replay each emulation call from a CUDA graph (needs device cuda)");
    v("seed", seed, "seed of the emulator's sampling noise", at_least<int64_t>(0));
    v("record_frames", record_frames,
      "with --record DIR: frames per recorded trajectory (consecutive solver frames; -leap_record_frames)",
      at_least<int64_t>(2));
    v("record_valid_every", record_valid_every,
      "with --record DIR: every k-th recorded trajectory goes to valid/; 0: none (-leap_record_valid_every)",
      at_least<int64_t>(0));
  }

  void validate(const std::string& file, const std::string& prefix = "") const {
    const std::string key = prefix.empty() ? "cuda_graph" : prefix + ".cuda_graph";
    if (cuda_graph && device.rfind("cuda", 0) != 0)
      throw InputError(file, key, "false unless device is cuda or cuda:N (device is '" + device + "')",
                       "true");
    const std::string p = prefix.empty() ? "" : prefix + ".";
    plugin::validate_policy_keys(policy, file, prefix);
    std::vector<int64_t> sorted = emulator_ranks;
    std::sort(sorted.begin(), sorted.end());
    std::string shown;
    for (const auto r : emulator_ranks) shown += (shown.empty() ? "" : ", ") + std::to_string(r);
    if (sorted.empty() || sorted.front() != 0 ||
        std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
      throw InputError(file, p + "emulator_ranks", "distinct ranks, 0 among them", "[" + shown + "]");
    if (emulators_per_node && emulator_ranks != std::vector<int64_t>{0})
      throw InputError(file, p + "emulators_per_node",
                       "false when emulator_ranks is given (one or the other)", "true");
  }
};

struct HybridConfig {
  std::string case_name = "euler2d";
  int64_t seed = 1000;
  int64_t frames = 20;
  double frame_interval = 0.015;
  double warmup = 0.0;
  HybridLeapConfig leap;
  euler2d::EulerConfig euler2d;
  euler3d::EulerConfig euler3d;
  rayleigh_benard::RBConfig rayleigh_benard;

  template <class V>
  void visit(V& v) {
    using config::at_least;
    v("case", case_name, "which solver", config::one_of({"euler2d", "euler3d", "rayleigh_benard"}));
    v("seed", seed,
      "initial condition seed; must be held out, i.e. not one of the training seeds "
      "(generate uses seed + k for its k-th trajectory)",
      at_least<int64_t>(0));
    v("frames", frames, "horizon: frames after the warm-up, for both runs", at_least<int64_t>(1));
    v("frame_interval", frame_interval, "simulated time between frames (as in the training data)",
      config::greater_than(0.0));
    v("warmup", warmup, "simulated time before the first frame (as in the training data)", at_least(0.0));
    v("leap", leap, "the emulator's leaps");
    v("euler2d", euler2d, "the Euler solver (case euler2d)");
    v("euler3d", euler3d, "the 3-D Euler solver (case euler3d)");
    v("rayleigh_benard", rayleigh_benard, "the Rayleigh-Benard solver (case rayleigh_benard)");
  }
};

}  // namespace leap::cli
