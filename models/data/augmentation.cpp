#include "leap/data/augmentation.h"

#include <ATen/ATen.h>

#include <algorithm>

#include "leap/error.h"

namespace leap::data {

bool Augmentation::identity() const {
  return std::none_of(flip.begin(), flip.end(), [](bool f) { return f; }) &&
         std::all_of(roll.begin(), roll.end(), [](int64_t r) { return r == 0; });
}

std::vector<float> flip_signs(const WellLayout& layout, int axis) {
  std::vector<float> s;
  const int D = layout.n_spatial_dims();
  for (const auto& f : layout.fields) {
    if (f.order == 0) {
      s.push_back(1.f);
    } else if (f.order == 1) {
      for (int a = 0; a < D; ++a) s.push_back(a == axis ? -1.f : 1.f);
    } else {
      for (int a = 0; a < D; ++a)
        for (int b = 0; b < D; ++b) s.push_back((a == axis) != (b == axis) ? -1.f : 1.f);
    }
  }
  return s;
}

Augmentation draw_augmentation(const std::vector<bool>& periodic, const std::vector<int64_t>& sizes,
                               std::mt19937_64& rng) {
  if (periodic.size() != sizes.size())
    throw Error("draw_augmentation: " + std::to_string(periodic.size()) + " boundary flags for " +
                std::to_string(sizes.size()) + " axes");
  Augmentation aug;
  std::uniform_int_distribution<int> coin(0, 1);
  for (size_t a = 0; a < periodic.size(); ++a) {
    aug.flip.push_back(coin(rng) != 0);
    int64_t r = 0;
    if (periodic[a]) r = std::uniform_int_distribution<int64_t>(0, sizes[a] - 1)(rng);
    aug.roll.push_back(r);
  }
  return aug;
}

ChannelFlip physical_flip(const std::vector<float>& signs) {
  return {signs, std::vector<float>(signs.size(), 0.f)};
}

ChannelFlip normalized_flip(const std::vector<float>& signs, const Normalizer& n) {
  if (int64_t(signs.size()) != n.channels())
    throw Error("normalized_flip: " + std::to_string(signs.size()) + " flip signs for a normaliser of " +
                std::to_string(n.channels()) + " channels");
  ChannelFlip f{signs, std::vector<float>(signs.size(), 0.f)};
  for (size_t c = 0; c < signs.size(); ++c) {
    if (signs[c] == 1.f) continue;
    if (n.log[c])
      throw Error(
          "normalized_flip: channel " + std::to_string(c) +
          " changes sign under a flip but is log-transformed (a vector component cannot be a log field)");
    // (s x - mean) / std with x = std z + mean.
    f.offset[c] = float((double(signs[c]) - 1.0) * n.mean[c] / n.std[c]);
  }
  return f;
}

at::Tensor apply_augmentation(const at::Tensor& x, const Augmentation& aug,
                              const std::vector<std::vector<float>>& signs) {
  std::vector<ChannelFlip> flips;
  for (const auto& s : signs) flips.push_back(physical_flip(s));
  return apply_augmentation(x, aug, flips);
}

at::Tensor apply_augmentation(const at::Tensor& x, const Augmentation& aug,
                              const std::vector<ChannelFlip>& flips) {
  const int64_t D = int64_t(aug.flip.size());
  if (int64_t(aug.roll.size()) != D || x.dim() < D + 1)
    throw Error("apply_augmentation: a transform of " + std::to_string(D) + " axes for a tensor of " +
                std::to_string(x.dim()) + " dimensions");
  at::Tensor y = x;
  for (int64_t a = 0; a < D; ++a) {
    const int64_t dim = x.dim() - D + a;
    if (aug.flip[size_t(a)]) {
      y = y.flip({dim});
      const ChannelFlip& f = flips.at(size_t(a));
      if (int64_t(f.scale.size()) != x.size(x.dim() - D - 1) || f.offset.size() != f.scale.size())
        throw Error("apply_augmentation: " + std::to_string(f.scale.size()) + " flip signs for " +
                    std::to_string(x.size(x.dim() - D - 1)) + " channels");
      std::vector<int64_t> shape(size_t(D + 1), 1);
      shape[0] = -1;
      if (std::any_of(f.scale.begin(), f.scale.end(), [](float v) { return v != 1.f; }))
        y = y * at::tensor(f.scale, at::kFloat).to(y.scalar_type()).view(shape);
      if (std::any_of(f.offset.begin(), f.offset.end(), [](float v) { return v != 0.f; }))
        y = y + at::tensor(f.offset, at::kFloat).to(y.scalar_type()).view(shape);
    }
    if (aug.roll[size_t(a)] != 0) y = y.roll({aug.roll[size_t(a)]}, {dim});
  }
  return y;
}

}  // namespace leap::data
