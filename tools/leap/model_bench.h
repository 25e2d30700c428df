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

}  // namespace leap::cli
