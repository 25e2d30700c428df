// Datasets in The Well's directory layout, as The Well's own reader (WellDataset) finds them:
//   DATASET/data/{train,valid,test}/*.hdf5 and DATASET/stats.yaml     one dataset (one dataset_name);
//   ROOT/<dataset_name>/data/...  ROOT/<dataset_name>/stats.yaml        a collection (The Well's
//                                                                      well_base_path).
// `leap generate` writes a collection, one dataset per dataset_name (a boundary sweep gives two:
// euler_multi_quadrants_openBC and _periodicBC, as The Well keeps them). `leap train`, `encode` and
// `evaluate` take one or more paths, each a dataset or a collection, and use every dataset found.
//
// Normalisation is shared across the collection: the statistics of the union of the datasets'
// training splits, pooled exactly from each dataset's stats.yaml (weighted by its values; see
// data::pool_stats). A dataset without a stats.yaml (The Well's test files, a hand-made dataset) has
// its statistics computed from its training split on the fly; nothing is written into it.
//
// Missing parts are InputErrors naming the path. The datasets trained together must agree on the
// number of spatial dimensions, the grid and the channels; every file of one split directory must
// carry the same dataset_name (The Well's reader refuses a mix).
#pragma once

#include <mpi.h>

#include <string>
#include <vector>

#include "leap/data/dataset_stats.h"

namespace leap::train {

struct WellDataset {
  std::string root;                             // DATASET (holds data/ and stats.yaml)
  std::string name;                             // dataset_name of its files
  std::vector<std::string> train, valid, test;  // sorted .hdf5 paths
  std::string stats_path;                       // DATASET/stats.yaml (may not exist: see stats_computed)
  bool stats_computed = false;                  // no stats.yaml: computed from the training split
  data::DatasetStats stats;
};

struct DatasetDir {
  std::string root;  // the paths as given, joined with ", " (for messages)
  std::vector<WellDataset> datasets;
  std::vector<std::string> train, valid, test;  // every dataset's, in dataset order
  data::DatasetStats stats;                     // shared normalisation (pooled over the datasets)
  std::string stats_path;                       // the one stats.yaml, or a description of the pooling
};

// `need_valid`: refuse a collection whose datasets have no validation split at all.
// Statistics are computed on `comm` where a dataset has no stats.yaml (collective then).
DatasetDir open_dataset_dir(const std::vector<std::string>& paths, bool need_valid = true,
                            MPI_Comm comm = MPI_COMM_WORLD);
DatasetDir open_dataset_dir(const std::string& path, bool need_valid = true, MPI_Comm comm = MPI_COMM_WORLD);

// The paths' datasets without opening their files' contents: DATASET roots, in order.
std::vector<std::string> find_datasets(const std::vector<std::string>& paths);

// DATASET/data/SPLIT, where writers put a split's files.
std::string split_dir(const std::string& dataset_root, const std::string& split);
// The unfinished files of a split directory (NAME.hdf5.partial: a writer or recorder that was
// interrupted), sorted; training, encoding and `leap info` skip them and say so.
std::vector<std::string> unfinished_files(const std::string& split_directory);

// "a, b, c"
std::string join_paths(const std::vector<std::string>& paths);

}  // namespace leap::train
