#include "leap/models/dcae.h"

#include <ATen/ATen.h>

#include <string>

#include "leap/error.h"
#include "leap/models/resample.h"
#include "leap/models/residual_block.h"

namespace leap::models {

namespace {

Periodicity periodic_axes(const AutoencoderConfig& cfg) {
  cfg.validate("autoencoder config");
  return cfg.periodic();
}

}  // namespace

at::Tensor soft_clip(const at::Tensor& z, double bound) {
  return z * at::rsqrt(1.0 + at::square(z / bound));
}

DCEncoderImpl::DCEncoderImpl(const AutoencoderConfig& cfg) {
  const auto periodic = periodic_axes(cfg);
  const int64_t k = cfg.kernel_size;
  layers = torch::nn::Sequential();
  layers->push_back(PaddedConv(cfg.in_channels, cfg.channels[0], k, periodic));
  for (int l = 0; l < cfg.levels(); ++l) {
    if (l > 0)
      layers->push_back(Downsample(cfg.channels[l - 1], cfg.channels[l], k, periodic, cfg.identity_init));
    for (int b = 0; b < cfg.blocks[l]; ++b)
      layers->push_back(ResidualBlock(cfg.channels[l], k, periodic, cfg.dropout));
  }
  PaddedConv out(cfg.channels.back(), cfg.latent_channels, k, periodic);
  if (cfg.identity_init) out->identity_init();
  layers->push_back(out);
  register_module("layers", layers);
}

at::Tensor DCEncoderImpl::forward(const at::Tensor& x) {
  return layers->forward(x);
}

DCDecoderImpl::DCDecoderImpl(const AutoencoderConfig& cfg) {
  const auto periodic = periodic_axes(cfg);
  const int64_t k = cfg.kernel_size;
  layers = torch::nn::Sequential();
  PaddedConv in(cfg.latent_channels, cfg.channels.back(), k, periodic);
  if (cfg.identity_init) in->identity_init();
  layers->push_back(in);
  for (int l = cfg.levels() - 1; l >= 0; --l) {
    for (int b = 0; b < cfg.blocks[l]; ++b)
      layers->push_back(ResidualBlock(cfg.channels[l], k, periodic, cfg.dropout));
    if (l > 0)
      layers->push_back(Upsample(cfg.channels[l], cfg.channels[l - 1], k, periodic, cfg.identity_init));
  }
  layers->push_back(PaddedConv(cfg.channels[0], cfg.in_channels, k, periodic));
  register_module("layers", layers);
}

at::Tensor DCDecoderImpl::forward(const at::Tensor& z) {
  return layers->forward(z);
}

AutoencoderImpl::AutoencoderImpl(AutoencoderConfig cfg) : cfg_(std::move(cfg)) {
  encoder = register_module("encoder", DCEncoder(cfg_));
  decoder = register_module("decoder", DCDecoder(cfg_));
}

at::Tensor AutoencoderImpl::encode(const at::Tensor& x) {
  if (x.dim() != 2 + spatial_dims() || x.size(1) != cfg_.in_channels)
    throw InputError("Autoencoder::encode: expected a (B, " + std::to_string(cfg_.in_channels) + axes_text() +
                     ") tensor, found shape " + c10::str(x.sizes()));
  latent_shape(x.sizes().vec());
  // The network computes in its weights' type (bf16 for a bf16 inference copy) and returns x's type.
  at::Tensor z = encoder->forward(x.to(weight_type())).to(x.scalar_type());
  return cfg_.saturation == "softclip" ? soft_clip(z) : z;
}

at::Tensor AutoencoderImpl::decode(const at::Tensor& z) {
  if (z.dim() != 2 + spatial_dims() || z.size(1) != cfg_.latent_channels)
    throw InputError("Autoencoder::decode: expected a (B, " + std::to_string(cfg_.latent_channels) +
                     axes_text() + ") latent, found shape " + c10::str(z.sizes()));
  return decoder->forward(z.to(weight_type())).to(z.scalar_type());
}

at::ScalarType AutoencoderImpl::weight_type() const {
  for (const auto& p : parameters()) return p.scalar_type();
  return at::kFloat;
}

at::Tensor AutoencoderImpl::forward(const at::Tensor& x) {
  return decode(encode(x));
}

std::vector<int64_t> AutoencoderImpl::latent_shape(const std::vector<int64_t>& s) const {
  const int64_t f = spatial_factor();
  bool ok = int64_t(s.size()) == 2 + spatial_dims();
  for (size_t a = 2; ok && a < s.size(); ++a) ok = s[a] % f == 0;
  if (!ok)
    throw InputError("Autoencoder: expected (B, C" + axes_text() +
                     ") with every spatial size a multiple of the spatial factor " + std::to_string(f) +
                     ", found shape " + c10::str(at::IntArrayRef(s)));
  std::vector<int64_t> out{s[0], cfg_.latent_channels};
  for (size_t a = 2; a < s.size(); ++a) out.push_back(s[a] / f);
  return out;
}

}  // namespace leap::models
