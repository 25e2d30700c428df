// The autoencoder in 3-D (three boundary entries): the same modules with 3-D convolutions and 2x2x2
// space-to-depth. Shapes and compression ratio (the paper's dcae_3d_f8c64 rates); space_to_depth in
// 2-D equals pixel_unshuffle and in 3-D sends each cell where its definition says, depth_to_space
// inverts it; circular padding on periodic axes and zeros on open ones (against padding by hand);
// latent equivariance to rolls along periodic axes; identity-like initialisation of the resampling
// blocks; a tiny 3-D autoencoder overfits a fixed batch of smooth fields.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>
#include <gtest/gtest.h>
#include <torch/optim/adam.h>

#include <cmath>

#include "leap/models/dcae.h"
#include "leap/models/padded_conv.h"
#include "leap/models/resample.h"

namespace {

using namespace leap::models;

const bool kThreads = [] {
  at::set_num_threads(2);
  return true;
}();

double max_abs(const at::Tensor& a) {
  return a.abs().max().item<double>();
}
double rel_err(const at::Tensor& a, const at::Tensor& b) {
  return ((a - b).norm() / b.norm()).item<double>();
}

AutoencoderConfig config3(std::vector<std::string> boundary, int64_t latent = 8) {
  AutoencoderConfig c;
  c.in_channels = 3;
  c.latent_channels = latent;
  c.channels = {8, 16, 16};  // factor 4
  c.blocks = {1, 1, 1};
  c.boundary = std::move(boundary);
  c.dropout = 0.0;
  return c;
}

TEST(Autoencoder3D, ShapesAndCompression) {
  Autoencoder ae(config3({"periodic", "periodic", "open"}));
  EXPECT_EQ(ae->spatial_dims(), 3);
  EXPECT_DOUBLE_EQ(ae->compression_ratio(), 3.0 * 64 / 8);  // 3 channels x 4^3 cells per 8 latents
  at::Tensor x = at::randn({2, 3, 16, 8, 12});
  at::Tensor z = ae->encode(x);
  EXPECT_EQ(z.sizes().vec(), (std::vector<int64_t>{2, 8, 4, 2, 3}));
  EXPECT_EQ(ae->decode(z).sizes(), x.sizes());
  EXPECT_THROW(ae->encode(at::randn({2, 3, 16, 8})), leap::InputError);      // a 2-D field
  EXPECT_THROW(ae->encode(at::randn({2, 3, 16, 8, 10})), leap::InputError);  // 10 not a multiple of 4
  // The paper's dcae_3d_f8c64 rates for 6 fields: latent channels 64, 16, 4 give 48x, 192x, 768x.
  AutoencoderConfig paper = config3({"periodic", "periodic", "periodic"});
  paper.in_channels = 6;
  paper.channels = {8, 8, 8, 8};  // factor 8
  paper.blocks = {1, 1, 1, 1};
  for (const auto& [c, ratio] : {std::pair{64, 48.0}, std::pair{16, 192.0}, std::pair{4, 768.0}}) {
    paper.latent_channels = c;
    EXPECT_DOUBLE_EQ(paper.compression_ratio(), ratio);
  }
}

TEST(Resample3D, SpaceToDepthIsItsDefinition) {
  at::Tensor x2 = at::randn({2, 3, 6, 4});
  EXPECT_TRUE(at::equal(space_to_depth(x2, 2), at::pixel_unshuffle(x2, 2)));
  EXPECT_TRUE(at::equal(depth_to_space(at::pixel_unshuffle(x2, 2), 2), x2));
  at::Tensor h2 = at::randn({2, 12, 3, 2});
  EXPECT_TRUE(at::equal(depth_to_space(h2, 2), at::pixel_shuffle(h2, 2)));
  // 3-D: output channel c 8 + 4 i + 2 j + k at (X, Y, Z) holds input cell (2X + i, 2Y + j, 2Z + k).
  at::Tensor x = at::arange(2 * 2 * 4 * 6 * 2, at::kFloat).reshape({2, 2, 4, 6, 2});
  at::Tensor s = space_to_depth(x, 2);
  ASSERT_EQ(s.sizes().vec(), (std::vector<int64_t>{2, 16, 2, 3, 1}));
  const auto a = x.accessor<float, 5>();
  const auto b = s.accessor<float, 5>();
  int bad = 0;
  for (int n = 0; n < 2; ++n)
    for (int c = 0; c < 2; ++c)
      for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j)
          for (int k = 0; k < 2; ++k)
            for (int X = 0; X < 2; ++X)
              for (int Y = 0; Y < 3; ++Y)
                bad += b[n][c * 8 + i * 4 + j * 2 + k][X][Y][0] != a[n][c][2 * X + i][2 * Y + j][k];
  EXPECT_EQ(bad, 0);
  EXPECT_TRUE(at::equal(depth_to_space(s, 2), x));
}

TEST(PaddedConv3D, CircularOnPeriodicAxesZerosOnOpenOnes) {
  at::manual_seed(1);
  at::Tensor x = at::randn({2, 3, 6, 5, 4});
  for (const Periodicity& p : {Periodicity{true, false, true}, Periodicity{false, true, false},
                               Periodicity{true, true, true}, Periodicity{false, false, false}}) {
    PaddedConv conv(3, 4, 3, p);
    // By hand: wrap each periodic axis by one cell, pad each open one with a zero.
    at::Tensor y = x;
    for (int a = 0; a < 3; ++a) {
      const int64_t d = 2 + a, n = y.size(d);
      y = p[size_t(a)]
              ? at::cat({y.narrow(d, n - 1, 1), y, y.narrow(d, 0, 1)}, d)
              : at::cat({at::zeros_like(y.narrow(d, 0, 1)), y, at::zeros_like(y.narrow(d, 0, 1))}, d);
    }
    EXPECT_EQ(max_abs(conv->pad(x) - y), 0.0);
    EXPECT_LT(max_abs(conv->forward(x) - at::conv3d(y, conv->weight(), conv->bias())), 1e-5);
  }
}

TEST(Autoencoder3D, RollAlongPeriodicAxesRollsTheLatent) {
  at::manual_seed(3);
  Autoencoder ae(config3({"periodic", "open", "periodic"}));
  ae->eval();
  {
    c10::NoGradGuard g;
    for (auto& p : ae->parameters()) p.add_(at::randn_like(p) * 0.05);
  }
  const int64_t f = ae->spatial_factor();
  at::Tensor x = at::randn({1, 3, 16, 16, 8});
  at::Tensor z = ae->encode(x);
  EXPECT_LT(max_abs(ae->encode(at::roll(x, {f, 2 * f}, {2, 4})) - at::roll(z, {1, 2}, {2, 4})), 1e-4);
  EXPECT_GT(max_abs(ae->encode(at::roll(x, {f}, {3})) - at::roll(z, {1}, {3})), 1e-2);  // open y
  at::Tensor y = ae->decode(z);
  EXPECT_LT(max_abs(ae->decode(at::roll(z, {1}, {4})) - at::roll(y, {f}, {4})), 1e-4);
}

TEST(Resample3D, IdentityLikeInitialisation) {
  at::manual_seed(4);
  at::Tensor x = at::randn({2, 2, 4, 6, 4});
  Downsample down(2, 16, 3, Periodicity{true, false, true});
  EXPECT_LT(rel_err(down->forward(x), space_to_depth(x, 2)), 0.05);
  Downsample plain(2, 16, 3, Periodicity{true, false, true}, false);
  EXPECT_GT(rel_err(plain->forward(x), space_to_depth(x, 2)), 0.5);
  at::Tensor h = at::randn({2, 16, 2, 3, 2});
  Upsample up(16, 2, 3, Periodicity{false, true, true});
  EXPECT_LT(rel_err(up->forward(h), depth_to_space(h, 2)), 0.05);
}

TEST(Autoencoder3D, OverfitsAFixedBatch) {
  at::manual_seed(0);
  AutoencoderConfig cfg = config3({"periodic", "periodic", "periodic"}, 6);  // 3 * 4^3 / 6 = 32x
  cfg.channels = {8, 16, 24};
  Autoencoder ae(cfg);
  const int64_t B = 2, N = 8;
  at::Tensor g = at::arange(N, at::kFloat) * (2 * M_PI / N);
  at::Tensor gx = g.reshape({1, 1, N, 1, 1}), gy = g.reshape({1, 1, 1, N, 1}),
             gz = g.reshape({1, 1, 1, 1, N});
  at::Tensor x = at::zeros({B, 3, N, N, N});
  for (int k = 1; k <= 2; ++k) {
    at::Tensor a = at::randn({B, 3, 1, 1, 1}), b = at::randn({B, 3, 1, 1, 1}),
               p = at::rand({B, 3, 1, 1, 1}) * 6.28;
    x = x + (a * at::sin(k * gx + p) * at::cos(gz) + b * at::cos(k * gy - p)) / k;
  }
  auto loss_of = [&] { return at::mse_loss(ae->forward(x), x); };
  double initial;
  {
    c10::NoGradGuard ng;
    initial = loss_of().item<double>();
  }
  torch::optim::Adam opt(ae->parameters(), torch::optim::AdamOptions(1e-3));
  for (int step = 0; step < 60; ++step) {
    opt.zero_grad();
    at::Tensor loss = loss_of();
    loss.backward();
    opt.step();
  }
  c10::NoGradGuard ng;
  const double final_loss = loss_of().item<double>();
  std::printf("3-D reconstruction MSE: initial %.4g, after 60 Adam steps %.4g (x%.0f)\n", initial,
              final_loss, initial / final_loss);
  EXPECT_LT(final_loss, initial / 10);
}

}  // namespace
