// Configuration of the convolutional autoencoder (DCAE-like, Rozet et al. 2025): channels and residual
// blocks per level, latent channels, boundary kind per spatial axis. Read from YAML through visit().
// No LibTorch here: tools read and document this config without pulling in torch.
#pragma once

#include <string>
#include <vector>

#include "leap/config/schema.h"
#include "leap/error.h"

namespace leap::models {

struct AutoencoderConfig {
  int in_channels = 4;  // physical fields (pixel channels)
  int latent_channels = 64;
  std::vector<int> channels{64, 128, 256, 512, 768, 1024};    // per level; factor 2^(levels-1)
  std::vector<int> blocks{3, 3, 3, 3, 3, 3};                  // residual blocks per level
  std::vector<std::string> boundary{"periodic", "periodic"};  // per spatial axis (x, y(, z)): 2-D or 3-D
  int kernel_size = 3;
  double dropout = 0.05;
  std::string saturation = "softclip";  // z / sqrt(1 + (z/5)^2), or none
  bool identity_init = true;

  template <class V>
  void visit(V& v) {
    using namespace leap::config;
    v("in_channels", in_channels, "number of physical fields (input and output channels)", at_least(1));
    v("latent_channels", latent_channels, "channels of the latent state (sets the compression)", at_least(1));
    v("channels", channels, "channels per level; the spatial factor is 2^(levels - 1)", each(at_least(1)));
    v("blocks", blocks, "residual blocks per level (same length as channels)", each(at_least(0)));
    v("boundary", boundary,
      "boundary per spatial axis (x, y, and z for a 3-D autoencoder): periodic pads circularly, open pads "
      "with "
      "zeros",
      each(one_of({"periodic", "open"})));
    v("kernel_size", kernel_size, "kernel size of every convolution (odd)", in_range(1, 9));
    v("dropout", dropout, "dropout rate inside residual blocks", in_range(0.0, 1.0));
    v("saturation", saturation, "latent squashing: softclip is z / sqrt(1 + (z/5)^2)",
      one_of({"softclip", "none"}));
    v("identity_init", identity_init, "start down/up-sampling convolutions near identity");
  }

  // Relations between keys; `prefix` is the section's path in the file ("" at top level).
  void validate(const std::string& file, const std::string& prefix = "") const {
    auto key = [&](const char* k) { return prefix.empty() ? std::string(k) : prefix + "." + k; };
    if (channels.empty()) throw InputError(file, key("channels"), "a non-empty list", "an empty list");
    if (blocks.size() != channels.size())
      throw InputError(file, key("blocks"), std::to_string(channels.size()) + " entries (one per level)",
                       std::to_string(blocks.size()) + " entries");
    if (boundary.size() != 2 && boundary.size() != 3)
      throw InputError(file, key("boundary"), "2 entries (x, y) or 3 (x, y, z)",
                       std::to_string(boundary.size()) + " entries");
    if (kernel_size % 2 == 0)
      throw InputError(file, key("kernel_size"), "an odd kernel size", std::to_string(kernel_size));
  }

  int levels() const { return int(channels.size()); }
  // Pixels per latent cell along each axis.
  int spatial_factor() const { return 1 << (levels() - 1); }
  std::vector<bool> periodic() const {
    std::vector<bool> p;
    for (const auto& b : boundary) p.push_back(b == "periodic");
    return p;
  }
  // Input elements per latent element: in_channels * factor^d / latent_channels (d spatial axes).
  double compression_ratio() const {
    double cells = 1;
    for (size_t a = 0; a < boundary.size(); ++a) cells *= spatial_factor();
    return double(in_channels) * cells / double(latent_channels);
  }
};

}  // namespace leap::models
