// Batches of windows for training: a deterministic per-epoch order (seed + epoch), a bounded
// shuffle buffer, sharding across data-parallel ranks (rank r takes every world-th window of the
// epoch's order), and augmentations that respect each axis' boundary: rolls only along periodic
// axes, flips along any axis with the matching vector components negated (leap/data/augmentation.h).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <random>

#include "leap/data/window_dataset.h"

namespace leap::data {

struct LoaderOptions {
  int64_t batch = 8;
  int64_t shuffle_buffer = 256;  // 0 or 1: no shuffling
  uint64_t seed = 0;
  int rank = 0;
  int world = 1;
  bool augment = false;   // random flips and periodic rolls
  bool drop_last = true;  // keep every rank's batch count equal
};

struct Batch {
  at::Tensor frames;  // [B, W, C, X, Y]
  at::Tensor theta;   // [B, P]
};

class WindowLoader {
 public:
  WindowLoader(const WindowDataset& data, LoaderOptions options);
  void start_epoch(int64_t epoch);
  bool next(Batch* batch);
  // Batches per epoch on this rank.
  int64_t batches_per_epoch() const;

 private:
  WindowSample augment(WindowSample s);
  const WindowDataset& data_;
  LoaderOptions opt_;
  std::vector<int64_t> order_;  // this rank's windows for the epoch, before buffering
  size_t cursor_ = 0;
  std::vector<int64_t> buffer_;
  std::mt19937_64 rng_;
  int64_t produced_ = 0;
};

}  // namespace leap::data
