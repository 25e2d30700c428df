// Shared by the model tests: LibTorch on the machine's 2 cores, the tiny ViT every test builds (width
// 32, depth 2, 2 heads, 16 embedding features) in 2-D or 3-D, and the largest absolute value of a
// tensor.
#pragma once

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <utility>
#include <vector>

#include "leap/models/vit_config.h"

namespace leap::test {

inline const bool kTwoThreads = [] {
  at::set_num_threads(2);
  return true;
}();

// 2-D: `params` conditioning features, the same spatial patch on both axes.
inline models::ViTConfig tiny_vit(int params = 0, int patch = 1) {
  models::ViTConfig c;
  c.width = 32;
  c.depth = 2;
  c.heads = 2;
  c.emb_features = 16;
  c.param_features = params;
  c.patch_size = patch;
  return c;
}

// 3-D: patch sizes per axis (empty: 1 on every axis).
inline models::ViTConfig tiny_vit_3d(std::vector<int> patch = {}, int params = 0) {
  models::ViTConfig c = tiny_vit(params);
  c.spatial_dims = 3;
  c.patch_sizes = std::move(patch);
  return c;
}

inline double max_abs(const at::Tensor& a) {
  return a.abs().max().item<double>();
}

}  // namespace leap::test
