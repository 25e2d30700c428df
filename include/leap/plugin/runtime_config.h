// The coupling runtime's configuration (leap::plugin::Runtime, leap_runtime_create): a YAML file with
// three sections, every key optional except the emulator's files:
//
//   emulator:                  # what performs the leaps (loaded on rank 0 only)
//     kind: latent_diffusion   # latent_diffusion | oracle | none (observe and record only)
//     autoencoder: ae.ckpt     # latent_diffusion: the autoencoder checkpoint
//     checkpoint: emu.ckpt     # latent_diffusion: the latent diffusion emulator checkpoint
//     dataset: run.hdf5        # oracle: a dataset file in The Well's schema (the exact trajectory)
//     trajectory: 0            # oracle: which trajectory of the file
//     context: 0               # observed frames a leap needs (0: the emulator's default)
//     device: cpu              # latent_diffusion: cpu, cuda, cuda:N
//     precision: fp32          # latent_diffusion: fp32 or bf16
//     cuda_graph: false        # latent_diffusion: replay each window call from a CUDA graph
//     seed: 0                  # latent_diffusion: seed of the sampling noise (emulator rank k: seed + k)
//     ranks: [0]               # the ranks that run the emulator, each for its share of leap.members
//     per_node: false          # instead: one emulator rank per node (its first rank)
//   leap:                      # the leap policy (docs/leap_policy.md; -leap_<name> in LeapTSAttach)
//     members: 1               # ensemble members per leap (their mean is handed back)
//     leap_frames: 8           # frames one leap skips (the first leap's length in check mode)
//     solver_frames: 4         # solver frames before the first leap and between two attempts
//     max_spread: 0            # refuse a leap whose relative ensemble spread exceeds this (0: never)
//     check_every: 0           # check every k-th attempt against the caller's solver (0: never)
//     check_tolerance: 0.1     # the VRMSE a checked leap may have
//     min_leap_frames: 1       # bounds of the leap length check mode adapts
//     max_leap_frames: 0       # (0: 4 x leap_frames)
//     conserve: []             # channels whose totals the solver conserves: kept by a uniform shift
//     conserve_scaled: []      # positive conserved channels (density, energy): kept by a factor
//   record:                    # in-situ recording (leap_runtime_record) as a dataset in The Well's schema
//     dir: ""                  # dataset directory (needed to record)
//     name: runtime            # file name stem: DIR/train/NAME_<k>.hdf5
//     frames_per_trajectory: 8
//     valid_every: 0           # every k-th trajectory to DIR/valid (0: none)
//     dataset_name: leap_runtime
//     x_boundary: periodic     # periodic | open | wall (the files' boundary conditions)
//     y_boundary: periodic
//     length_x: 1.0            # domain lengths: cell centres at (i + 1/2) * length / n
//     length_y: 1.0
//     z_boundary: periodic     # 3-D grids (leap_runtime_set_box_3d) only
//     length_z: 1.0
//     parameters: []           # [{name: gamma, value: 1.4}, ...]: the files' simulation parameters
//
// Paths are used as given (relative ones from the process's working directory). Unknown keys, values
// of the wrong type or out of range, a missing file and a key that does not apply to the emulator's
// kind are refused with an InputError naming the file and the key.
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "leap/config/schema.h"
#include "leap/error.h"
#include "leap/plugin/leap_policy_keys.h"
#include "leap/plugin/oracle_fault.h"

namespace leap::plugin {

struct RuntimeEmulatorConfig {
  std::string kind = "latent_diffusion";
  std::string autoencoder;
  std::string checkpoint;
  std::string dataset;
  int64_t trajectory = 0;
  int64_t context = 0;
  std::string device = "cpu";
  std::string precision = "fp32";
  bool cuda_graph = false;
  int64_t seed = 0;
  int64_t guidance_iterations = 1;
  std::vector<int64_t> ranks{0};
  bool per_node = false;
  std::vector<std::string> faults;

  template <class V>
  void visit(V& v) {
    using config::at_least;
    v("kind", kind,
      "what performs the leaps: a trained latent diffusion emulator, the exact trajectory of a "
      "dataset (oracle: tests and coupling checks), or none (observe and record only)",
      config::one_of({"latent_diffusion", "oracle", "none"}));
    v("autoencoder", autoencoder, "kind latent_diffusion: the autoencoder checkpoint");
    v("checkpoint", checkpoint, "kind latent_diffusion: the latent diffusion emulator checkpoint");
    v("dataset", dataset, "kind oracle: a dataset file in The Well's schema holding the exact trajectory");
    v("trajectory", trajectory, "kind oracle: the trajectory of the dataset file", at_least<int64_t>(0));
    v("context", context,
      "observed frames a leap needs (0: the emulator's default, min(2, window - 1) for latent_diffusion, "
      "1 for oracle)",
      at_least<int64_t>(0));
    v("device", device, "kind latent_diffusion: where the emulator runs: cpu, cuda, cuda:N");
    v("precision", precision, "kind latent_diffusion: fp32, or bf16 weights (the sampler state stays fp32)",
      config::one_of({"fp32", "bf16"}));
    v("cuda_graph", cuda_graph,
      "kind latent_diffusion: replay each window call from a CUDA graph (device cuda)");
    v("seed", seed, "kind latent_diffusion: seed of the sampling noise (emulator rank k uses seed + k)",
      at_least<int64_t>(0));
    v("guidance_iterations", guidance_iterations,
      "kind latent_diffusion: iterations of the MMPS linear solver in a leap conditioned on observations "
      "(leap_runtime_observe_points; about the number of points makes sparse points exact)",
      at_least<int64_t>(1));
    v("ranks", ranks,
      "the ranks that run the emulator (rank 0 among them), each loading it and computing its share of "
      "leap.members; every other rank is served by the nearest emulator rank below it",
      config::each(at_least<int64_t>(0)));
    v("per_node", per_node,
      "instead of ranks: one emulator rank per node (the node's first rank), e.g. one GPU per node");
    v("faults", faults,
      "kind oracle: faults injected into its leaps to try a coupling on a poor emulator, each N:nan, "
      "N:negative:CHANNEL, N:spread:A or N:offset:A (N: the oracle's leap, from 0; A: in units of each "
      "channel's spatial standard deviation)");
  }

  void validate(const std::string& file, const std::string& prefix) const {
    const auto key = [&](const char* k) { return prefix.empty() ? std::string(k) : prefix + "." + k; };
    const auto need_file = [&](const char* k, const std::string& path, const char* what) {
      if (path.empty())
        throw InputError(file, key(k), std::string(what) + " (kind is " + kind + ")", "nothing");
      std::error_code ec;
      if (!std::filesystem::is_regular_file(path, ec))
        throw InputError(file, key(k), std::string("an existing file: ") + what,
                         "'" + path + "' (no such file)");
    };
    const auto refuse = [&](const char* k, bool given, const char* applies_to) {
      if (given)
        throw InputError(file, key(k),
                         std::string("nothing: it applies to kind ") + applies_to + " (kind is " + kind + ")",
                         "a value");
    };
    const auto shown = [&] {
      std::string t;
      for (const auto r : ranks) t += (t.empty() ? "" : ", ") + std::to_string(r);
      return "[" + t + "]";
    };
    std::vector<int64_t> sorted = ranks;
    std::sort(sorted.begin(), sorted.end());
    if (sorted.empty() || sorted.front() != 0)
      throw InputError(file, key("ranks"), "a list of ranks that includes 0", shown());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
      throw InputError(file, key("ranks"), "distinct ranks", shown());
    if (per_node && ranks != std::vector<int64_t>{0})
      throw InputError(file, key("per_node"), "false when ranks is given (one or the other)", "true");
    if (kind == "latent_diffusion") {
      need_file("autoencoder", autoencoder, "the autoencoder checkpoint");
      need_file("checkpoint", checkpoint, "the emulator checkpoint");
      refuse("dataset", !dataset.empty(), "oracle");
      refuse("faults", !faults.empty(), "oracle");
      if (cuda_graph && device.rfind("cuda", 0) != 0)
        throw InputError(file, key("cuda_graph"),
                         "false unless device is cuda or cuda:N (device is '" + device + "')", "true");
    } else if (kind == "oracle") {
      need_file("dataset", dataset, "the dataset file");
      refuse("autoencoder", !autoencoder.empty(), "latent_diffusion");
      refuse("checkpoint", !checkpoint.empty(), "latent_diffusion");
      for (const auto& f : faults) OracleFault::parse(f, file + ": key '" + key("faults") + "'");
    } else {
      refuse("autoencoder", !autoencoder.empty(), "latent_diffusion");
      refuse("checkpoint", !checkpoint.empty(), "latent_diffusion");
      refuse("dataset", !dataset.empty(), "oracle");
      refuse("faults", !faults.empty(), "oracle");
    }
  }
};

struct RuntimeLeapConfig {
  int64_t members = 1;
  LeapPolicyOptions policy;  // leap.leap_frames, leap.solver_frames, leap.max_spread, leap.check_* ...
  std::vector<std::string> conserve, conserve_scaled;

  template <class V>
  void visit(V& v) {
    using config::at_least;
    v("members", members, "ensemble members per leap; their mean is handed back", at_least<int64_t>(1));
    visit_policy_keys(v, policy);
    v("conserve", conserve,
      "channels whose domain totals the solver conserves (periodic or closed boundaries): each leap puts "
      "their totals back to those of the last observed frame by a uniform shift");
    v("conserve_scaled", conserve_scaled,
      "channels of positive conserved quantities (a density, an energy): each leap puts their totals back "
      "by a factor, which keeps them positive");
  }
  void validate(const std::string& file, const std::string& prefix) const {
    // leap.guidance coarse|coarse_only needs a coarse copy of the caller's solver, which only some routes
    // give (Runtime::set_coarse_grid): Runtime::setup refuses it without one.
    validate_policy_keys(policy, file, prefix);
  }
};

struct RuntimeParameter {
  std::string name;
  double value = 0;

  template <class V>
  void visit(V& v) {
    v("name", name, "the parameter's name (as the emulator's conditioning names it, e.g. gamma)");
    v("value", value, "its value");
  }
  void validate(const std::string& file, const std::string& prefix) const {
    if (name.empty()) throw InputError(file, prefix + ".name", "a non-empty name", "nothing");
  }
};

struct RuntimeRecordConfig {
  std::string dir;
  std::string name = "runtime";
  int64_t frames_per_trajectory = 8;
  int64_t valid_every = 0;
  std::string dataset_name = "leap_runtime";
  std::string x_boundary = "periodic";
  std::string y_boundary = "periodic";
  std::string z_boundary = "periodic";  // 3-D grids only
  double length_x = 1.0;
  double length_y = 1.0;
  double length_z = 1.0;
  std::vector<RuntimeParameter> parameters;

  template <class V>
  void visit(V& v) {
    using config::at_least;
    v("dir", dir, "dataset directory the recording is written to (created when missing; needed to record)");
    v("name", name, "file name stem: DIR/train/NAME_<k>.hdf5 (a recording of that name must not exist yet)");
    v("frames_per_trajectory", frames_per_trajectory,
      "consecutive observed frames per trajectory file (a shorter rest of a segment is dropped)",
      at_least<int64_t>(2));
    v("valid_every", valid_every, "every k-th trajectory goes to DIR/valid (0: all to DIR/train)",
      at_least<int64_t>(0));
    v("dataset_name", dataset_name, "the files' dataset_name attribute");
    v("x_boundary", x_boundary, "boundary condition along x written to the files",
      config::one_of({"periodic", "open", "wall"}));
    v("y_boundary", y_boundary, "boundary condition along y written to the files",
      config::one_of({"periodic", "open", "wall"}));
    v("length_x", length_x, "domain length along x (cell centres at (i + 1/2) * length_x / nx)",
      config::greater_than(0.0));
    v("length_y", length_y, "domain length along y", config::greater_than(0.0));
    v("z_boundary", z_boundary, "boundary condition along z written to the files (3-D grids)",
      config::one_of({"periodic", "open", "wall"}));
    v("length_z", length_z, "domain length along z (3-D grids)", config::greater_than(0.0));
    v.list("parameters", parameters, "simulation parameters written to the files ({name, value} each)");
  }

  void validate(const std::string& file, const std::string& prefix) const {
    const std::string key = prefix.empty() ? "name" : prefix + ".name";
    if (name.empty() || name.find('/') != std::string::npos)
      throw InputError(file, key, "a non-empty file name stem without '/'", "'" + name + "'");
  }
};

struct RuntimeConfig {
  RuntimeEmulatorConfig emulator;
  RuntimeLeapConfig leap;
  RuntimeRecordConfig record;

  template <class V>
  void visit(V& v) {
    v("emulator", emulator, "what performs the leaps");
    v("leap", leap, "how a leap is made and when it is refused");
    v("record", record, "in-situ recording of observed frames as a dataset in The Well's schema");
  }
  // The reader validates only the sections a file has: without this, a file with no `emulator`
  // section would load (kind latent_diffusion, no checkpoints) and its effective config.yaml, which
  // writes that section, would then be refused. (A present section is checked twice: harmless.)
  void validate(const std::string& file, const std::string& prefix) const {
    emulator.validate(file, config::join_path(prefix, "emulator"));
  }
};

}  // namespace leap::plugin
