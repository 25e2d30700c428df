#include "leap/train/autoencoder_training.h"

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/utils.h>

#include "leap/config/load.h"
#include "leap/data/window_loader.h"
#include "leap/metrics/vrmse.h"
#include "leap/models/dcae.h"
#include "leap/train/dataset_dir.h"
#include "leap/train/model_io.h"

namespace leap::train {

namespace {

// Mean loss and VRMSE over frames of `ds` (shared among ranks) for a model mapping x -> x_hat.
Validation validate_reconstruction(const data::WindowDataset& ds, models::Autoencoder& ae, int64_t max_frames,
                                   MPI_Comm comm, const at::Device& device) {
  int rank = 0, world = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &world);
  const int64_t n = max_frames > 0 ? std::min(max_frames, ds.size()) : ds.size();
  double sums[3] = {0, 0, 0};  // mse sum, vrmse sum, count
  const int64_t chunk = 8;
  for (int64_t start = rank * chunk; start < n; start += world * chunk) {
    std::vector<at::Tensor> xs;
    for (int64_t i = start; i < std::min(n, start + chunk); ++i) xs.push_back(ds.get(i).frames[0]);
    const at::Tensor x = at::stack(xs).to(device);
    const at::Tensor y = ae->forward(x).to(at::kFloat);
    sums[0] += (y - x).pow(2).flatten(1).mean(1).sum().item<double>();  // per frame, over C and space
    sums[1] += metrics::vrmse(x, y, int(ae->spatial_dims())).mean(-1).sum().item<double>();
    sums[2] += double(xs.size());
  }
  MPI_Allreduce(MPI_IN_PLACE, sums, 3, MPI_DOUBLE, MPI_SUM, comm);
  Validation v;
  v.loss = sums[0] / std::max(1.0, sums[2]);
  v.metrics["vrmse"] = sums[1] / std::max(1.0, sums[2]);
  return v;
}

}  // namespace

TrainResult train_autoencoder(const AutoencoderTrainConfig& cfg, const RunOptions& run) {
  int world = 1;
  MPI_Comm_size(run.comm, &world);
  const DatasetDir dir = open_dataset_dir(run.data_dirs, true, run.comm);
  const data::WellFile first(dir.train.front());
  const data::WellLayout& L = first.layout();
  const auto norm =
      training_normalizer(dir.stats, dir.stats_path, L, cfg.data.log_fields, run, "autoencoder");

  // The data must fit the model: channels and a grid the model can divide.
  if (cfg.model.in_channels != L.channels()) {
    std::string names;
    for (const auto& c : L.channel_names()) names += (names.empty() ? "" : ", ") + c;
    throw InputError(
        run.config_file, "model.in_channels",
        std::to_string(L.channels()) + " (the channels of " + join_paths(run.data_dirs) + ": " + names + ")",
        std::to_string(cfg.model.in_channels));
  }
  for (const auto& a : L.axes)
    if (a.size % cfg.model.spatial_factor() != 0)
      throw InputError(
          run.config_file, "model.channels",
          "a spatial factor dividing the grid (" + std::to_string(a.size) + " cells along " + a.name + ")",
          "factor " + std::to_string(cfg.model.spatial_factor()));
  if (cfg.optim.batch % world != 0)
    throw InputError(run.config_file, "optim.batch",
                     "a multiple of the number of ranks (" + std::to_string(world) + ")",
                     std::to_string(cfg.optim.batch));

  data::WindowOptions wopt;
  wopt.window = 1;
  wopt.cache_trajectories = cfg.data.cache_trajectories;
  data::WindowDataset train_ds(dir.train, norm, wopt);
  data::WindowDataset valid_ds(dir.valid, norm, wopt);

  torch::manual_seed(uint64_t(cfg.seed));
  models::Autoencoder ae(cfg.model);
  const data::LoaderOptions lopt = loader_options(cfg.optim, cfg.seed, run.comm);
  data::WindowLoader loader(train_ds, lopt);
  TrainLoopOptions o = loop_options(cfg.optim, run, "autoencoder", "train ae");
  o.info.model_yaml = config::to_yaml(cfg.model);
  o.info.config_yaml = config::to_yaml(cfg);
  o.info.extra["normalizer"] = normalizer_to_yaml(norm);
  o.info.extra["channels"] = list_to_yaml(L.channel_names());
  o.info.extra["theta"] = list_to_yaml(train_ds.theta_names());

  const int64_t max_val = cfg.optim.validation_batches * lopt.batch;
  return train_loop(
      *ae, loader,
      [&](const data::Batch& b) {
        const at::Tensor x = b.frames.select(1, 0);
        return (ae->forward(x).to(at::kFloat) - x).pow(2).mean();
      },
      [&] { return validate_reconstruction(valid_ds, ae, max_val, run.comm, o.device); }, o);
}

}  // namespace leap::train
