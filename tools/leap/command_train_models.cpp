// `leap train emulator` and `leap train surrogate`.
#include "leap/config/load.h"
#include "leap/log.h"
#include "leap/train/dataset_dir.h"
#include "leap/train/emulator_training.h"
#include "rank_config.h"
#include "training_commands.h"

namespace leap::cli {

namespace {

void run_model(const TrainOptions& o, const Common& common, const std::string& kind) {
  const auto cfg = load_config_on_all_ranks<train::EmulatorTrainConfig>(o.config, common.sets);
  auto data = training_data(o, cfg.data.datasets);
  prepare_out_dir(o.out, o.resume, o.init);
  train::RunOptions run{std::move(data), o.out, o.config, o.resume, o.init, !o.no_progress && !common.quiet,
                        MPI_COMM_WORLD};
  const auto r = train::train_emulator(cfg, kind, run);
  auto m = result_json(r);
  m["datasets"] = train::find_datasets(run.data_dirs);  // every dataset the run read, in order
  m["command"] = kind == "denoiser" ? "train emulator" : "train surrogate";
  write_outputs(o.out, config::to_yaml(cfg), m);
  spdlog::info("{}: best validation loss {:.5g} (epoch {}); {}", m["command"].get<std::string>(), r.best_loss,
               r.best_epoch, o.out);
}

}  // namespace

void add_train_model_commands(CLI::App* train, Common& common) {
  add_train_subcommand(train, common, "emulator",
                       "Train the latent diffusion emulator on a latent dataset (leap encode)",
                       [](const TrainOptions& o, const Common& c) { run_model(o, c, "denoiser"); });
  add_train_subcommand(
      train, common, "surrogate",
      "Train the deterministic baseline (latent dataset, or pixel dataset with patch_size > 1)",
      [](const TrainOptions& o, const Common& c) { run_model(o, c, "surrogate"); });
}

}  // namespace leap::cli
