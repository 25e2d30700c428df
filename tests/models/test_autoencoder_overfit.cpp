// A tiny autoencoder overfits a fixed batch: Adam reduces the reconstruction loss by a large factor
// in a few hundred steps (the network, its initialisation and its gradients work together).
#include <c10/core/GradMode.h>
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <gtest/gtest.h>
#include <torch/optim/adam.h>

#include <cmath>

#include "leap/models/dcae.h"

namespace {

using namespace leap::models;

TEST(AutoencoderOverfit, ReconstructionLossDropsOnFixedBatch) {
  at::set_num_threads(2);
  at::manual_seed(0);
  AutoencoderConfig cfg;
  cfg.in_channels = 2;
  cfg.latent_channels = 8;  // 2 * 4^2 / 8 = 4x compression
  cfg.channels = {16, 32, 32};
  cfg.blocks = {1, 1, 1};
  cfg.boundary = {"periodic", "open"};
  cfg.dropout = 0.0;
  Autoencoder ae(cfg);

  // Smooth random fields: a few random Fourier modes per sample and channel.
  const int64_t B = 8, N = 16;
  at::Tensor grid = at::arange(N, at::kFloat) * (2 * M_PI / N);
  at::Tensor gx = grid.reshape({1, 1, N, 1}), gy = grid.reshape({1, 1, 1, N});
  at::Tensor x = at::zeros({B, 2, N, N});
  for (int k = 1; k <= 3; ++k) {
    at::Tensor a = at::randn({B, 2, 1, 1}), b = at::randn({B, 2, 1, 1}), p = at::rand({B, 2, 1, 1}) * 6.28;
    x = x + (a * at::sin(k * gx + p) + b * at::cos(k * gy - p) * at::cos(gx)) / k;
  }

  auto loss_of = [&] { return at::mse_loss(ae->forward(x), x); };
  ae->eval();
  double initial;
  {
    c10::NoGradGuard g;
    initial = loss_of().item<double>();
  }
  ae->train();
  torch::optim::Adam opt(ae->parameters(), torch::optim::AdamOptions(2e-3));
  for (int step = 0; step < 300; ++step) {
    opt.zero_grad();
    at::Tensor loss = loss_of();
    loss.backward();
    opt.step();
  }
  ae->eval();
  c10::NoGradGuard g;
  const double final_loss = loss_of().item<double>();
  std::printf("reconstruction MSE: initial %.4g, after 300 Adam steps %.4g (x%.0f)\n", initial, final_loss,
              initial / final_loss);
  EXPECT_TRUE(std::isfinite(final_loss));
  EXPECT_LT(final_loss, initial / 20);
}

}  // namespace
