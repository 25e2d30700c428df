#include "leap/train/dataset_dir.h"

#include <algorithm>
#include <filesystem>

#include "leap/error.h"

namespace fs = std::filesystem;

namespace leap::train {

namespace {

std::vector<std::string> hdf5_files(const fs::path& dir) {
  std::vector<std::string> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".hdf5") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

DatasetDir open_dataset_dir(const std::string& root, bool need_valid) {
  if (!fs::is_directory(root)) throw InputError(root + ": no such dataset directory");
  DatasetDir d;
  d.root = root;
  d.train = hdf5_files(fs::path(root) / "train");
  d.valid = hdf5_files(fs::path(root) / "valid");
  d.test = hdf5_files(fs::path(root) / "test");
  if (d.train.empty()) throw InputError(root + ": no training files (expected " + root + "/train/*.hdf5)");
  if (need_valid && d.valid.empty())
    throw InputError(root + ": no validation files (expected " + root + "/valid/*.hdf5)");
  d.stats_path = (fs::path(root) / "stats.yaml").string();
  d.stats = data::read_stats_yaml(d.stats_path);
  return d;
}

}  // namespace leap::train
