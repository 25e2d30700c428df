// Rotary position embedding (RoPE) over N-dimensional token coordinates ((t, x, y) in 2-D, N = 3;
// (t, x, y, z) in 3-D, N = 4), with learned mixed frequencies per block (as in Rozet et al.'s ViT,
// after Heo et al. 2024): the angle of channel pair j at coordinates p is sum_n p_n theta[n, j];
// theta starts with amplitudes 100^-U(0,1) along random unit directions in R^N.
//
// How the head dimension is shared between the axes: it is not split. The D/2 channel pairs (d/2 per
// head of d = D / heads channels: head h owns pairs [h d/2, (h + 1) d/2)) each turn with their own
// frequency vector theta[:, j] over all N axes, so every pair sees every axis, with weights that training
// adjusts (at initialisation a random direction gives each axis 1/N of a pair's squared frequency on
// average). Axial RoPE (fixed groups of pairs per axis) is the special case of theta[:, j] on the axes.
// The angles are linear in p, so the score between a rotated query at p and key at r depends on
// p - r only: shifting every coordinate by a constant leaves attention unchanged.
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
