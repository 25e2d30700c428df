// Speed of the emulator's parts on one device, at the paper's scale or a small one, for each GPU
// lever switched on in turn: emulation time per state (one member, an ensemble), denoiser training
// windows/s, autoencoder training images/s. Random weights and inputs: speed does not depend on them.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace leap::cli {

struct ModelBenchOptions {
  std::string scale = "paper";  // paper | small
  std::string device = "cuda";  // cpu | cuda | cuda:N
  std::vector<std::string> parts{"emulation", "denoiser", "autoencoder"};
  std::vector<std::string> variants{"plain", "bf16", "flash", "graph"};
  std::vector<int> members{1, 16};
  int warmup = 2;
  int iters = 5;
  bool progress = true;
};

// Runs the benchmarks and returns their results (one JSON object per measurement under "results",
// the configuration under "config", the machine under "machine"). Cells that do not apply (a lever
// the build lacks) or that fail (out of device memory) are recorded with a "skipped" reason.
nlohmann::json run_model_bench(const ModelBenchOptions& options);

// A plain-text table of the results.
std::string model_bench_table(const nlohmann::json& results);

// The device's name: the GPU's, or the CPU model and core count.
std::string device_description(const std::string& device);

// One leap of `leap hybrid`'s latent diffusion emulator at a resolution: plugin::LatentDiffusionEmulator
// itself, loaded from checkpoints of random-weight models (the speed does not depend on the weights)
// written to a temporary directory, and its leap() timed: the physical context frames
// [c, fields, R, R] (3-D: [c, fields, R, R, R]) on the CPU -> the device -> encode ->
// ceil(frames / (w - c)) diffusion windows (EmulationEngine::rollout, the scale's ViT and the default
// sampler) -> decode the last frame -> the CPU. The autoencoder is the scale's with as many levels as
// keep the latent grid at a fixed side (levels cut or added, repeating the last width):
//   2-D: 16 x 16; the small scale at 64^2 and the paper's at 512^2 are exactly those of their scale
//        (examples/euler2d/{ae,emulator}-{small,paper}.yaml).
//   3-D (spatial_dims 3, the 3-D Euler case: 6 fields, 4 parameters): 4^3 for the small scale, whose
//        models at 16^3 are exactly examples/euler3d/{ae,emulator}-small.yaml (3-D DCAE [16, 32, 48],
//        factor 4, 16 latent channels; ViT 96 x 4), and 8^3 for the paper's, exactly
//        examples/euler3d/{ae,emulator}-paper.yaml at 64^3 (3-D DCAE f8c64; ViT 1024 x 16).
struct LeapBenchOptions {
  std::string scale = "small";  // paper | small
  std::string device = "cpu";   // cpu | cuda | cuda:N
  int spatial_dims = 2;         // 2 or 3 (the scale's 3-D models)
  int resolution = 128;         // grid side: a power of two (leap_resolution_problem)
  int fields = 5;               // physical channels
  int param_features = 3;       // conditioning vector (Euler: gamma, x_periodic, y_periodic)
  int64_t context = 2;          // observed frames, 1..window-1
  int64_t frames = 6;           // frames skipped per leap
  int64_t members = 1;
  int warmup = 1;
  int iters = 3;
};

// Medians over options.iters calls of leap() (after options.warmup): ms_per_leap and its phases (from
// the emulator's phase hook) ms_encode (transfer included), ms_sample, ms_decode (transfer back
// included); windows_per_leap, latent [L, x, y(, z)], autoencoder_levels, autoencoder_parameters,
// denoiser_parameters; the same leap conditioned on point observations of its last frame (every 8th
// cell per axis of the first field, MMPS with 1 iteration: Emulator::leap_observed): guided_points,
// ms_per_guided_leap and guided_overhead (its ratio to ms_per_leap). {"skipped": why} when the device
// runs out of memory.
nlohmann::json time_emulator_leap(const LeapBenchOptions& options);

// Why a grid side does not suit time_emulator_leap (2-D: not a power of two >= 32; 3-D: not a power
// of two >= 16), or "".
std::string leap_resolution_problem(int resolution, int spatial_dims = 2);

// Throws InputError when the device is not usable (no CUDA device, index out of range).
void check_bench_device(const std::string& device);

}  // namespace leap::cli
