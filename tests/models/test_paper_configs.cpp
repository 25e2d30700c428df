// The paper-scale configs in examples/ (ae-paper, emulator-paper, surrogate-paper, and the pixel-space
// surrogate for Euler) parse as LEAP configs and build the paper's models: the DCAE f32c64 has the
// paper's 313 M parameters, the ViT denoiser its 223 M; the compression they give is the paper's
// (Euler 512^2 x 5: 80x; Rayleigh-Benard 512 x 128 x 4: 64x).
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/nn/module.h>

#include <string>

#include "leap/config/load.h"
#include "leap/models/dcae.h"
#include "leap/models/denoiser.h"
#include "leap/models/surrogate.h"
#include "leap/train/autoencoder_training.h"
#include "leap/train/emulator_training.h"

using namespace leap;

namespace {

std::string example(const std::string& name) {
  return std::string(LEAP_SOURCE_DIR) + "/examples/" + name;
}

int64_t parameters(const torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

// Millions, rounded as the paper rounds them.
int64_t millions(int64_t n) {
  return (n + 500000) / 1000000;
}

struct Case {
  std::string dir;
  int64_t nx, ny, fields;
  double compression;
};

class PaperConfigs : public ::testing::TestWithParam<Case> {};

TEST_P(PaperConfigs, BuildThePapersModels) {
  const Case c = GetParam();
  const auto ae_cfg = config::load_config<train::AutoencoderTrainConfig>(example(c.dir + "/ae-paper.yaml"));
  EXPECT_EQ(ae_cfg.model.in_channels, c.fields);
  models::Autoencoder ae(ae_cfg.model);
  EXPECT_EQ(millions(parameters(*ae)), 313) << parameters(*ae);
  const int64_t f = int64_t(1) << (ae_cfg.model.channels.size() - 1);
  EXPECT_EQ(f, 32);
  const double compression =
      double(c.nx * c.ny * c.fields) / double((c.nx / f) * (c.ny / f) * ae_cfg.model.latent_channels);
  EXPECT_DOUBLE_EQ(compression, c.compression);

  const auto emu_cfg =
      config::load_config<train::EmulatorTrainConfig>(example(c.dir + "/emulator-paper.yaml"));
  models::Denoiser denoiser(ae_cfg.model.latent_channels, emu_cfg.model);
  EXPECT_EQ(millions(parameters(*denoiser)), 223) << parameters(*denoiser);
  const auto sur_cfg =
      config::load_config<train::EmulatorTrainConfig>(example(c.dir + "/surrogate-paper.yaml"));
  EXPECT_EQ(sur_cfg.model.width, emu_cfg.model.width);
  EXPECT_EQ(sur_cfg.model.depth, emu_cfg.model.depth);
  models::Surrogate surrogate(ae_cfg.model.latent_channels, sur_cfg.model);
  // The same ViT without the diffusion-time embedding: within a few percent of the denoiser.
  EXPECT_NEAR(double(parameters(*surrogate)) / double(parameters(*denoiser)), 1.0, 0.05);
}

INSTANTIATE_TEST_SUITE_P(Cases, PaperConfigs,
                         ::testing::Values(Case{"euler2d", 512, 512, 5, 80.0},
                                           Case{"rayleigh_benard", 512, 128, 4, 64.0}),
                         [](const auto& info) { return info.param.dir; });

// The 3-D configs (examples/euler3d/*-paper.yaml): the paper's TGC sizes. The DCAE is 3-D with the
// widths of dcae_3d_f8c64_large (64, 256, 512, 1024; 3 blocks each; factor 8) and gives the paper's
// 48x / 192x / 768x on 64^3 x 6 at 64 / 16 / 4 latent channels; the ViTs are the 2-D ones over
// (t, x, y, z) tokens: the same parameters but for the position projection of one more coordinate.
TEST(PaperConfigs, ThreeDimensionalSizes) {
  const auto ae_cfg = config::load_config<train::AutoencoderTrainConfig>(example("euler3d/ae-paper.yaml"));
  EXPECT_EQ(ae_cfg.model.boundary.size(), 3u);
  EXPECT_EQ(ae_cfg.model.channels, (std::vector<int>{64, 256, 512, 1024}));
  EXPECT_EQ(ae_cfg.model.spatial_factor(), 8);
  auto cfg = ae_cfg.model;
  for (const auto& [c, ratio] : {std::pair{64, 48.0}, std::pair{16, 192.0}, std::pair{4, 768.0}}) {
    cfg.latent_channels = c;
    EXPECT_DOUBLE_EQ(cfg.compression_ratio(), ratio);
  }
  // Built at 1/16 of the widths (the full one, 741 M parameters, takes 3 GB): the same levels and
  // blocks, 3-D, an 8^3 latent grid for 64^3 states.
  auto narrow = ae_cfg.model;
  for (auto& w : narrow.channels) w /= 16;
  models::Autoencoder ae(narrow);
  EXPECT_EQ(ae->spatial_dims(), 3);
  EXPECT_EQ(ae->latent_shape({1, 6, 64, 64, 64}), (std::vector<int64_t>{1, 64, 8, 8, 8}));
  EXPECT_EQ(ae->encode(at::zeros({1, 6, 16, 16, 16})).sizes().vec(), (std::vector<int64_t>{1, 64, 2, 2, 2}));

  const auto emu2 = config::load_config<train::EmulatorTrainConfig>(example("euler2d/emulator-paper.yaml"));
  const auto emu3 = config::load_config<train::EmulatorTrainConfig>(example("euler3d/emulator-paper.yaml"));
  EXPECT_EQ(emu3.model.spatial_dims, 3);
  models::Denoiser d2(64, emu2.model), d3(64, emu3.model);
  // One more coordinate: the sine encoding of z adds `width` inputs to the position projection.
  const int64_t extra = int64_t(emu3.model.width) * emu3.model.width;
  // (and the rotary frequencies one more row per block, a few thousand parameters).
  const int64_t more = parameters(*d3) - parameters(*d2);
  std::printf("3-D ViT denoiser: %lld parameters (%lld more than the 2-D one)\n", (long long)parameters(*d3),
              (long long)more);
  EXPECT_GE(more, extra);
  EXPECT_LT(more, extra + 100000);
  EXPECT_EQ(millions(parameters(*d3)), 224);
  const auto sur3 = config::load_config<train::EmulatorTrainConfig>(example("euler3d/surrogate-paper.yaml"));
  EXPECT_EQ(sur3.model.spatial_dims, 3);
  EXPECT_EQ(sur3.model.width, emu3.model.width);
}

TEST(PaperConfigs, PixelSpaceSurrogate) {
  const auto cfg =
      config::load_config<train::EmulatorTrainConfig>(example("euler2d/surrogate-pixel-paper.yaml"));
  EXPECT_EQ(cfg.model.width, 2048);
  EXPECT_EQ(cfg.model.patch_size, 16);
  models::Surrogate pixel(5, cfg.model);
  EXPECT_GT(parameters(*pixel), 3 * int64_t(223000000));  // width 2048: about 4x the latent ViT
}

}  // namespace
