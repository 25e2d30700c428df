// Rotary position embedding (RoPE) over N-dimensional token coordinates (here (t, x, y)), with
// learned mixed frequencies per block (as in Rozet et al.'s ViT, after Heo et al. 2024): the angle
// of channel pair j at coordinates p is sum_n p_n theta[n, j]; theta starts with amplitudes
// 100^-U(0,1) along random unit directions.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <cstdint>

namespace leap::models {

// Rotates consecutive channel pairs (2j, 2j+1) of x (*, L, D) by angles (*, L, D/2) (broadcast).
at::Tensor apply_rotary(const at::Tensor& x, const at::Tensor& angles);

class RotaryEmbeddingImpl : public torch::nn::Module {
 public:
  // channels: total channels D rotated (pairs: D/2 angles); spatial: number of coordinates N.
  RotaryEmbeddingImpl(int64_t channels, int64_t spatial = 3);
  // coords: (L, N) -> angles (L, D/2).
  at::Tensor forward(const at::Tensor& coords);
  at::Tensor theta;  // (N, D/2)
};
TORCH_MODULE(RotaryEmbedding);

}  // namespace leap::models
