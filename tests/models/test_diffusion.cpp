// Diffusion pieces: EDM preconditioning, the weighted denoising loss, random context masks,
// windows sampled with a (tiny, untrained) denoiser, and autoregressive rollout.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <gtest/gtest.h>
#include <torch/optim/adam.h>

#include <cmath>

#include "leap/config/load.h"
#include "leap/models/context_mask.h"
#include "leap/models/denoiser.h"
#include "leap/models/denoising_loss.h"
#include "leap/models/observation.h"
#include "leap/models/observed_rollout.h"
#include "leap/models/preconditioning.h"
#include "leap/models/rollout.h"
#include "leap/models/sampler.h"
#include "tiny_models.h"

namespace {

using namespace leap::models;
using leap::test::max_abs;
ViTConfig tiny(int params = 0) {
  return leap::test::tiny_vit(params);
}

TEST(Preconditioning, EdmCoefficients) {
  at::Tensor sigma = at::tensor({2.0, 1e-3, 1e3}, at::kDouble);
  Preconditioning p = edm_preconditioning(sigma);
  EXPECT_NEAR(p.c_in[0].item<double>(), 1 / std::sqrt(5.0), 1e-12);
  EXPECT_NEAR(p.c_out[0].item<double>(), 2 / std::sqrt(5.0), 1e-12);
  EXPECT_NEAR(p.c_skip[0].item<double>(), 0.2, 1e-12);
  EXPECT_NEAR(p.c_noise[0].item<double>(), 10 * std::log(2.0), 1e-12);
  // Limits: at small sigma D ~ x_t (skip), at large sigma D ~ F (network) with unit-variance input.
  EXPECT_NEAR(p.c_skip[1].item<double>(), 1.0, 1e-5);
  EXPECT_NEAR(p.c_out[2].item<double>(), 1.0, 1e-5);
  EXPECT_NEAR((p.c_in[2] * std::sqrt(1 + 1e6)).item<double>(), 1.0, 1e-9);
  // EDM weighting makes the effective target of F unit-weighted: lambda * c_out^2 = 1.
  EXPECT_LT(max_abs(edm_loss_weight(sigma) * at::square(p.c_out) - 1), 1e-9);
}

TEST(DenoisingLoss, WeightedMseOverUnknownFrames) {
  at::manual_seed(0);
  Denoiser den(2, tiny(1));
  den->eval();
  at::Tensor x = at::randn({2, 2, 4, 4, 4});
  at::Tensor mask = context_mask(2, 4, 1);
  at::Tensor theta = at::randn({2, 1});
  at::Tensor sigma = at::tensor({0.5f, 4.0f});
  at::Tensor noise = at::randn_like(x);
  at::Tensor loss = denoising_loss(den, x, mask, theta, sigma, noise);
  // By hand: only frames 1..3 count, each sample weighted by (1 + s^2) / s^2.
  at::Tensor d = den->forward(x + sigma.reshape({2, 1, 1, 1, 1}) * noise, sigma, mask, x, theta);
  double total = 0;
  for (int b = 0; b < 2; ++b) {
    const double s = sigma[b].item<double>();
    total +=
        (1 + s * s) / (s * s) * at::square(d[b].narrow(1, 1, 3) - x[b].narrow(1, 1, 3)).sum().item<double>();
  }
  EXPECT_NEAR(loss.item<double>(), total / (2 * 2 * 3 * 16), 1e-5 * total);
  // The random version draws sigma from the schedule and trains.
  at::Tensor l = denoising_loss(den, x, random_context_mask(2, 4), theta);
  EXPECT_TRUE(std::isfinite(l.item<double>()));
  l.backward();
  EXPECT_GT(den->net->in_proj->weight.grad().abs().sum().item<double>(), 0.0);
  EXPECT_THROW(denoising_loss(den, x, at::ones({2, 4}, at::kBool), theta, sigma, noise), leap::Error);
}

TEST(DenoisingLoss, TrainingReducesLoss) {
  // A few Adam steps on a fixed batch (fixed noise levels and noise) reduce the loss: the gradients
  // flow through preconditioning, masking and the ViT.
  at::manual_seed(1);
  Denoiser den(2, tiny());
  at::Tensor x = at::randn({4, 2, 3, 4, 4}) * 0.5 + 0.3;
  at::Tensor mask = context_mask(4, 3, 1);
  at::Tensor sigma = at::tensor({0.1f, 0.5f, 1.f, 3.f}), noise = at::randn_like(x);
  torch::optim::Adam opt(den->parameters(), torch::optim::AdamOptions(2e-3));
  const double first = denoising_loss(den, x, mask, {}, sigma, noise).item<double>();
  for (int i = 0; i < 150; ++i) {
    opt.zero_grad();
    at::Tensor l = denoising_loss(den, x, mask, {}, sigma, noise);
    l.backward();
    opt.step();
  }
  const double last = denoising_loss(den, x, mask, {}, sigma, noise).item<double>();
  EXPECT_LT(last, 0.5 * first);
}

TEST(ContextMask, RandomMasksAreContiguousRunsAtEitherEnd) {
  at::manual_seed(2);
  ContextMaskConfig cfg;  // 1..4 known frames, at the end with probability 0.25
  const int64_t B = 4000, T = 5;
  at::Tensor m = random_context_mask(B, T, cfg);
  ASSERT_EQ(m.sizes(), at::IntArrayRef({B, T}));
  auto acc = m.accessor<bool, 2>();
  std::vector<int> lengths(T + 1, 0);
  int at_end = 0;
  for (int64_t b = 0; b < B; ++b) {
    int n = 0;
    for (int64_t t = 0; t < T; ++t) n += acc[b][t];
    ASSERT_GE(n, 1);
    ASSERT_LE(n, 4);
    lengths[n]++;
    const bool start = acc[b][0], end = acc[b][T - 1];
    ASSERT_NE(start, end);  // never both: at least one unknown frame, one known at either end
    for (int64_t t = 0; t < T; ++t) ASSERT_EQ(acc[b][t], start ? t < n : t >= T - n);
    at_end += end;
  }
  for (int n = 1; n <= 4; ++n) EXPECT_NEAR(lengths[n] / double(B), 0.25, 0.05) << n;
  EXPECT_NEAR(at_end / double(B), 0.25, 0.03);
  // A short window caps the context at window - 1.
  at::Tensor m2 = random_context_mask(100, 2, cfg);
  EXPECT_TRUE(at::equal(m2.sum(1), at::ones({100}, at::kLong)));
  // Fixed masks.
  EXPECT_TRUE(at::equal(context_mask(1, 4, 2)[0], at::tensor({1, 1, 0, 0}).to(at::kBool)));
  EXPECT_TRUE(at::equal(context_mask(1, 4, 1, true)[0], at::tensor({0, 0, 0, 1}).to(at::kBool)));
}

TEST(ContextMask, CycledMasksFollowTheTrainingLawExactly) {
  // Validation masks: every length of [context_min, context_max] equally often, a share p_end of each
  // at the end, the same masks whatever the batching, and none outside the trained range.
  ContextMaskConfig cfg;
  cfg.context_min = 2;
  cfg.context_max = 3;
  cfg.p_end = 0.25;
  const int64_t T = 5, N = 64;
  const at::Tensor all = cycled_context_mask(0, N, T, cfg);
  ASSERT_EQ(all.sizes(), at::IntArrayRef({N, T}));
  EXPECT_TRUE(
      at::equal(at::cat({cycled_context_mask(0, 10, T, cfg), cycled_context_mask(10, N - 10, T, cfg)}), all));
  auto acc = all.accessor<bool, 2>();
  int count[T + 1] = {0}, at_end[T + 1] = {0};
  for (int64_t b = 0; b < N; ++b) {
    int n = 0;
    for (int64_t t = 0; t < T; ++t) n += acc[b][t];
    ASSERT_TRUE(n == 2 || n == 3) << b;
    const bool end = acc[b][T - 1];
    for (int64_t t = 0; t < T; ++t) ASSERT_EQ(acc[b][t], end ? t >= T - n : t < n);
    count[n]++;
    at_end[n] += end;
  }
  EXPECT_EQ(count[2], 32);
  EXPECT_EQ(count[3], 32);
  EXPECT_EQ(at_end[2], 8);
  EXPECT_EQ(at_end[3], 8);
  // Forward prediction only (the demo's emulator): every mask is the first 2 frames.
  cfg.context_max = 2;
  cfg.p_end = 0;
  EXPECT_TRUE(at::equal(cycled_context_mask(7, 9, T, cfg), context_mask(9, T, 2)));
  // A window of 3 caps a context of 2..3 at 2.
  cfg.context_max = 3;
  EXPECT_TRUE(at::equal(cycled_context_mask(0, 4, 3, cfg).sum(1), at::full({4}, 2, at::kLong)));
}

TEST(ContextMask, UntrainedContextNote) {
  ContextMaskConfig cfg;
  cfg.context_min = 2;
  cfg.context_max = 2;
  cfg.p_end = 0;
  EXPECT_EQ(untrained_context_note(2, 5, cfg), "");
  EXPECT_EQ(untrained_context_note(1, 5, cfg),
            "a context of 1 frame was not trained (diffusion.context: forward leaps from 2 known frames)");
  cfg.context_min = 1;
  cfg.context_max = 4;  // capped at window - 1 = 3
  EXPECT_EQ(untrained_context_note(3, 4, cfg), "");
  EXPECT_EQ(
      untrained_context_note(3, 3, cfg),
      "a context of 3 frames was not trained (diffusion.context: forward leaps from 1 to 2 known frames)");
  cfg.p_end = 1.0;  // backward only
  EXPECT_EQ(
      untrained_context_note(1, 5, cfg),
      "a context of 1 frame was not trained (diffusion.context: forward leaps from none: every training "
      "context sat at the window's end)");
}

TEST(Rollout, ShiftsContextAndReachesAnyHorizon) {
  // An analytic window function: linear extrapolation from the last two known frames.
  int calls = 0;
  WindowFn extrapolate = [&](const at::Tensor& ctx) {
    ++calls;
    EXPECT_EQ(ctx.size(2), 2);
    std::vector<at::Tensor> frames{ctx.select(2, 0), ctx.select(2, 1)};
    while (frames.size() < 5) frames.push_back(2 * frames.back() - frames[frames.size() - 2]);
    return at::stack(frames, 2);
  };
  // Initial frames 0, 1, 2 (value = frame index); context 2, window 5: 3 new frames per call.
  at::Tensor initial =
      at::arange(3, at::kFloat).reshape({1, 1, 3, 1, 1}).expand({2, 3, 3, 2, 2}).contiguous();
  at::Tensor traj = rollout(extrapolate, initial, 2, 5, 7);
  ASSERT_EQ(traj.sizes(), at::IntArrayRef({2, 3, 7, 2, 2}));
  EXPECT_EQ(calls, 3);
  for (int t = 0; t < 7; ++t) EXPECT_EQ(traj[1][2][t][1][0].item<float>(), float(3 + t)) << t;
  // Context 1 uses only the last frame (a constant continuation here).
  WindowFn repeat = [](const at::Tensor& ctx) { return ctx.expand({ctx.size(0), ctx.size(1), 4, 2, 2}) + 0; };
  at::Tensor flat = rollout(repeat, initial, 1, 4, 5);
  EXPECT_TRUE(at::equal(flat, at::full({2, 3, 5, 2, 2}, 2.f)));
  EXPECT_EQ(rollout(repeat, initial, 1, 4, 0).size(2), 0);
  EXPECT_THROW(rollout(repeat, initial, 4, 4, 3), leap::InputError);
}

TEST(Rollout, DiffusionWindowsAndEnsembles) {
  at::manual_seed(3);
  Denoiser den(2, tiny(2));
  den->eval();
  SamplerConfig sc;
  sc.steps = 3;
  Sampler sampler(sc);
  at::Tensor ctx = at::randn({1, 2, 2, 4, 4});
  at::Tensor theta = at::tensor({1.4f, 1.f}).reshape({1, 2});
  // One window: the known frames come back bit-for-bit, the others are sampled.
  at::Tensor w = sample_window(den, sampler, ctx, 5, theta);
  ASSERT_EQ(w.sizes(), at::IntArrayRef({1, 2, 5, 4, 4}));
  EXPECT_TRUE(at::equal(w.narrow(2, 0, 2), ctx));
  EXPECT_TRUE(at::isfinite(w).all().item<bool>());
  // An ensemble of 4 members is a batch: same context, different samples.
  at::Tensor members = ensemble_repeat(ctx, 4);
  ASSERT_EQ(members.size(0), 4);
  EXPECT_TRUE(at::equal(members[3], ctx[0]));
  at::Tensor traj = rollout(diffusion_window_fn(den, sampler, 5, theta), members, 2, 5, 4);
  ASSERT_EQ(traj.sizes(), at::IntArrayRef({4, 2, 4, 4, 4}));
  EXPECT_GT(max_abs(traj[0] - traj[1]), 1e-4);
  // The surrogate is deterministic: identical members stay identical.
  Surrogate sur(2, tiny(2));
  at::Tensor straj = rollout(surrogate_window_fn(sur, 5, theta), members, 1, 5, 6);
  ASSERT_EQ(straj.sizes(), at::IntArrayRef({4, 2, 6, 4, 4}));
  EXPECT_LT(max_abs(straj[0] - straj[3]), 1e-5);
  // Two samples with their own parameters, two members each: members follow their sample's theta.
  at::Tensor theta2 = at::tensor({1.4f, 1.f, 1.1f, 0.f}).reshape({2, 2});
  at::Tensor pair = ensemble_repeat(at::cat({ctx, ctx}, 0), 2);
  at::Tensor ptraj = rollout(surrogate_window_fn(sur, 5, theta2), pair, 2, 5, 3);
  EXPECT_LT(max_abs(ptraj[0] - ptraj[1]), 1e-5);
  EXPECT_LT(max_abs(ptraj[2] - ptraj[3]), 1e-5);
  EXPECT_GT(max_abs(ptraj[0] - ptraj[2]), 1e-5);
  EXPECT_THROW(rollout(surrogate_window_fn(sur, 5, at::randn({3, 2})), pair, 2, 5, 3), leap::InputError);
}

// A rollout observed at lead 5 only (window 4, context 1: the second window predicts leads 4..6):
// the first window is the unguided rollout's, bit for bit (same noise, no guidance); at lead 5 the
// subsampled points reach the observed values (noise 1e-4, as many MMPS iterations as observations),
// which the unguided rollout does not.
TEST(ObservedRollout, GuidesTheWindowsOfTheObservedLeads) {
  at::manual_seed(5);
  Denoiser den(2, tiny());
  den->eval();
  SamplerConfig sc;
  sc.steps = 8;
  Sampler sampler(sc);
  const at::Tensor ctx = at::randn({2, 2, 1, 4, 4});
  FrameObservations obs;
  obs.A = subsample_operator(2);  // (2, 4, 4) -> 8 values
  obs.leads = {5};
  obs.values = at::randn({1, 8});
  obs.noise_std = 1e-4;
  obs.iterations = 8;
  const FrameDecoder identity = [](const at::Tensor& x) { return x; };
  at::manual_seed(11);
  const at::Tensor g = rollout(observed_diffusion_window_fn(den, sampler, 4, 1, {}, identity, obs), ctx, 1, 4, 6);
  at::manual_seed(11);
  const at::Tensor u = rollout(diffusion_window_fn(den, sampler, 4), ctx, 1, 4, 6);
  ASSERT_EQ(g.sizes(), u.sizes());
  EXPECT_TRUE(at::equal(g.narrow(2, 0, 3), u.narrow(2, 0, 3)));
  const at::Tensor y = obs.values[0].unsqueeze(0);
  const double guided = max_abs(obs.A(g.select(2, 4)) - y), unguided = max_abs(obs.A(u.select(2, 4)) - y);
  EXPECT_LT(guided, 1e-2) << "unguided " << unguided;
  EXPECT_GT(unguided, 0.3);
  // Leads must increase and match the rows of values.
  FrameObservations bad = obs;
  bad.leads = {5, 4};
  bad.values = at::randn({2, 8});
  EXPECT_THROW(observed_diffusion_window_fn(den, sampler, 4, 1, {}, identity, bad), leap::InputError);
  bad.leads = {4, 5, 6};
  EXPECT_THROW(observed_diffusion_window_fn(den, sampler, 4, 1, {}, identity, bad), leap::InputError);
}

TEST(DiffusionConfig, YamlAndValidation) {
  using namespace leap::config;
  auto cfg = parse_config<DiffusionConfig>(
      load_yaml_text("sampler:\n  algorithm: heun\n  steps: 8\ncontext:\n  context_max: 3\n", "d.yaml"),
      "d.yaml");
  cfg.validate("d.yaml");
  EXPECT_EQ(cfg.sampler.algorithm, "heun");
  EXPECT_EQ(cfg.sampler.steps, 8);
  EXPECT_DOUBLE_EQ(cfg.schedule.sigma_max, 1e3);
  EXPECT_THROW(
      parse_config<DiffusionConfig>(load_yaml_text("sampler:\n  algorithm: rk4\n", "d.yaml"), "d.yaml"),
      leap::InputError);
  // Relations between keys are checked when the section is read at top level.
  EXPECT_THROW(parse_config<DiffusionConfig>(
                   load_yaml_text("schedule:\n  sigma_min: 10\n  sigma_max: 1\n", "d.yaml"), "d.yaml"),
               leap::InputError);
  ScheduleConfig bad;
  bad.sigma_min = 10;
  bad.sigma_max = 1;
  EXPECT_THROW(bad.validate("d.yaml", "diffusion.schedule"), leap::InputError);
  SamplerConfig defaults;
  EXPECT_EQ(defaults.algorithm, "ab");
  EXPECT_EQ(defaults.steps, 16);
  EXPECT_EQ(defaults.order, 3);
}

}  // namespace
