// `leap encode --checkpoint RUN_AE/best.ckpt --data DATA --out LATENTS [--augment N --seed S]`.
#include <filesystem>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "leap/log.h"
#include "leap/train/dataset_dir.h"
#include "leap/train/latent_encoding.h"
#include "leap/util/atomic_file.h"

namespace fs = std::filesystem;

namespace leap::cli {

void add_encode(CLI::App& app, Common& common) {
  auto o = std::make_shared<train::EncodeOptions>();
  auto no_progress = std::make_shared<bool>(false);
  auto* cmd =
      app.add_subcommand("encode", "Encode a dataset with a trained autoencoder into a latent dataset");
  cmd->add_option("--checkpoint", o->checkpoint, "autoencoder checkpoint (RUN_AE/best.ckpt)")->required();
  cmd->add_option(
         "--data", o->data_dirs,
         "datasets in The Well's layout or collections of them (leap generate's output), one or more")
      ->required();
  cmd->add_option("--out", o->out_dir, "latent collection: OUT/<dataset_name>_latent per input dataset")
      ->required();
  cmd->add_option("--batch", o->batch, "frames encoded at once")->check(CLI::PositiveNumber);
  cmd->add_option(
      "--augment", o->augment,
      "augmented copies of every training trajectory (random flips, and rolls along periodic axes, "
      "in pixel space), written as <dataset>_latent/data/train/NAME-augK.hdf5; validation and test are not "
      "augmented");
  cmd->add_option("--seed", o->seed, "seed of the augmentations");
  cmd->add_flag("--no-progress", *no_progress, "no progress bar");
  cmd->callback([o, no_progress, &common] {
    o->progress = !*no_progress && !common.quiet;
    const auto r = train::encode_dataset(*o);
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank == 0) {
      nlohmann::json m;
      m["command"] = "encode";
      m["checkpoint"] = o->checkpoint;
      m["files"] = r.files;
      m["frames"] = r.frames;
      m["seconds"] = r.seconds;
      m["compression_ratio"] = r.compression_ratio;
      m["latent_channels"] = r.latent_channels;
      m["train_trajectories"] = r.train_trajectories + r.augmented_trajectories;
      nlohmann::json aug;
      aug["copies"] = o->augment;
      aug["seed"] = o->seed;
      aug["original_trajectories"] = r.train_trajectories;
      aug["augmented_trajectories"] = r.augmented_trajectories;
      aug["axes"] = r.axes;
      aug["files"] = nlohmann::json::array();
      for (const auto& f : r.augmented) {
        nlohmann::json jf;
        jf["file"] = f.file;
        jf["source"] = f.source;
        jf["copy"] = f.copy;
        jf["transforms"] = nlohmann::json::array();
        for (const auto& t : f.transforms) jf["transforms"].push_back({{"flip", t.flip}, {"roll", t.roll}});
        aug["files"].push_back(jf);
      }
      m["augmentation"] = aug;
      util::write_file_atomic((fs::path(o->out_dir) / "metrics.json").string(), m.dump(2) + "\n");
      util::write_file_atomic((fs::path(o->out_dir) / "config.yaml").string(),
                              "checkpoint: " + o->checkpoint + "\ndata: " + train::join_paths(o->data_dirs) +
                                  "\nbatch: " + std::to_string(o->batch) + "\naugment: " +
                                  std::to_string(o->augment) + "\nseed: " + std::to_string(o->seed) + "\n");
      spdlog::info(
          "encode: {} frames of {} files ({} training trajectories + {} augmented), compression {:.0f}x, "
          "{:.1f} s -> {}",
          r.frames, r.files, r.train_trajectories, r.augmented_trajectories, r.compression_ratio, r.seconds,
          o->out_dir);
    }
  });
}

}  // namespace leap::cli
