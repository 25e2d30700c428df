// A dataset directory as `leap generate` and `leap encode` write it: {train,valid,test}/*.hdf5 and
// stats.yaml. Missing parts are InputErrors naming the directory.
#pragma once

#include <string>
#include <vector>

#include "leap/data/dataset_stats.h"

namespace leap::train {

struct DatasetDir {
  std::string root;
  std::vector<std::string> train, valid, test;  // sorted .hdf5 paths
  data::DatasetStats stats;
  std::string stats_path;
};

// `need_valid`: refuse a dataset without a validation split.
DatasetDir open_dataset_dir(const std::string& root, bool need_valid = true);

}  // namespace leap::train
