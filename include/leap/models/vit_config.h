// Configuration of the ViT over (t, x, y) or (t, x, y, z) tokens used as the diffusion denoiser and
// as the deterministic predictor. Defaults are the paper's latent denoiser (width 1024, depth 16, 8
// heads, patch 1) in 2-D; the pixel-space baseline uses patch 16 and width 2048. No LibTorch here.
//
// Spatial axes: spatial_dims (2 or 3) is part of the model (the token coordinates, the input
// projection and the position embeddings depend on it), so a checkpoint, whose model description
// holds this section, loads with the axes it was trained with. Patches: patch_size applies to every
// spatial axis; patch_sizes, when given, sets one patch per spatial axis (x, y(, z)) instead.
// Time is never patched. A config without spatial_dims and patch_sizes is the 2-D ViT as before.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "leap/config/schema.h"
#include "leap/error.h"

namespace leap::models {

struct ViTConfig {
  int width = 1024;              // token channels
  int depth = 16;                // transformer blocks
  int heads = 8;                 // attention heads
  int spatial_dims = 2;          // spatial axes of a frame: 2 (x, y) or 3 (x, y, z)
  int patch_size = 1;            // spatial patch on every spatial axis; time is never patched
  std::vector<int> patch_sizes;  // per spatial axis (x, y(, z)); empty: patch_size on every axis
  int ffn_factor = 4;            // hidden channels of the FFN = ffn_factor * width
  int emb_features = 256;        // modulation vector (diffusion time + parameters)
  int param_features = 0;        // size of the simulation-parameter vector theta (0: none)
  bool rope = true;              // rotary position embedding over (t, x, y(, z))
  bool qk_norm = true;           // RMS-normalise queries and keys per head
  double dropout = 0.0;          // dropout in the FFN
  double sine_omega = 1e3;       // maximum wavelength of the sinusoidal encodings

  template <class V>
  void visit(V& v) {
    using namespace leap::config;
    v("width", width, "token channels", at_least(2));
    v("depth", depth, "number of transformer blocks", at_least(1));
    v("heads", heads, "attention heads (must divide width)", at_least(1));
    v("spatial_dims", spatial_dims, "spatial axes of a frame: 2 (x, y) or 3 (x, y, z)", in_range(2, 3));
    v("patch_size", patch_size, "spatial patch size on every spatial axis (1 in latent space)", at_least(1));
    v("patch_sizes", patch_sizes,
      "patch size per spatial axis, [px, py] or [px, py, pz] (spatial_dims entries; replaces patch_size, "
      "which then stays 1); empty: patch_size on every axis",
      each(at_least(1)));
    v("ffn_factor", ffn_factor, "FFN hidden channels per token channel", at_least(1));
    v("emb_features", emb_features, "features of the modulation (time and parameter) embedding", at_least(2));
    v("param_features", param_features, "size of the simulation-parameter vector (0: unconditioned)",
      at_least(0));
    v("rope", rope, "rotary position embedding over (t, x, y(, z))");
    v("qk_norm", qk_norm, "RMS-normalise queries and keys");
    v("dropout", dropout, "dropout rate in the FFN", in_range(0.0, 1.0));
    v("sine_omega", sine_omega, "largest wavelength of the sinusoidal encodings", greater_than(1.0));
  }

  void validate(const std::string& file, const std::string& prefix = "") const {
    auto key = [&](const char* k) { return prefix.empty() ? std::string(k) : prefix + "." + k; };
    if (width % heads != 0)
      throw InputError(file, key("heads"), "a divisor of width " + std::to_string(width),
                       std::to_string(heads));
    if ((width / heads) % 2 != 0)
      throw InputError(file, key("heads"), "an even head size (width / heads) for rotary embedding",
                       std::to_string(width / heads));
    // (The visitor checks these on YAML; repeated for configs built in code.)
    if (spatial_dims != 2 && spatial_dims != 3)
      throw InputError(file, key("spatial_dims"), "2 or 3", std::to_string(spatial_dims));
    if (patch_size < 1) throw InputError(file, key("patch_size"), "a value >= 1", std::to_string(patch_size));
    for (size_t a = 0; a < patch_sizes.size(); ++a)
      if (patch_sizes[a] < 1)
        throw InputError(file, key("patch_sizes") + "[" + std::to_string(a) + "]", "a value >= 1",
                         std::to_string(patch_sizes[a]));
    if (!patch_sizes.empty() && int(patch_sizes.size()) != spatial_dims)
      throw InputError(
          file, key("patch_sizes"),
          "one patch per spatial axis (spatial_dims = " + std::to_string(spatial_dims) + " entries)",
          std::to_string(patch_sizes.size()) + " entries");
    if (!patch_sizes.empty() && patch_size != 1)
      throw InputError(file, key("patch_size"), "1 (its default) when patch_sizes is given",
                       std::to_string(patch_size));
    if (width % 2 != 0 || emb_features % 2 != 0)
      throw InputError(file, key(width % 2 ? "width" : "emb_features"), "an even number",
                       std::to_string(width % 2 ? width : emb_features));
  }

  // The patch on each spatial axis (spatial_dims entries).
  std::vector<int64_t> patch() const {
    if (!patch_sizes.empty()) return std::vector<int64_t>(patch_sizes.begin(), patch_sizes.end());
    return std::vector<int64_t>(size_t(spatial_dims > 0 ? spatial_dims : 0), int64_t(patch_size));
  }
  // Grid cells per token: the product of the patches.
  int64_t patch_volume() const {
    int64_t v = 1;
    for (int64_t p : patch()) v *= p;
    return v;
  }
};

}  // namespace leap::models
