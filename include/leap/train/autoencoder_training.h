// `leap train ae`: the autoencoder trained on single frames with the variance-normalised MSE (data
// are normalised per channel, so the MSE averages each field's error relative to its variance);
// validation reports the reconstruction VRMSE.
#pragma once

#include <mpi.h>

#include <string>
#include <vector>

#include "leap/models/autoencoder_config.h"
#include "leap/train/optim_config.h"
#include "leap/train/run_options.h"
#include "leap/train/trainer.h"

namespace leap::train {

struct AutoencoderTrainConfig {
  int64_t seed = 0;
  DataOptions data;
  models::AutoencoderConfig model;
  OptimConfig optim;
  template <class V>
  void visit(V& v) {
    v("seed", seed, "seed of weights, data order and dropout", config::at_least<int64_t>(0));
    v("data", data, "data loading");
    v("model", model, "autoencoder architecture");
    v("optim", optim, "optimisation");
  }
};

// Refuses (InputError) data that does not fit the model before training; writes best.ckpt,
// last.ckpt in out_dir and returns the result (the caller writes config.yaml and metrics.json).
TrainResult train_autoencoder(const AutoencoderTrainConfig& cfg, const RunOptions& run);

}  // namespace leap::train
