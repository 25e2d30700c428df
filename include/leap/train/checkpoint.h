// Checkpoints: model weights (and their EMA), optimiser state, RNG state, step/epoch, and the
// configs that built them, in one LibTorch archive written atomically. Reading refuses, with exit 2,
// a file that is not a LEAP checkpoint (truncated, corrupted), one of another kind, or one whose
// architecture differs from what the caller expects (naming the first differing key).
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace torch::nn {
class Module;
}
namespace torch::optim {
class Optimizer;
}
namespace at {
class Tensor;
}

namespace leap::train {

struct CheckpointInfo {
  std::string kind;         // "autoencoder", "denoiser", "surrogate"
  std::string model_yaml;   // the architecture's config
  std::string config_yaml;  // the whole effective config of the run
  int64_t epoch = 0;        // epochs completed
  int64_t step = 0;         // optimiser steps done
  double best = std::numeric_limits<double>::infinity();  // best validation loss so far
  std::map<std::string, std::string> extra;  // e.g. stats, channel names, theta names
};

// ema: shadow weights in named_parameters() order (empty: none).
void save_checkpoint(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer* optimizer,
                     const std::vector<at::Tensor>& ema, const CheckpointInfo& info);

// Reads only the metadata (and checks that the file is a checkpoint of `expected_kind` when given).
CheckpointInfo read_checkpoint_info(const std::string& path, const std::string& expected_kind = "");

// Loads weights into `model` (built from info.model_yaml): the EMA weights when `use_ema` and the
// checkpoint has them. With `optimizer`, its state too; with `ema`, the shadow weights.
// Restores the RNG states when `restore_rng`: the CPU generator's and each visible CUDA device's.
void load_checkpoint(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer* optimizer,
                     std::vector<at::Tensor>* ema, bool use_ema, bool restore_rng);

// The first key path where two YAML documents differ ("" when equal), e.g. "channels[2]: 64 vs 32".
std::string yaml_difference(const std::string& a, const std::string& b);

}  // namespace leap::train
