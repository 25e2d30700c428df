// `leap encode`: every frame of every split through a trained autoencoder's encoder, written as a
// latent dataset in The Well's schema (one scalar field per latent channel, z0, z1, ...; the same
// trajectories, times, parameters and boundary types on the coarse grid), with its stats.yaml: a
// collection in The Well's layout, one latent dataset OUT/<name>_latent per input dataset <name>.
// With `augment` = N > 0, each training file NAME.hdf5 also gets N augmented copies
// NAME-aug1.hdf5 ... NAME-augN.hdf5: every trajectory flipped and rolled in pixel space (before the
// normaliser; leap/data/augmentation.h: flips along any axis with vector components negated, rolls
// along periodic axes only), one transform per trajectory applied to all its frames, drawn from
// (seed, dataset, file, copy), then encoded. The validation and test splits are never augmented; each
// stats.yaml covers its dataset's augmented training split. Files are shared among ranks; each rank writes
// whole files.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "leap/data/augmentation.h"

namespace leap::train {

struct EncodeOptions {
  std::string checkpoint;
  std::vector<std::string> data_dirs;  // datasets and/or collections (train::open_dataset_dir)
  std::string out_dir;                 // a collection: OUT/<dataset_name>_latent per input dataset
  int64_t batch = 16;
  int64_t augment = 0;  // augmented copies of every training trajectory (InputError when < 0)
  uint64_t seed = 0;    // seed of the augmentations
  bool progress = true;
  MPI_Comm comm = MPI_COMM_WORLD;
};

// One augmented copy of a training file: transforms[t] made trajectory t of `file` from
// trajectory t of `source`.
struct AugmentedFile {
  std::string file;    // relative to the output directory, e.g. "D_latent/data/train/NAME-aug1.hdf5"
  std::string source;  // the dataset file
  int64_t copy = 0;    // 1..augment
  std::vector<data::Augmentation> transforms;
};

struct EncodeReport {
  int64_t files = 0;  // every file written, augmented copies included
  int64_t frames = 0;
  double seconds = 0;
  double compression_ratio = 0;
  int64_t latent_channels = 0;
  int64_t train_trajectories = 0;      // of the dataset's training split
  int64_t augmented_trajectories = 0;  // added to the latent training split (augment x the above)
  std::vector<std::string> axes;       // spatial axis names, the order of flip/roll in transforms
  std::vector<AugmentedFile> augmented;
};

EncodeReport encode_dataset(const EncodeOptions& options);

}  // namespace leap::train
