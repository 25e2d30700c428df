#include "leap/models/vit.h"

#include <ATen/ATen.h>
#include <torch/nn/modules/activation.h>

#include <string>
#include <vector>

#include "leap/error.h"
#include "leap/models/modulated_block.h"
#include "leap/models/sine_encoding.h"

namespace leap::models {

namespace {

int64_t product(at::IntArrayRef v) {
  int64_t n = 1;
  for (int64_t e : v) n *= e;
  return n;
}

}  // namespace

at::Tensor patchify(const at::Tensor& x, at::IntArrayRef patch) {
  const int64_t d = int64_t(patch.size());
  bool ok = x.dim() == 3 + d;
  for (int64_t a = 0; ok && a < d; ++a) ok = patch[a] >= 1 && x.size(3 + a) % patch[a] == 0;
  if (!ok)
    throw InputError("patchify: expected a (B, C, T" + std::string(d == 3 ? ", X, Y, Z" : ", X, Y") +
                     ") tensor with spatial sizes multiples of the patch " + c10::str(patch) +
                     ", found shape " + c10::str(x.sizes()));
  const int64_t B = x.size(0), C = x.size(1), T = x.size(2);
  // (B, C, T, X_1, p_1, ..., X_d, p_d) -> (B, T, X_1, ..., X_d, C, p_1, ..., p_d)
  std::vector<int64_t> split{B, C, T}, perm{0, 2};
  int64_t tokens = T;
  for (int64_t a = 0; a < d; ++a) {
    split.push_back(x.size(3 + a) / patch[a]);
    split.push_back(patch[a]);
    perm.push_back(3 + 2 * a);
    tokens *= x.size(3 + a) / patch[a];
  }
  perm.push_back(1);
  for (int64_t a = 0; a < d; ++a) perm.push_back(4 + 2 * a);
  return x.reshape(split).permute(perm).reshape({B, tokens, C * product(patch)});
}

at::Tensor unpatchify(const at::Tensor& tokens, at::IntArrayRef grid, at::IntArrayRef patch) {
  const int64_t d = int64_t(patch.size());
  if (int64_t(grid.size()) != 1 + d || tokens.dim() != 3 || tokens.size(1) != product(grid) ||
      tokens.size(2) % product(patch) != 0)
    throw InputError("unpatchify: expected tokens (B, " + std::to_string(product(grid)) + ", C * " +
                     std::to_string(product(patch)) + ") for the grid " + c10::str(grid) + " and patch " +
                     c10::str(patch) + ", found shape " + c10::str(tokens.sizes()));
  const int64_t B = tokens.size(0), C = tokens.size(2) / product(patch);
  // (B, T, X_1, ..., X_d, C, p_1, ..., p_d) -> (B, C, T, X_1, p_1, ..., X_d, p_d)
  std::vector<int64_t> split{B}, perm{0, 2 + d, 1}, out{B, C, grid[0]};
  split.insert(split.end(), grid.begin(), grid.end());
  split.push_back(C);
  split.insert(split.end(), patch.begin(), patch.end());
  for (int64_t a = 0; a < d; ++a) {
    perm.push_back(2 + a);
    perm.push_back(3 + d + a);
    out.push_back(grid[1 + a] * patch[a]);
  }
  return tokens.reshape(split).permute(perm).reshape(out);
}

ViTImpl::ViTImpl(ViTConfig cfg, int64_t in_channels, int64_t out_channels, bool time_conditioned)
    : cfg_(std::move(cfg)),
      in_channels_(in_channels),
      out_channels_(out_channels),
      time_conditioned_(time_conditioned) {
  cfg_.validate("ViT config");
  patch_ = cfg_.patch();
  // Coordinates per token: t and the spatial axes.
  const int64_t W = cfg_.width, E = cfg_.emb_features, P = cfg_.patch_volume(), N = 1 + cfg_.spatial_dims;
  in_proj = register_module("in_proj", torch::nn::Linear(in_channels * P, W));
  out_proj = register_module("out_proj", torch::nn::Linear(W, out_channels * P));
  pos_proj = register_module("pos_proj", torch::nn::Linear(N * W, W));
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
  o.spatial = N;
  o.rope = cfg_.rope;
  o.qk_norm = cfg_.qk_norm;
  o.dropout = cfg_.dropout;
  blocks = torch::nn::ModuleList();
  for (int i = 0; i < cfg_.depth; ++i) blocks->push_back(ModulatedBlock(o));
  register_module("blocks", blocks);
}

at::Tensor ViTImpl::coordinates(at::IntArrayRef grid, const at::TensorOptions& options) {
  std::vector<at::Tensor> axes;
  for (int64_t n : grid) axes.push_back(at::arange(n, options));
  std::vector<at::Tensor> flat;
  for (const at::Tensor& g : at::meshgrid(axes, "ij")) flat.push_back(g.flatten());
  return at::stack(flat, 1);
}

at::Tensor ViTImpl::coordinates(int64_t t, int64_t x, int64_t y, const at::TensorOptions& options) {
  return coordinates({t, x, y}, options);
}

at::Tensor ViTImpl::forward(const at::Tensor& x, const at::Tensor& noise, const at::Tensor& theta) {
  const int64_t d = cfg_.spatial_dims;
  bool ok = x.dim() == 3 + d && x.size(1) == in_channels_;
  for (int64_t a = 0; ok && a < d; ++a) ok = x.size(3 + a) % patch_[a] == 0;
  if (!ok)
    throw InputError("ViT: expected a (B, " + std::to_string(in_channels_) + ", T" +
                     (d == 3 ? ", X, Y, Z" : ", X, Y") +
                     ") tensor with spatial sizes multiples of the patch " +
                     c10::str(at::IntArrayRef(patch_)) + ", found shape " + c10::str(x.sizes()));
  if (time_conditioned_ != noise.defined())
    throw Error(time_conditioned_ ? "ViT: this network needs a noise level" : "ViT: unexpected noise level");
  if ((cfg_.param_features > 0) != theta.defined() ||
      (theta.defined() && (theta.dim() != 2 || theta.size(1) != cfg_.param_features)))
    throw InputError("ViT: expected parameters of shape (B, " + std::to_string(cfg_.param_features) +
                     "), found " + (theta.defined() ? c10::str(theta.sizes()) : std::string("none")));
  const int64_t B = x.size(0);
  std::vector<int64_t> grid{x.size(2)};  // the patch grid (T, X_1, ..., X_d)
  for (int64_t a = 0; a < d; ++a) grid.push_back(x.size(3 + a) / patch_[a]);

  // Weights may be bf16 (inference copy) or fp32 (under autocast in training): the network computes
  // in the weights' type, the coordinate and noise-level encodings in fp32, and returns x's type.
  const at::ScalarType wt = in_proj->weight.scalar_type();
  const at::TensorOptions f32 = x.options().dtype(at::kFloat);

  at::Tensor h = patchify(x, patch_).to(wt);  // (B, T X_1..X_d, C p_1..p_d)
  h = in_proj->forward(h);
  at::Tensor skip = h;

  at::Tensor coords = coordinates(grid, f32);
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

  // (B, T X_1..X_d, C' p_1..p_d) -> (B, C', T, X_1 p_1, ..., X_d p_d)
  return unpatchify(out_proj->forward(h).to(x.scalar_type()), grid, patch_);
}

}  // namespace leap::models
