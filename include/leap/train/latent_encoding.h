// `leap encode`: every frame of every split through a trained autoencoder's encoder, written as a
// latent dataset in The Well's schema (one scalar field per latent channel, z0, z1, ...; the same
// trajectories, times, parameters and boundary types on the coarse grid), with its stats.yaml.
// Files are shared among ranks; each rank writes whole files.
#pragma once

#include <mpi.h>

#include <string>

namespace leap::train {

struct EncodeOptions {
  std::string checkpoint;
  std::string data_dir;
  std::string out_dir;
  int64_t batch = 16;
  bool progress = true;
  MPI_Comm comm = MPI_COMM_WORLD;
};

struct EncodeReport {
  int64_t files = 0;
  int64_t frames = 0;
  double seconds = 0;
  double compression_ratio = 0;
  int64_t latent_channels = 0;
};

EncodeReport encode_dataset(const EncodeOptions& options);

}  // namespace leap::train
