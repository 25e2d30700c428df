// Configuration of the ViT over (t, x, y) tokens used as the diffusion denoiser and as the
// deterministic predictor. Defaults are the paper's latent denoiser (width 1024, depth 16, 8 heads,
// patch 1); the pixel-space baseline uses patch 16 and width 2048. No LibTorch here.
#pragma once

#include <string>

#include "leap/config/schema.h"
#include "leap/error.h"

namespace leap::models {

struct ViTConfig {
  int width = 1024;         // token channels
  int depth = 16;           // transformer blocks
  int heads = 8;            // attention heads
  int patch_size = 1;       // spatial patch (x and y); time is never patched
  int ffn_factor = 4;       // hidden channels of the FFN = ffn_factor * width
  int emb_features = 256;   // modulation vector (diffusion time + parameters)
  int param_features = 0;   // size of the simulation-parameter vector theta (0: none)
  bool rope = true;         // rotary position embedding over (t, x, y)
  bool qk_norm = true;      // RMS-normalise queries and keys per head
  double dropout = 0.0;     // dropout in the FFN
  double sine_omega = 1e3;  // maximum wavelength of the sinusoidal encodings

  template <class V>
  void visit(V& v) {
    using namespace leap::config;
    v("width", width, "token channels", at_least(2));
    v("depth", depth, "number of transformer blocks", at_least(1));
    v("heads", heads, "attention heads (must divide width)", at_least(1));
    v("patch_size", patch_size, "spatial patch size (1 in latent space)", at_least(1));
    v("ffn_factor", ffn_factor, "FFN hidden channels per token channel", at_least(1));
    v("emb_features", emb_features, "features of the modulation (time and parameter) embedding", at_least(2));
    v("param_features", param_features, "size of the simulation-parameter vector (0: unconditioned)",
      at_least(0));
    v("rope", rope, "rotary position embedding over (t, x, y)");
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
    if (width % 2 != 0 || emb_features % 2 != 0)
      throw InputError(file, key(width % 2 ? "width" : "emb_features"), "an even number",
                       std::to_string(width % 2 ? width : emb_features));
  }
};

}  // namespace leap::models
