// The anchored denoiser (diffusion.anchor: context): EDM preconditioning with a data scale, the
// anchor frame and per-lead scales of a window for known runs at either end, the lead scales measured
// on windows, the denoiser's output equal to its anchored preconditioning computed by hand, the loss
// weighted per frame, an untrained model whose samples are persistence with the measured spread (the
// unanchored one's are the latent mean), and an anchored checkpoint's round trip and refusals.
#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "denoiser_checkpoint.h"
#include "leap/error.h"
#include "leap/models/anchor.h"
#include "leap/models/context_mask.h"
#include "leap/models/denoiser.h"
#include "leap/models/denoising_loss.h"
#include "leap/models/preconditioning.h"
#include "leap/models/sampler.h"
#include "tiny_models.h"

namespace {

using namespace leap::models;
using leap::test::max_abs;

TEST(AnchoredPreconditioning, DataScaleGeneralisesTheUnitOne) {
  const at::Tensor sigma = at::tensor({2.0, 1e-3, 1e3}, at::kDouble);
  const Preconditioning unit = edm_preconditioning(sigma),
                        one = edm_preconditioning(sigma, at::ones_like(sigma));
  EXPECT_LT(
      max_abs(unit.c_in - one.c_in) + max_abs(unit.c_out - one.c_out) + max_abs(unit.c_skip - one.c_skip),
      1e-12);
  const at::Tensor s = at::full({3}, 0.5, at::kDouble);
  const Preconditioning p = edm_preconditioning(sigma, s);
  EXPECT_NEAR(p.c_in[0].item<double>(), 1 / std::sqrt(4.25), 1e-12);
  EXPECT_NEAR(p.c_out[0].item<double>(), 1 / std::sqrt(4.25), 1e-12);
  EXPECT_NEAR(p.c_skip[0].item<double>(), 0.25 / 4.25, 1e-12);
  EXPECT_NEAR(p.c_skip[1].item<double>(), 1.0, 1e-5);  // small sigma: D ~ x_t
  EXPECT_NEAR(p.c_out[2].item<double>(), 0.5, 1e-6);   // large sigma: D ~ a + s F
  EXPECT_LT(max_abs(edm_loss_weight(sigma, s) * at::square(p.c_out) - 1), 1e-9);
}

TEST(Anchor, FrameAndScalesFollowTheKnownRun) {
  const int64_t B = 3, C = 2, T = 5;
  // Frame t of window b holds 100 b + 10 c + t everywhere.
  const at::Tensor value = 100 * at::arange(B).reshape({B, 1, 1, 1, 1}) +
                           10 * at::arange(C).reshape({1, C, 1, 1, 1}) +
                           at::arange(T).reshape({1, 1, T, 1, 1});
  const at::Tensor context = value.to(at::kFloat).expand({B, C, T, 3, 2}).contiguous();
  // Window 0: frames 0, 1 known (start); window 1: frames 3, 4 known (end); window 2: none known.
  const at::Tensor mask =
      at::cat({context_mask(1, T, 2), context_mask(1, T, 2, true), at::zeros({1, T}, at::kBool)});
  const at::Tensor a = anchor_frame(mask, context);
  ASSERT_EQ(a.sizes(), at::IntArrayRef({B, C, 1, 3, 2}));
  EXPECT_TRUE(at::equal(a[0], context[0].narrow(1, 1, 1)));
  EXPECT_TRUE(at::equal(a[1], context[1].narrow(1, 3, 1)));
  EXPECT_EQ(max_abs(a[2]), 0.0);
  const std::vector<double> leads{0.2, 0.5, 0.7, 0.9};
  const at::Tensor s = anchor_scale(mask, 5, lead_table(leads), at::TensorOptions().dtype(at::kDouble));
  ASSERT_EQ(s.sizes(), at::IntArrayRef({B, 1, T, 1, 1}));
  const at::Tensor want =
      at::tensor({1.0, 1.0, 0.2, 0.5, 0.7, 0.7, 0.5, 0.2, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0}, at::kDouble)
          .reshape({B, 1, T, 1, 1});
  EXPECT_LT(max_abs(s - want), 1e-7);  // the lead table is float
  EXPECT_THROW(anchor_scale(mask, 5, lead_table({0.2, 0.5}), at::TensorOptions()), leap::InputError);
}

TEST(Anchor, MeasuredScalesAreTheRmsDepartures) {
  at::manual_seed(4);
  // Frame k = frame 0 + k * 0.3 * (+-1): the RMS departure at lead k is 0.3 k exactly.
  const at::Tensor first = at::randn({6, 2, 1, 4, 4}, at::kDouble);
  const at::Tensor sign = at::where(at::rand({6, 2, 1, 4, 4}) < 0.5, -1.0, 1.0).to(at::kDouble);
  const at::Tensor windows = first + 0.3 * sign * at::arange(4, at::kDouble).reshape({1, 1, 4, 1, 1});
  const std::vector<double> s = measure_lead_scales(windows);
  ASSERT_EQ(s.size(), 3u);
  for (int k = 1; k <= 3; ++k) EXPECT_NEAR(s[size_t(k - 1)], 0.3 * k, 1e-12) << k;
  EXPECT_EQ(measure_lead_scales(first.expand({6, 2, 3, 4, 4}))[1], 1e-3);  // constant windows: the floor
  EXPECT_THROW(measure_lead_scales(first), leap::InputError);
}

TEST(AnchoredDenoiser, IsTheAnchoredPreconditioningOfItsNetwork) {
  at::manual_seed(5);
  const std::vector<double> leads{0.3, 0.6, 0.8};
  Denoiser den(2, leap::test::tiny_vit(1), ScheduleConfig{}, leads);
  den->eval();
  c10::NoGradGuard no_grad;
  const at::Tensor x = at::randn({2, 2, 4, 4, 4}), ctx = at::randn({2, 2, 4, 4, 4}),
                   theta = at::randn({2, 1});
  const at::Tensor mask = at::cat({context_mask(1, 4, 1), context_mask(1, 4, 2, true)});
  const at::Tensor sigma = at::tensor({0.7f, 5.f});
  const at::Tensor d = den->forward(x, sigma, mask, ctx, theta);
  // By hand: anchors ctx[0] frame 0 and ctx[1] frame 2; scales per frame.
  const at::Tensor a = at::stack({ctx[0].narrow(1, 0, 1), ctx[1].narrow(1, 2, 1)});
  const at::Tensor s = at::tensor({1.f, .3f, .6f, .8f, .6f, .3f, 1.f, 1.f}).reshape({2, 1, 4, 1, 1});
  const at::Tensor sig = sigma.reshape({2, 1, 1, 1, 1});
  const at::Tensor q = at::square(sig) + at::square(s);
  const at::Tensor m = mask.reshape({2, 1, 4, 1, 1});
  const at::Tensor in = at::cat({at::where(m, ctx, (x - a) / at::sqrt(q)),
                                 m.to(at::kFloat).expand({2, 1, 4, 4, 4}), at::where(m, ctx, at::zeros({}))},
                                1);
  const at::Tensor f = den->net->forward(in, 10 * at::log(sigma), theta);
  const at::Tensor want = at::where(m, ctx, a + at::square(s) / q * (x - a) + sig * s / at::sqrt(q) * f);
  EXPECT_LT(max_abs(d - want), 1e-5);
  EXPECT_TRUE(at::equal(d.masked_select(m.expand_as(d)), ctx.masked_select(m.expand_as(ctx))));
  // The loss weights every unknown frame by (sigma^2 + s^2) / (sigma s)^2.
  const at::Tensor noise = at::randn_like(x);
  at::Tensor dn = den->forward(ctx + sig * noise, sigma, mask, ctx, theta);
  const at::Tensor w = q / at::square(sig * s);
  const at::Tensor unknown = at::logical_not(m).to(at::kFloat).expand_as(ctx);
  const double by_hand = ((w * at::square(dn - ctx) * unknown).sum() / unknown.sum()).item<double>();
  EXPECT_NEAR(denoising_loss(den, ctx, mask, theta, sigma, noise).item<double>(), by_hand, 1e-5 * by_hand);
  EXPECT_THROW(Denoiser(2, leap::test::tiny_vit(1), ScheduleConfig{}, std::vector<double>{0.3, 0.0, 0.8}),
               leap::InputError);
}

// A network whose output is 0 (all its parameters zeroed): the anchored model's prior. At the largest
// noise level it predicts the anchor (persistence) where the unanchored one predicts 0 (the latent
// mean), and the sampler then draws the unknown frames as anchor + noise of each lead's scale.
TEST(AnchoredDenoiser, AnUntrainedModelSamplesPersistence) {
  at::manual_seed(6);
  const std::vector<double> leads{0.2, 0.4};
  Denoiser anchored(1, leap::test::tiny_vit(), ScheduleConfig{}, leads), plain(1, leap::test::tiny_vit());
  c10::NoGradGuard no_grad;
  for (auto* den : {&anchored, &plain}) {
    (*den)->eval();
    for (auto& p : (*den)->parameters()) p.zero_();
  }
  const int64_t B = 256;
  const at::Tensor ctx = at::randn({B, 1, 3, 4, 4}) + 2.0;
  const at::Tensor mask = context_mask(B, 3, 1);
  const at::Tensor a = ctx.narrow(2, 0, 1);
  const at::Tensor big = at::full({B}, 1e3f), x = a + 1e3 * at::randn({B, 1, 3, 4, 4});
  EXPECT_LT(max_abs(anchored->forward(x, big, mask, ctx).narrow(2, 1, 2) - a), 0.02);
  EXPECT_LT(max_abs(plain->forward(x, big, mask, ctx).narrow(2, 1, 2)), 0.02);
  const Sampler sampler(SamplerConfig{}, ScheduleConfig{});
  const at::Tensor w = sampler.sample(
      [&](const at::Tensor& xt, const at::Tensor& sig) { return anchored->forward(xt, sig, mask, ctx); },
      sampler.init(ctx.sizes(), ctx.options()));
  for (int64_t k = 1; k <= 2; ++k) {
    const at::Tensor dep = w.narrow(2, k, 1) - a;
    EXPECT_LT(std::abs(dep.mean().item<double>()), 0.01) << k;
    EXPECT_NEAR(dep.std().item<double>(), leads[size_t(k - 1)], 0.1 * leads[size_t(k - 1)]) << k;
  }
}

TEST(AnchoredDenoiser, CheckpointKeepsTheLeadScales) {
  at::manual_seed(7);
  const leap::models::ViTConfig vit = leap::test::tiny_vit(1);
  DiffusionConfig diffusion;
  diffusion.anchor = "context";
  diffusion.sampler.steps = 2;
  Denoiser den(2, vit, diffusion.schedule, std::vector<double>{0.25, 0.5});
  auto loaded = leap::test::save_and_load_denoiser(den, vit, diffusion, 3);
  ASSERT_TRUE(loaded.denoiser);
  EXPECT_EQ(loaded.diffusion.anchor, "context");
  EXPECT_EQ(loaded.denoiser->lead_scales(), den->lead_scales());
  den->eval();
  c10::NoGradGuard no_grad;
  const at::Tensor x = at::randn({1, 2, 3, 4, 4}), mask = context_mask(1, 3, 1), th = at::randn({1, 1});
  const at::Tensor sigma = at::full({1}, 0.5);
  EXPECT_TRUE(
      at::equal(loaded.denoiser->forward(x, sigma, mask, x, th), den->forward(x, sigma, mask, x, th)));
  // An anchored checkpoint without its lead scales, or with too few, is refused naming the key.
  Denoiser bare(2, vit, diffusion.schedule), short_one(2, vit, diffusion.schedule, std::vector<double>{0.25});
  for (auto* d : {&bare, &short_one}) {
    try {
      leap::test::save_and_load_denoiser(*d, vit, diffusion, 3);
      ADD_FAILURE() << "an anchored checkpoint with " << (*d)->lead_scales().size() << " lead scales loaded";
    } catch (const leap::InputError& e) {
      EXPECT_NE(std::string(e.what()).find("model.lead_scales"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
