// `leap train ae`: the autoencoder trained on single frames with the variance-normalised MSE (data
// are normalised per channel, so the MSE averages each field's error relative to its variance);
// validation reports the reconstruction VRMSE.
#pragma once

#include <mpi.h>

#include <string>
#include <vector>

#include "leap/models/autoencoder_config.h"
#include "leap/train/optim_config.h"
#include "leap/train/trainer.h"

namespace leap::train {

struct DataOptions {
  std::vector<std::string> log_fields;  // fields log-transformed before normalisation
  int64_t cache_trajectories = 64;
  template <class V>
  void visit(V& v) {
    v("log_fields", log_fields, "fields to log-transform before normalising (positive fields only)");
    v("cache_trajectories", cache_trajectories, "trajectories kept in memory", config::at_least<int64_t>(1));
  }
};

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

struct RunOptions {
  std::string data_dir;
  std::string out_dir;
  std::string config_file;  // for messages
  bool resume = false;
  bool progress = true;
  MPI_Comm comm = MPI_COMM_WORLD;
};

// Refuses (InputError) data that does not fit the model before training; writes best.ckpt,
// last.ckpt in out_dir and returns the result (the caller writes config.yaml and metrics.json).
TrainResult train_autoencoder(const AutoencoderTrainConfig& cfg, const RunOptions& run);

}  // namespace leap::train
