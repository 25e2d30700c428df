// The diffusion side on (B, C, T, X, Y, Z) latents, by the same code as in 2-D: a 3-D denoiser
// learns (Adam on a small synthetic dataset of travelling plane waves lowers its held-out denoising
// loss), the Adams-Bashforth sampler gives finite windows that keep their context and the moments of
// an analytic Gaussian posterior, rollouts (diffusion, surrogate, ensembles) and the EmulationEngine
// (step, decoding by a 3-D autoencoder, rollout) return the right shapes and frames, ranks that do
// not match the model are refused, and a 3-D checkpoint loads as 3-D.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <gtest/gtest.h>
#include <torch/optim/adam.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "leap/config/load.h"
#include "leap/error.h"
#include "leap/models/context_mask.h"
#include "leap/models/dcae.h"
#include "leap/models/denoiser.h"
#include "leap/models/denoising_loss.h"
#include "leap/models/emulation_engine.h"
#include "leap/models/modulated_block.h"
#include "leap/models/rollout.h"
#include "leap/models/sampler.h"
#include "leap/models/surrogate.h"
#include "denoiser_checkpoint.h"
#include "tiny_models.h"

namespace {

using namespace leap::models;
using leap::test::max_abs;
ViTConfig tiny3(std::vector<int> patch = {}, int params = 0) {
  return leap::test::tiny_vit_3d(std::move(patch), params);
}

// A tiny synthetic latent dataset: N windows of T frames of 2 channels on a 4^3 grid, a plane wave
// along x + z (so a model must know where its tokens lie in z), amp (sin, cos)(2 pi (x + z) / 4 + phi
// + 0.6 t) with a random amplitude in [0.5, 1.5] and phase in [0, 0.5].
at::Tensor plane_waves(int64_t N, int64_t T) {
  const at::Tensor r = at::arange(4, at::kFloat);
  const auto g = at::meshgrid({r, r, r}, "ij");
  const at::Tensor amp = 0.5 + at::rand({N, 1, 1, 1, 1}), phi = 0.5 * at::rand({N, 1, 1, 1, 1});
  const at::Tensor t = at::arange(T, at::kFloat).reshape({1, T, 1, 1, 1});
  const at::Tensor angle = (g[0] + g[2]) * (6.283185 / 4) + phi + 0.6 * t;  // (N, T, 4, 4, 4)
  return at::stack({amp * at::sin(angle), amp * at::cos(angle)}, 1);        // (N, 2, T, 4, 4, 4)
}

TEST(Denoiser3D, AdamLowersTheDenoisingLossOnPlaneWaves) {
  const auto start = std::chrono::steady_clock::now();
  at::manual_seed(1);
  Denoiser den(2, tiny3());
  EXPECT_EQ(den->spatial_dims(), 3);
  const int64_t T = 3;
  const at::Tensor data = plane_waves(64, T);
  // Held out: other waves, fixed noise levels, noise and masks (1 or 2 known frames at the start). The
  // levels are where the data's structure decides the loss (at small sigma the weighted loss asks for the
  // noise itself, which no few-step model knows).
  const at::Tensor held = plane_waves(16, T);
  const at::Tensor sigma = at::tensor({0.5f, 1.f, 2.f, 4.f, 8.f, 16.f, 1.5f, 3.f}).repeat({2});
  const at::Tensor noise = at::randn_like(held);
  const at::Tensor mask = at::cat({context_mask(8, T, 1), context_mask(8, T, 2)}, 0);
  auto held_loss = [&] {
    c10::NoGradGuard no_grad;
    return denoising_loss(den, held, mask, {}, sigma, noise).item<double>();
  };
  const double before = held_loss();
  torch::optim::Adam opt(den->parameters(), torch::optim::AdamOptions(3e-3));
  ContextMaskConfig masks;
  masks.context_max = 2;
  const int steps = 80;
  for (int i = 0; i < steps; ++i) {
    const at::Tensor x = data.index_select(0, at::randint(0, 64, {16}, at::kLong));
    opt.zero_grad();
    at::Tensor l = denoising_loss(den, x, random_context_mask(16, T, masks));  // sigma from the schedule
    l.backward();
    if (i == 0) {  // the z coordinate takes part in the rotary angles: it gets a gradient
      const at::Tensor g = den->net->blocks[0]->as<ModulatedBlock>()->rope->theta.grad();
      EXPECT_GT(g.select(0, 3).abs().sum().item<double>(), 0.0);
    }
    opt.step();
  }
  const double after = held_loss();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "3-D denoiser, %d Adam steps (batch 16 of 64 windows, 3 x 4^3 latents): held-out loss %.4f -> %.4f "
      "(x%.2f), %.1f s\n",
      steps, before, after, before / after, seconds);
  EXPECT_LT(after, 0.5 * before);
}

TEST(Sampler3D, AdamsBashforthKeepsContextAndMatchesAGaussian) {
  at::manual_seed(2);
  SamplerConfig sc;  // Adams-Bashforth, order 3
  sc.steps = 8;
  const Sampler sampler(sc);
  const Sampler sampler16;  // the default: order 3, 16 steps
  ASSERT_EQ(sampler.config().algorithm, "ab");
  // A denoiser window: finite, of the context's rank, with the context frames kept bit for bit.
  Denoiser den(2, tiny3({2, 1, 1}, 1));
  den->eval();
  const at::Tensor ctx = at::randn({2, 2, 2, 4, 3, 2}), theta = at::randn({2, 1});
  const at::Tensor w = sample_window(den, sampler, ctx, 4, theta);
  ASSERT_EQ(w.sizes(), at::IntArrayRef({2, 2, 4, 4, 3, 2}));
  EXPECT_TRUE(at::isfinite(w).all().item<bool>());
  EXPECT_TRUE(at::equal(w.narrow(2, 0, 2), ctx));
  EXPECT_GT(max_abs(w.narrow(2, 2, 2)), 1e-3);
  // The analytic posterior mean of N(mu, s^2) data on a (B, C, T, X, Y, Z) tensor: the samples have
  // the data's moments.
  const double mu = 0.3, s = 0.7;
  DenoiseFn gaussian = [&](const at::Tensor& x, const at::Tensor& sigma) {
    const at::Tensor v = at::square(sigma).reshape({-1, 1, 1, 1, 1, 1});
    return mu + s * s / (s * s + v) * (x - mu);
  };
  const at::Tensor g = sampler16.sample(gaussian, sampler16.init({16, 2, 2, 4, 4, 4}));
  ASSERT_EQ(g.dim(), 6);
  std::printf("AB sampler on a 6-D Gaussian: mean %.4f (%.2f), std %.4f (%.2f)\n", g.mean().item<double>(),
              mu, g.std().item<double>(), s);
  EXPECT_NEAR(g.mean().item<double>(), mu, 0.03);
  EXPECT_NEAR(g.std().item<double>(), s, 0.03);
}

TEST(Rollout3D, DiffusionSurrogateAndEnsembleShapes) {
  at::manual_seed(3);
  SamplerConfig sc;
  sc.steps = 3;
  const Sampler sampler(sc);
  Denoiser den(2, tiny3({1, 2, 1}, 1));
  den->eval();
  const at::Tensor initial = at::randn({2, 2, 3, 2, 4, 3}), theta = at::randn({2, 1});
  // Window 4, context 2: 2 new frames per call, a horizon of 5 ends inside the third window.
  const at::Tensor traj = rollout(diffusion_window_fn(den, sampler, 4, theta), initial, 2, 4, 5);
  ASSERT_EQ(traj.sizes(), at::IntArrayRef({2, 2, 5, 2, 4, 3}));
  EXPECT_TRUE(at::isfinite(traj).all().item<bool>());
  // Ensembles are batches: 3 members per sample, each following its sample's parameters.
  const at::Tensor members = ensemble_repeat(initial, 3);
  const at::Tensor etraj = rollout(diffusion_window_fn(den, sampler, 4, theta), members, 2, 4, 2);
  ASSERT_EQ(etraj.sizes(), at::IntArrayRef({6, 2, 2, 2, 4, 3}));
  EXPECT_GT(max_abs(etraj[0] - etraj[1]), 1e-4);
  // The deterministic surrogate, patched (2, 1, 3), in 3-D.
  Surrogate sur(2, tiny3({2, 1, 3}));
  EXPECT_EQ(sur->spatial_dims(), 3);
  const at::Tensor straj = rollout(surrogate_window_fn(sur, 3), ensemble_repeat(initial, 2), 1, 3, 4);
  ASSERT_EQ(straj.sizes(), at::IntArrayRef({4, 2, 4, 2, 4, 3}));
  EXPECT_LT(max_abs(straj[0] - straj[1]), 1e-5);  // deterministic members stay together
  const at::Tensor pw = predict_window(sur, initial.narrow(2, 0, 1), 3);
  EXPECT_TRUE(at::equal(pw.narrow(2, 0, 1), initial.narrow(2, 0, 1)));
  at::Tensor sl = surrogate_loss(sur, initial, context_mask(2, 3, 1));
  sl.backward();
  EXPECT_GT(sur->net->in_proj->weight.grad().abs().sum().item<double>(), 0.0);
  // Ranks that do not match the model are refused.
  EXPECT_THROW(sample_window(den, sampler, at::randn({1, 2, 2, 2, 4}), 4, theta.narrow(0, 0, 1)),
               leap::InputError);
  Denoiser flat(2, [] {
    ViTConfig c = tiny3();
    c.spatial_dims = 2;
    return c;
  }());
  EXPECT_THROW(flat->forward(initial, at::ones({2}), context_mask(2, 3, 1), initial), leap::InputError);
  EXPECT_THROW(
      rollout(diffusion_window_fn(den, sampler, 4, theta), at::randn({2, 2, 3, 2, 4, 3, 1}), 2, 4, 2),
      leap::InputError);
}

TEST(EmulationEngine3D, StepDecodesAndRollsOut) {
  at::manual_seed(4);
  SamplerConfig sc;
  sc.steps = 4;
  const Sampler sampler(sc);
  Denoiser den(2, tiny3({}, 1));
  // A 3-D autoencoder's decoder (latent 2 channels -> 3 fields, factor 2 per axis).
  AutoencoderConfig ac;
  ac.in_channels = 3;
  ac.latent_channels = 2;
  ac.channels = {4, 4};
  ac.blocks = {1, 1};
  ac.boundary = {"periodic", "periodic", "open"};
  ac.dropout = 0.0;
  Autoencoder ae(ac);
  ae->eval();
  EmulationEngine engine(den, sampler, 4, 2, {}, [&](const at::Tensor& z) { return ae->decode(z); });
  const at::Tensor ctx = at::randn({2, 2, 2, 4, 2, 3}), theta = at::randn({2, 1});
  const auto r = engine.step(ctx, theta);
  ASSERT_EQ(r.latent.sizes(), at::IntArrayRef({2, 2, 2, 4, 2, 3}));
  ASSERT_EQ(r.decoded.sizes(), at::IntArrayRef({2, 2, 3, 8, 4, 6}));
  EXPECT_TRUE(at::isfinite(r.latent).all().item<bool>());
  // decoded[b][n] is the decoding of latent frame n of sample b.
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t n = 0; n < 2; ++n) {
      c10::NoGradGuard no_grad;
      const at::Tensor one = ae->decode(r.latent[b].select(1, n).unsqueeze(0))[0];
      EXPECT_LT(max_abs(r.decoded[b][n] - one), 1e-5) << b << " " << n;
    }
  // The engine's rollout is models::rollout over its window function: same seed, same frames.
  const at::Tensor initial = at::randn({2, 2, 3, 4, 2, 3});
  at::manual_seed(5);
  const at::Tensor a = engine.rollout(initial, theta, 5);
  at::manual_seed(5);
  const at::Tensor b = rollout(engine.window_fn(theta), initial, 2, 4, 5);
  ASSERT_EQ(a.sizes(), at::IntArrayRef({2, 2, 5, 4, 2, 3}));
  EXPECT_TRUE(at::equal(a, b));
  // Given noise: the noise shape is the window's, in 3-D.
  EXPECT_THROW(engine.step(ctx, theta, at::randn({2, 2, 4, 4, 2})), leap::InputError);
  EXPECT_EQ(engine.step(ctx, theta, at::randn({2, 2, 4, 4, 2, 3})).latent.size(5), 3);
  // A 2-D context for a 3-D engine is refused with the expected rank in the message.
  try {
    engine.step(at::randn({2, 2, 2, 4, 2}), theta);
    ADD_FAILURE() << "a 2-D context was accepted";
  } catch (const leap::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("X, Y, Z"), std::string::npos) << e.what();
  }
}

TEST(Checkpoint3D, ADenoiserCheckpointLoadsAs3D) {
  at::manual_seed(6);
  const ViTConfig vit = tiny3({1, 2, 2}, 1);
  DiffusionConfig diffusion;
  diffusion.sampler.steps = 2;
  Denoiser den(2, vit, diffusion.schedule);
  auto loaded = leap::test::save_and_load_denoiser(den, vit, diffusion, 3);
  ASSERT_TRUE(loaded.denoiser);
  EXPECT_EQ(loaded.denoiser->spatial_dims(), 3);
  EXPECT_EQ(loaded.denoiser->net->config().patch(), (std::vector<int64_t>{1, 2, 2}));
  den->eval();
  const at::Tensor x = at::randn({1, 2, 3, 2, 4, 2}), mask = context_mask(1, 3, 1), th = at::randn({1, 1});
  const at::Tensor sigma = at::full({1}, 0.5);
  c10::NoGradGuard no_grad;
  EXPECT_TRUE(
      at::equal(loaded.denoiser->forward(x, sigma, mask, x, th), den->forward(x, sigma, mask, x, th)));
  const at::Tensor w = loaded.window_fn(th)(x.narrow(2, 0, 1));
  EXPECT_EQ(w.sizes(), x.sizes());
}

}  // namespace
