// Augmentations that respect each axis' boundary: a flip along any axis (negating the matching
// components of vector and rank-2 tensor fields) and a roll along periodic axes only. Shared by
// the training loader (one draw per window) and `leap encode --augment` (one draw per trajectory,
// applied to every frame of it).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <random>
#include <vector>

#include "leap/data/normalizer.h"
#include "leap/data/well_file.h"

namespace leap::data {

// Per spatial axis: flip or not, then roll by `roll` cells (always 0 along non-periodic axes).
struct Augmentation {
  std::vector<bool> flip;
  std::vector<int64_t> roll;
  bool identity() const;
};

// Sign of each channel (in layout.channel_names() order) under a flip of `axis`: -1 for the
// `axis` component of vector fields and the mixed components of rank-2 tensor fields.
std::vector<float> flip_signs(const WellLayout& layout, int axis);

// Draws, axis by axis: a fair coin for the flip, then, on periodic axes only, a roll uniform in
// [0, sizes[a]). The sequence of draws from `rng` is fixed, so a seed reproduces the transform.
Augmentation draw_augmentation(const std::vector<bool>& periodic, const std::vector<int64_t>& sizes,
                               std::mt19937_64& rng);

// What a flip of one axis does to each channel's values: x -> scale * x + offset.
struct ChannelFlip {
  std::vector<float> scale, offset;
};
// On values in physical units: the signs, no offset.
ChannelFlip physical_flip(const std::vector<float>& signs);
// On normalised values z = (x - mean) / std: negating x maps z to -z - 2 mean / std (negating z
// would be right only for a zero mean). A log-transformed channel cannot change sign: Error.
ChannelFlip normalized_flip(const std::vector<float>& signs, const Normalizer& normalizer);

// x: [..., C, X(, Y)] with the spatial axes last and the channels just before them; flips[a] is
// how a flip of axis a maps each channel. Applies, axis by axis, the flip and then the roll.
at::Tensor apply_augmentation(const at::Tensor& x, const Augmentation& aug,
                              const std::vector<ChannelFlip>& flips);
// The same on physical values, signs[a] = flip_signs(layout, a).
at::Tensor apply_augmentation(const at::Tensor& x, const Augmentation& aug,
                              const std::vector<std::vector<float>>& signs);

}  // namespace leap::data
