// What every `leap train` command shares: data options, where a run reads and writes, and the
// loader and loop settings derived from the optimisation config.
#pragma once

#include <mpi.h>

#include <string>
#include <vector>

#include "leap/config/schema.h"
#include "leap/data/dataset_stats.h"
#include "leap/data/normalizer.h"
#include "leap/data/window_loader.h"
#include "leap/train/optim_config.h"
#include "leap/train/trainer.h"

namespace leap::train {

struct DataOptions {
  std::vector<std::string> log_fields;  // fields log-transformed before normalisation
  int64_t cache_trajectories = 64;
  // Datasets and/or collections to train on when the command line names none (--data); relative
  // paths are taken from the config file's directory.
  std::vector<std::string> datasets;
  template <class V>
  void visit(V& v) {
    v("datasets", datasets,
      "datasets or collections in The Well's layout, used when --data names none (relative to this file)");
    v("log_fields", log_fields, "fields to log-transform before normalising (positive fields only)");
    v("cache_trajectories", cache_trajectories, "trajectories kept in memory", config::at_least<int64_t>(1));
  }
};

struct RunOptions {
  std::vector<std::string> data_dirs;  // datasets and/or collections (train::open_dataset_dir)
  std::string out_dir;
  std::string config_file;  // for messages
  bool resume = false;
  std::string init;  // fine-tuning: start from this checkpoint's weights and normaliser (not with resume)
  bool progress = true;
  MPI_Comm comm = MPI_COMM_WORLD;
};

// The normaliser of a run: from the dataset's statistics, or, when fine-tuning (run.init), the one
// the initial checkpoint was trained with (so its weights see the inputs they learned from); an
// InputError when that checkpoint is not of `kind` or its channels differ from the data's.
data::Normalizer training_normalizer(const data::DatasetStats& stats, const std::string& stats_path,
                                     const data::WellLayout& layout,
                                     const std::vector<std::string>& log_fields, const RunOptions& run,
                                     const std::string& kind);

// Loader settings: the global batch split among the ranks of run.comm, seeded order, augmentation.
data::LoaderOptions loader_options(const OptimConfig& optim, int64_t seed, MPI_Comm comm);
// The device optim.device names, checked against this LibTorch and machine (InputError naming
// `config_file` and optim.device when it has no CUDA or no such GPU).
at::Device training_device(const OptimConfig& optim, const std::string& config_file);
// Loop settings of a run (its device checked as above); `kind` is the checkpoint kind, `label` names
// the run in the log.
TrainLoopOptions loop_options(const OptimConfig& optim, const RunOptions& run, const std::string& kind,
                              const std::string& label);

}  // namespace leap::train
