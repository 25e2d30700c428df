#include "leap/models/vit.h"

#include <ATen/ATen.h>
#include <torch/nn/modules/activation.h>

#include <string>

#include "leap/error.h"
#include "leap/models/modulated_block.h"
#include "leap/models/sine_encoding.h"

namespace leap::models {

ViTImpl::ViTImpl(ViTConfig cfg, int64_t in_channels, int64_t out_channels, bool time_conditioned)
    : cfg_(std::move(cfg)),
      in_channels_(in_channels),
      out_channels_(out_channels),
      time_conditioned_(time_conditioned) {
  cfg_.validate("ViT config");
  const int64_t W = cfg_.width, E = cfg_.emb_features, p2 = int64_t(cfg_.patch_size) * cfg_.patch_size;
  in_proj = register_module("in_proj", torch::nn::Linear(in_channels * p2, W));
  out_proj = register_module("out_proj", torch::nn::Linear(W, out_channels * p2));
  pos_proj = register_module("pos_proj", torch::nn::Linear(3 * W, W));
  if (time_conditioned_)
    time_embedding = register_module(
        "time_embedding",
        torch::nn::Sequential(torch::nn::Linear(E, E), torch::nn::SiLU(), torch::nn::Linear(E, E)));
  if (cfg_.param_features > 0)
    param_embedding =
        register_module("param_embedding", torch::nn::Sequential(torch::nn::Linear(cfg_.param_features, E),
                                                                 torch::nn::SiLU(), torch::nn::Linear(E, E)));
  ModulatedBlockOptions o;
  o.channels = W;
  o.heads = cfg_.heads;
  o.mod_features = (time_conditioned_ || cfg_.param_features > 0) ? E : 0;
  o.ffn_factor = cfg_.ffn_factor;
  o.spatial = 3;
  o.rope = cfg_.rope;
  o.qk_norm = cfg_.qk_norm;
  o.dropout = cfg_.dropout;
  blocks = torch::nn::ModuleList();
  for (int i = 0; i < cfg_.depth; ++i) blocks->push_back(ModulatedBlock(o));
  register_module("blocks", blocks);
}

at::Tensor ViTImpl::coordinates(int64_t t, int64_t x, int64_t y, const at::TensorOptions& options) {
  auto grids = at::meshgrid({at::arange(t, options), at::arange(x, options), at::arange(y, options)}, "ij");
  return at::stack({grids[0].flatten(), grids[1].flatten(), grids[2].flatten()}, 1);
}

at::Tensor ViTImpl::forward(const at::Tensor& x, const at::Tensor& noise, const at::Tensor& theta) {
  const int64_t p = cfg_.patch_size;
  if (x.dim() != 5 || x.size(1) != in_channels_ || x.size(3) % p != 0 || x.size(4) % p != 0)
    throw InputError("ViT: expected a (B, " + std::to_string(in_channels_) +
                     ", T, X, Y) tensor with X, Y multiples of " + std::to_string(p) + ", found shape " +
                     c10::str(x.sizes()));
  if (time_conditioned_ != noise.defined())
    throw Error(time_conditioned_ ? "ViT: this network needs a noise level" : "ViT: unexpected noise level");
  if ((cfg_.param_features > 0) != theta.defined() ||
      (theta.defined() && (theta.dim() != 2 || theta.size(1) != cfg_.param_features)))
    throw InputError("ViT: expected parameters of shape (B, " + std::to_string(cfg_.param_features) +
                     "), found " + (theta.defined() ? c10::str(theta.sizes()) : std::string("none")));
  const int64_t B = x.size(0), C = x.size(1), T = x.size(2), X = x.size(3) / p, Y = x.size(4) / p;

  // Weights may be bf16 (inference copy) or fp32 (under autocast in training): the network computes
  // in the weights' type, the coordinate and noise-level encodings in fp32, and returns x's type.
  const at::ScalarType wt = in_proj->weight.scalar_type();
  const at::TensorOptions f32 = x.options().dtype(at::kFloat);

  // Patchify: (B, C, T, X p, Y p) -> (B, T X Y, C p p)
  at::Tensor h = x.reshape({B, C, T, X, p, Y, p})
                     .permute({0, 2, 3, 5, 1, 4, 6})
                     .reshape({B, T * X * Y, C * p * p})
                     .to(wt);
  h = in_proj->forward(h);
  at::Tensor skip = h;

  at::Tensor coords = coordinates(T, X, Y, f32);
  h = h + pos_proj->forward(sine_encoding(coords, cfg_.width, cfg_.sine_omega).flatten(-2).to(wt));

  at::Tensor mod;
  if (time_conditioned_)
    mod = time_embedding->forward(
        sine_encoding(noise.reshape({B}).to(at::kFloat), cfg_.emb_features, cfg_.sine_omega).to(wt));
  if (theta.defined()) {
    at::Tensor e = param_embedding->forward(theta.to(wt));
    mod = mod.defined() ? mod + e : e;
  }
  for (const auto& block : *blocks) h = block->as<ModulatedBlock>()->forward(h, mod, coords, skip);

  // Unpatchify: (B, T X Y, C' p p) -> (B, C', T, X p, Y p)
  h = out_proj->forward(h).to(x.scalar_type());
  const int64_t Co = out_channels_;
  return h.reshape({B, T, X, Y, Co, p, p}).permute({0, 4, 1, 2, 5, 3, 6}).reshape({B, Co, T, X * p, Y * p});
}

}  // namespace leap::models
