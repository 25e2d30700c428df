// The fast emulation path on the CPU: the engine computes exactly what the sampler and denoiser do
// (same noise, same frames) and its rollout is models::rollout (same frames again), its bf16 variant stays
// within bf16 tolerance of fp32, the autocast guard switches matrix products to bf16 and restores the
// previous state, and CUDA graphs refuse politely in a build without CUDA. The same paths on a GPU are tested
// in tests/gpu.
#include <ATen/ATen.h>
#include <ATen/autocast_mode.h>
#include <gtest/gtest.h>
#include <torch/version.h>

#include <vector>

#include "leap/error.h"
#include "leap/models/attention.h"
#include "leap/models/autocast_guard.h"
#include "leap/models/context_mask.h"
#include "leap/models/cuda_graph.h"
#include "leap/models/dcae.h"
#include "leap/models/emulation_engine.h"
#include "leap/models/rollout.h"
#include "leap/version.h"

namespace {

using namespace leap::models;

ViTConfig tiny() {
  ViTConfig c;
  c.width = 32;
  c.depth = 2;
  c.heads = 2;
  c.emb_features = 16;
  c.param_features = 2;
  return c;
}

double rel(const at::Tensor& a, const at::Tensor& b) {
  return ((a.to(at::kDouble) - b.to(at::kDouble)).norm() / b.to(at::kDouble).norm()).item<double>();
}

TEST(EmulationEngine, EqualsSamplerAndDenoiserWithTheSameNoise) {
  at::manual_seed(1);
  Denoiser den(3, tiny());
  den->eval();
  SamplerConfig sc;
  sc.steps = 6;
  const Sampler sampler(sc);
  const at::Tensor ctx = at::randn({2, 3, 2, 4, 4}), theta = at::rand({2, 2}),
                   eps = at::randn({2, 3, 5, 4, 4});
  // Reference: the window assembled by hand.
  const at::Tensor known = at::cat({ctx, at::zeros({2, 3, 3, 4, 4})}, 2);
  const at::Tensor mask = context_mask(2, 5, 2);
  const at::Tensor ref = sampler.sample(
      [&](const at::Tensor& x, const at::Tensor& s) { return den->forward(x, s, mask, known, theta); },
      sampler.start(eps));
  EmulationEngine engine(den, sampler, 5, 2);
  const auto r = engine.step(ctx, theta, eps);
  ASSERT_EQ(r.latent.sizes(), at::IntArrayRef({2, 3, 3, 4, 4}));
  EXPECT_FALSE(r.decoded.defined());
  EXPECT_TRUE(at::equal(r.latent, ref.narrow(2, 2, 3)));
  // Without given noise the engine draws it from the generator: same seed, same frames.
  at::manual_seed(7);
  const at::Tensor a = engine.step(ctx, theta).latent;
  at::manual_seed(7);
  EXPECT_TRUE(at::equal(a, engine.step(ctx, theta).latent));
  // Bad shapes are refused.
  EXPECT_THROW(engine.step(at::randn({2, 3, 1, 4, 4}), theta), leap::InputError);
  EXPECT_THROW(engine.step(ctx, theta, at::randn({2, 3, 4, 4, 4})), leap::InputError);
  EXPECT_THROW(EmulationEngine(den, sampler, 5, 5), leap::InputError);
}

// The engine's rollout (the hybrid emulator's) is models::rollout, the loop `leap evaluate` runs with a
// checkpoint's window function: from the same noise both give the same frames, bit for bit, over
// horizons that end inside a window, and both match windows of step() chained by hand.
TEST(EmulationEngine, RolloutEqualsModelsRolloutAndChainedSteps) {
  at::manual_seed(4);
  Denoiser den(3, tiny());
  SamplerConfig sc;
  sc.steps = 4;
  const Sampler sampler(sc);
  EmulationEngine engine(den, sampler, 5, 2);  // 3 new frames per window
  const at::Tensor initial = ensemble_repeat(at::randn({1, 3, 3, 4, 4}), 2), theta = at::rand({2, 2});
  for (const int64_t horizon : {1, 3, 7}) {
    at::manual_seed(11);
    const at::Tensor a = engine.rollout(initial, theta, horizon);
    at::manual_seed(11);
    const at::Tensor b = rollout(diffusion_window_fn(den, sampler, 5, theta), initial, 2, 5, horizon);
    ASSERT_EQ(a.sizes(), at::IntArrayRef({2, 3, horizon, 4, 4}));
    EXPECT_TRUE(at::equal(a, b)) << "horizon " << horizon;
  }
  // By hand: three windows of step() from the noise the engine draws (one (B, C, w, X, Y) draw per
  // window), each context the last two frames so far.
  at::manual_seed(5);
  std::vector<at::Tensor> eps;
  for (int k = 0; k < 3; ++k) eps.push_back(at::randn({2, 3, 5, 4, 4}));
  std::vector<at::Tensor> frames;
  at::Tensor ctx = initial.narrow(2, 1, 2);
  for (const auto& e : eps) {
    const at::Tensor fresh = engine.step(ctx, theta, e).latent;
    frames.push_back(fresh);
    ctx = fresh.narrow(2, 1, 2);
  }
  const at::Tensor hand = at::cat(frames, 2).narrow(2, 0, 8);
  at::manual_seed(5);
  EXPECT_TRUE(at::equal(engine.rollout(initial, theta, 8), hand));
  EXPECT_GT((hand.select(2, 7) - hand.select(2, 0)).abs().max().item<float>(), 0.f);
  EXPECT_THROW(engine.rollout(initial.narrow(2, 0, 1), theta, 3), leap::InputError);
}

TEST(EmulationEngine, DecodesTheNewFramesInOrder) {
  at::manual_seed(2);
  AutoencoderConfig ac;
  ac.in_channels = 2;
  ac.latent_channels = 3;
  ac.channels = {4, 8};
  ac.blocks = {1, 1};
  Autoencoder ae(ac);
  ae->eval();
  Denoiser den(3, tiny());
  SamplerConfig sc;
  sc.steps = 3;
  EmulationEngine engine(den, Sampler(sc), 4, 1, {},
                         [ae](const at::Tensor& z) mutable { return ae->decode(z); });
  const auto r = engine.step(at::randn({2, 3, 1, 4, 4}), at::rand({2, 2}));
  ASSERT_EQ(r.decoded.sizes(), at::IntArrayRef({2, 3, 2, 8, 8}));
  c10::NoGradGuard g;
  for (int b = 0; b < 2; ++b)
    for (int k = 0; k < 3; ++k)
      EXPECT_TRUE(
          at::allclose(r.decoded[b][k], ae->decode(r.latent.select(2, k).narrow(0, b, 1))[0], 1e-5, 1e-6));
}

TEST(EmulationEngine, Bf16StaysWithinBf16ToleranceOfFp32) {
  at::manual_seed(3);
  Denoiser den(3, tiny());
  SamplerConfig sc;
  sc.steps = 8;
  const at::Tensor ctx = at::randn({2, 3, 1, 4, 4}), theta = at::rand({2, 2}),
                   eps = at::randn({2, 3, 5, 4, 4});
  EmulationEngine fp32(den, Sampler(sc), 5, 1);
  const at::Tensor ref = fp32.step(ctx, theta, eps).latent;
  Denoiser copy(3, tiny());
  {
    c10::NoGradGuard g;
    auto src = den->parameters(), dst = copy->parameters();
    for (size_t i = 0; i < src.size(); ++i) dst[i].copy_(src[i]);
  }
  EmulationEngine bf16(copy, Sampler(sc), 5, 1, {/*bf16=*/true, false});
  EXPECT_EQ(copy->parameters()[0].scalar_type(), at::kBFloat16);
  const at::Tensor out = bf16.step(ctx, theta, eps).latent;
  EXPECT_EQ(out.scalar_type(), at::kFloat);
  const double e = rel(out, ref);
  std::printf("bf16 vs fp32 engine, relative L2 difference %.2e\n", e);
  EXPECT_GT(e, 0.0);  // it really ran in bf16
  EXPECT_LT(e, 3e-2);
}

TEST(AutocastGuard, MatrixProductsInBf16AndStateRestored) {
  const at::Tensor a = at::randn({8, 16}), b = at::randn({16, 4});
  EXPECT_EQ(at::matmul(a, b).scalar_type(), at::kFloat);
  {
    AutocastGuard g(at::kCPU, at::kBFloat16);
    const at::Tensor c = at::mm(a, b);
    EXPECT_EQ(c.scalar_type(), at::kBFloat16);
    EXPECT_LT(rel(c, at::mm(a.to(at::kDouble), b.to(at::kDouble))), 2e-2);
    {
      AutocastGuard off(at::kCPU, at::kBFloat16, /*enabled=*/false);
      EXPECT_EQ(at::mm(a, b).scalar_type(), at::kBFloat16);  // a disabled guard changes nothing
    }
  }
  EXPECT_EQ(at::mm(a, b).scalar_type(), at::kFloat);
}

TEST(Attention, KernelSwitch) {
  EXPECT_EQ(attention_kernel(), AttentionKernel::sdpa);  // the default
  set_attention_kernel(AttentionKernel::math);
  EXPECT_FALSE(attention_uses_sdpa());
  set_attention_kernel(AttentionKernel::sdpa);
  EXPECT_TRUE(attention_uses_sdpa());
}

TEST(CudaGraphCall, RefusedWithoutCuda) {
  if (CudaGraphCall::available()) GTEST_SKIP() << "this build has CUDA: tests/gpu covers CUDA graphs";
  CudaGraphCall call([](const std::vector<at::Tensor>& in) { return in; });
  EXPECT_THROW(call({at::ones({2})}), leap::Error);
  Denoiser den(3, tiny());
  EXPECT_THROW(EmulationEngine(den, Sampler(), 5, 1, {false, /*cuda_graph=*/true}), leap::InputError);
}

}  // namespace
