// `leap train ae|emulator|surrogate --config C --data DIR --out RUN [--resume]` (under mpiexec for
// data-parallel training): best.ckpt, last.ckpt, config.yaml and metrics.json in RUN.
#include <torch/nn/module.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "leap/config/load.h"
#include "leap/log.h"
#include "leap/train/autoencoder_training.h"
#include "leap/train/dataset_dir.h"
#include "leap/util/atomic_file.h"
#include "rank_config.h"
#include "training_commands.h"

namespace fs = std::filesystem;

namespace leap::cli {

nlohmann::json result_json(const train::TrainResult& r) {
  nlohmann::json m;
  m["best_validation_loss"] = r.best_loss;
  m["best_epoch"] = r.best_epoch;
  m["steps"] = r.steps;
  m["skipped_steps"] = r.skipped_steps;
  m["seconds"] = r.seconds;
  m["samples_per_second"] = r.samples_per_second;
  m["gradient_sync"] = r.gradient_sync;  // none (1 rank), overlap or after_backward
  m["gradient_buckets"] = r.gradient_buckets;
  m["gradient_allreduces"] = r.gradient_allreduces;
  for (const auto& [k, v] : r.last.metrics) m["final_validation_" + k] = v;
  m["initial_validation_loss"] = r.initial.loss;
  for (const auto& [k, v] : r.initial.metrics) m["initial_validation_" + k] = v;
  nlohmann::json hist = nlohmann::json::array();
  for (const auto& e : r.history) {
    nlohmann::json h;
    h["epoch"] = e.epoch;
    h["train_loss"] = e.train_loss;
    h["validation_loss"] = e.validation.loss;
    h["lr"] = e.lr;
    h["seconds"] = e.seconds;
    for (const auto& [k, v] : e.validation.metrics) h["validation_" + k] = v;
    hist.push_back(h);
  }
  m["history"] = hist;
  return m;
}

void prepare_out_dir(const std::string& out, bool resume, const std::string& init) {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  int bad = 0;
  std::string why;
  if (rank == 0) {
    try {
      if (resume && !init.empty())
        throw InputError("--init and --resume: give one (--resume continues RUN itself)");
      if (!init.empty() && !fs::is_regular_file(init))
        throw InputError("--init: no checkpoint file '" + init + "'");
      util::ensure_writable_dir(out, "--out");
      if (resume && !fs::exists(fs::path(out) / "last.ckpt"))
        throw InputError("--resume: " + (fs::path(out) / "last.ckpt").string() + " does not exist");
    } catch (const InputError& e) {
      bad = 1;
      why = e.what();
    }
  }
  MPI_Bcast(&bad, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (bad) throw InputError(rank == 0 ? why : "--out: refused on rank 0");
}

void write_outputs(const std::string& out, const std::string& config_yaml, const nlohmann::json& metrics) {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank != 0) return;
  config::write_effective_config(out, config_yaml);
  util::write_file_atomic((fs::path(out) / "metrics.json").string(), metrics.dump(2) + "\n");
}

std::vector<std::string> training_data(const TrainOptions& o,
                                       const std::vector<std::string>& config_datasets) {
  if (!o.data.empty()) return o.data;
  if (config_datasets.empty())
    throw InputError(o.config, "data.datasets", "the datasets to train on (or --data on the command line)",
                     "none");
  std::vector<std::string> out;
  for (const auto& d : config_datasets)
    out.push_back(
        fs::path(d).is_absolute() ? d : (fs::path(o.config).parent_path() / d).lexically_normal().string());
  return out;
}

namespace {

void run_ae(const TrainOptions& o, const Common& common) {
  const auto cfg = load_config_on_all_ranks<train::AutoencoderTrainConfig>(o.config, common.sets);
  auto data = training_data(o, cfg.data.datasets);
  prepare_out_dir(o.out, o.resume, o.init);
  train::RunOptions run{std::move(data), o.out, o.config, o.resume, o.init, !o.no_progress && !common.quiet,
                        MPI_COMM_WORLD};
  const auto r = train::train_autoencoder(cfg, run);
  auto m = result_json(r);
  m["datasets"] = train::find_datasets(run.data_dirs);  // every dataset the run read, in order
  m["command"] = "train ae";
  m["compression_ratio"] = cfg.model.compression_ratio();
  m["spatial_factor"] = cfg.model.spatial_factor();
  write_outputs(o.out, config::to_yaml(cfg), m);
  spdlog::info("train ae: best validation loss {:.5g} (epoch {}), final VRMSE {:.4f}; {}", r.best_loss,
               r.best_epoch, r.last.metrics.count("vrmse") ? r.last.metrics.at("vrmse") : NAN, o.out);
}

}  // namespace

CLI::App* add_train_subcommand(CLI::App* train, Common& common, const std::string& name,
                               const std::string& help,
                               std::function<void(const TrainOptions&, const Common&)> body) {
  auto o = std::make_shared<TrainOptions>();
  auto* cmd = train->add_subcommand(name, help);
  cmd->add_option("--config", o->config, "YAML config (examples/<case>/" + name + "-small.yaml)")->required();
  cmd->add_option(
      "--data", o->data,
      "datasets in The Well's layout (DATASET/data/{train,valid}/*.hdf5, DATASET/stats.yaml) or "
      "collections of them (ROOT/<dataset_name>/...), one or more; default: the config's data.datasets");
  cmd->add_option("--out", o->out, "run directory: best.ckpt, last.ckpt, config.yaml, metrics.json")
      ->required();
  cmd->add_flag("--resume", o->resume, "continue from RUN/last.ckpt exactly where it stopped");
  cmd->add_option("--init", o->init,
                  "fine-tune: start from this checkpoint's weights (same model) and keep its normaliser; "
                  "e.g. on data recorded by `leap hybrid --record`");
  cmd->add_option("--set", common.sets, "override a config key: --set key.path=value (repeatable)");
  cmd->add_flag("--no-progress", o->no_progress, "no progress bar");
  cmd->callback([o, &common, body] { body(*o, common); });
  return cmd;
}

void add_train(CLI::App& app, Common& common) {
  auto* train = app.add_subcommand("train",
                                   "Train a model: ae (autoencoder), emulator (latent diffusion), "
                                   "surrogate (deterministic baseline)");
  train->require_subcommand(1);
  add_train_subcommand(train, common, "ae", "Train the autoencoder on a dataset of solver states", run_ae);
  add_train_model_commands(train, common);
}

}  // namespace leap::cli
