// Deep-compression autoencoder (DCAE-like, fully convolutional), as in Rozet et al. (2025).
//   Encoder: conv(in -> c0), then per level l: [Downsample(c_{l-1} -> c_l) for l > 0] + blocks[l]
//            residual blocks; finally conv(c_last -> latent) (identity-like init).
//   Decoder: the mirror image, with Upsample blocks, ending with conv(c0 -> in).
//   Autoencoder: encode = saturate(encoder(x)) with z / sqrt(1 + (z/5)^2); decode = decoder(z).
// Tensors are (B, C, X, Y) or, with three boundary entries in the config, (B, C, X, Y, Z) (3-D
// convolutions, 2x2x2 space-to-depth; the same modules); every spatial size must be a multiple of
// the spatial factor 2^(levels-1).
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <string>
#include <vector>

#include "leap/models/autoencoder_config.h"
#include "leap/models/padded_conv.h"

namespace leap::models {

// The latent squashing z / sqrt(1 + (z/5)^2) (identity-like near 0, bounded by 5).
at::Tensor soft_clip(const at::Tensor& z, double bound = 5.0);

class DCEncoderImpl : public torch::nn::Module {
 public:
  explicit DCEncoderImpl(const AutoencoderConfig& cfg);
  at::Tensor forward(const at::Tensor& x);  // (B, in, X, Y) -> (B, latent, X/f, Y/f), before squashing
  torch::nn::Sequential layers{nullptr};
};
TORCH_MODULE(DCEncoder);

class DCDecoderImpl : public torch::nn::Module {
 public:
  explicit DCDecoderImpl(const AutoencoderConfig& cfg);
  at::Tensor forward(const at::Tensor& z);  // (B, latent, X/f, Y/f) -> (B, in, X, Y)
  torch::nn::Sequential layers{nullptr};
};
TORCH_MODULE(DCDecoder);

class AutoencoderImpl : public torch::nn::Module {
 public:
  explicit AutoencoderImpl(AutoencoderConfig cfg);

  at::Tensor encode(const at::Tensor& x);  // squashed latent
  at::Tensor decode(const at::Tensor& z);
  // Reconstruction decode(encode(x)).
  at::Tensor forward(const at::Tensor& x);

  const AutoencoderConfig& config() const { return cfg_; }
  // The type of the weights (fp32, or bf16 for an inference copy): encode/decode compute in it.
  at::ScalarType weight_type() const;
  int64_t spatial_factor() const { return cfg_.spatial_factor(); }
  int64_t spatial_dims() const { return int64_t(cfg_.boundary.size()); }  // 2 or 3
  // Input elements per latent element (in_channels * f^d / latent_channels).
  double compression_ratio() const { return cfg_.compression_ratio(); }
  // Latent shape (B, latent, X/f, Y/f(, Z/f)) of an input shape (B, in, X, Y(, Z)); refuses
  // non-multiples of f.
  std::vector<int64_t> latent_shape(const std::vector<int64_t>& input_shape) const;

  DCEncoder encoder{nullptr};
  DCDecoder decoder{nullptr};

 private:
  std::string axes_text() const { return spatial_dims() == 3 ? ", X, Y, Z" : ", X, Y"; }
  AutoencoderConfig cfg_;
};
TORCH_MODULE(Autoencoder);

}  // namespace leap::models
