// The training loop every `leap train` command runs: AdamW with a cosine schedule and warm-up,
// gradient clipping, non-finite steps skipped (and counted), optional EMA of the weights,
// data-parallel gradient averaging over MPI (optim.gradient_sync), validation each epoch, best.ckpt /
// last.ckpt written atomically by rank 0, and exact resumption from last.ckpt.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <mpi.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "leap/data/window_loader.h"
#include "leap/train/checkpoint.h"
#include "leap/train/optim_config.h"

namespace torch::nn {
class Module;
}

namespace leap::train {

struct Validation {
  double loss = 0;                        // lower is better: selects best.ckpt
  std::map<std::string, double> metrics;  // e.g. vrmse
};

struct TrainLoopOptions {
  OptimConfig optim;
  MPI_Comm comm = MPI_COMM_WORLD;
  std::string out_dir;
  CheckpointInfo info;  // kind, model_yaml, config_yaml, extra (epoch/step/best filled in)
  bool resume = false;  // continue from out_dir/last.ckpt
  std::string init;     // fine-tune: start from this checkpoint's weights (EMA ones when it has them)
  bool progress = true;
  std::string label = "train";
  at::Device device = at::kCPU;  // the model is moved there; batches are copied there
  bool bf16 = false;             // bf16 autocast around the loss and validation (CUDA)
};

struct EpochRecord {
  int64_t epoch = 0;
  double train_loss = 0;
  double lr = 0;
  Validation validation;
  double seconds = 0;
};

struct TrainResult {
  double best_loss = 0;
  int64_t best_epoch = 0;
  int64_t steps = 0;
  int64_t skipped_steps = 0;
  double seconds = 0;
  double samples_per_second = 0;
  std::vector<EpochRecord> history;
  Validation initial;  // before the first step (not measured when resuming)
  Validation last;
  // Data-parallel gradient averaging as it ran: "none" (1 rank), "overlap" or "after_backward"
  // (optim.gradient_sync; overlap falls back to after_backward on cuda), the overlap reducer's
  // buckets, and its all-reduce calls over the whole run (resumed runs included).
  std::string gradient_sync = "none";
  int64_t gradient_buckets = 0;
  int64_t gradient_allreduces = 0;
};

// The batch handed to the loss is on TrainLoopOptions::device; validation moves its own tensors
// to the model's device.
using LossFn = std::function<at::Tensor(const data::Batch&)>;
using ValidateFn = std::function<Validation()>;

TrainResult train_loop(torch::nn::Module& model, data::WindowLoader& loader, const LossFn& loss,
                       const ValidateFn& validate, const TrainLoopOptions& options);

}  // namespace leap::train
