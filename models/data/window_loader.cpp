#include "leap/data/window_loader.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <numeric>

#include "leap/data/augmentation.h"

namespace leap::data {

WindowLoader::WindowLoader(const WindowDataset& data, LoaderOptions options) : data_(data), opt_(options) {
  start_epoch(0);
}

int64_t WindowLoader::batches_per_epoch() const {
  const int64_t per_rank = data_.size() / std::max(1, opt_.world);
  return opt_.drop_last ? per_rank / opt_.batch : (per_rank + opt_.batch - 1) / opt_.batch;
}

void WindowLoader::start_epoch(int64_t epoch) {
  rng_.seed(opt_.seed * 1000003ULL + uint64_t(epoch));
  std::vector<int64_t> all(size_t(data_.size()));
  std::iota(all.begin(), all.end(), 0);
  // The epoch's global order: a random permutation (seeded by seed and epoch, so every rank draws
  // the same one and takes its own share); the shuffle buffer then draws from this rank's stream.
  if (opt_.shuffle_buffer > 1) std::shuffle(all.begin(), all.end(), rng_);
  const int64_t per_rank = data_.size() / std::max(1, opt_.world);
  order_.clear();
  for (int64_t k = 0; k < per_rank; ++k) order_.push_back(all[size_t(k * opt_.world + opt_.rank)]);
  cursor_ = 0;
  buffer_.clear();
  produced_ = 0;
}

WindowSample WindowLoader::augment(WindowSample s) {
  if (!opt_.augment) return s;
  const auto periodic = data_.periodic();
  const int64_t D = int64_t(periodic.size());
  std::vector<int64_t> sizes;
  std::vector<ChannelFlip> flips;  // the frames are normalised: a sign flip shifts them too
  for (int64_t a = 0; a < D; ++a) {
    sizes.push_back(s.frames.size(s.frames.dim() - D + a));
    flips.push_back(normalized_flip(data_.flip_signs(int(a)), data_.normalizer()));
  }
  s.frames = apply_augmentation(s.frames, draw_augmentation(periodic, sizes, rng_), flips);
  return s;
}

bool WindowLoader::next(Batch* batch) {
  const int64_t target = batches_per_epoch();
  if (produced_ >= target) return false;
  std::vector<at::Tensor> frames, theta;
  const size_t buffer_size = size_t(std::max<int64_t>(1, opt_.shuffle_buffer));
  while (int64_t(frames.size()) < opt_.batch) {
    while (buffer_.size() < buffer_size && cursor_ < order_.size()) buffer_.push_back(order_[cursor_++]);
    if (buffer_.empty()) break;
    size_t pick = 0;
    if (buffer_size > 1) pick = std::uniform_int_distribution<size_t>(0, buffer_.size() - 1)(rng_);
    const int64_t idx = buffer_[pick];
    buffer_.erase(buffer_.begin() + std::ptrdiff_t(pick));
    auto s = augment(data_.get(idx));
    frames.push_back(s.frames);
    theta.push_back(s.theta);
  }
  if (frames.empty()) return false;
  batch->frames = at::stack(frames);
  batch->theta = at::stack(theta);
  ++produced_;
  return true;
}

}  // namespace leap::data
