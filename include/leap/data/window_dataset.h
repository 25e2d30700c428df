// Training samples from datasets in The Well's schema: windows of `window` consecutive frames
// (starts `stride` frames apart) of every trajectory of every file, normalised, with the
// simulation parameters as a conditioning vector theta = [parameters..., periodic flag per axis].
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "leap/data/normalizer.h"
#include "leap/data/well_file.h"

namespace leap::data {

struct WindowOptions {
  int64_t window = 1;
  int64_t stride = 1;
  int64_t cache_trajectories = 64;  // trajectories kept in memory (least recently used dropped)
};

struct WindowSample {
  at::Tensor frames;  // [window, C, X, Y] float32, normalised
  at::Tensor theta;   // [P] float32
};

class WindowDataset {
 public:
  // All files must share fields, grid and parameter names (InputError naming the file otherwise).
  WindowDataset(const std::vector<std::string>& files, Normalizer normalizer, WindowOptions options);

  int64_t size() const { return int64_t(index_.size()); }
  WindowSample get(int64_t i) const;
  const WellLayout& layout() const { return layout_; }
  const Normalizer& normalizer() const { return normalizer_; }
  int64_t theta_size() const;
  std::vector<std::string> theta_names() const;
  // Periodic flag per spatial axis (of the first file; files may differ, theta records it).
  std::vector<bool> periodic() const;
  // Sign of each channel under a flip of axis a: -1 for the a-component of vector fields.
  std::vector<float> flip_signs(int axis) const;
  // A whole normalised trajectory [T, C, X, Y] and its theta.
  WindowSample trajectory(int64_t file, int64_t traj) const;
  int64_t files() const { return int64_t(files_.size()); }
  int64_t trajectories(int64_t file) const { return files_[size_t(file)]->layout().n_trajectories; }

 private:
  struct Entry {
    int32_t file;
    int32_t traj;
    int32_t start;
  };
  at::Tensor load(int32_t file, int32_t traj) const;
  at::Tensor theta_of(int32_t file) const;

  std::vector<std::unique_ptr<WellFile>> files_;
  Normalizer normalizer_;
  WindowOptions options_;
  WellLayout layout_;
  std::vector<Entry> index_;
  mutable std::map<std::pair<int32_t, int32_t>, at::Tensor> cache_;
  mutable std::list<std::pair<int32_t, int32_t>> lru_;
};

}  // namespace leap::data
