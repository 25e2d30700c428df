// ViT denoiser and its parts: shapes, conditioning wiring (noise level and parameters), attention
// against a direct computation, rotary embedding's relative-position property, masked context
// (known frames returned bit-for-bit), the deterministic surrogate in latent and pixel space.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <cmath>

#include "leap/config/load.h"
#include "leap/models/attention.h"
#include "leap/models/context_mask.h"
#include "leap/models/denoiser.h"
#include "leap/models/rms_norm.h"
#include "leap/models/rotary_embedding.h"
#include "leap/models/sine_encoding.h"
#include "leap/models/surrogate.h"
#include "leap/models/vit.h"
#include "tiny_models.h"

namespace {

using namespace leap::models;
using leap::test::max_abs;
ViTConfig tiny(int params = 3, int patch = 1) {
  return leap::test::tiny_vit(params, patch);
}


TEST(ViT, Shapes) {
  at::manual_seed(0);
  ViT vit(tiny(), 5, 2, /*time_conditioned=*/true);
  at::Tensor y = vit->forward(at::randn({2, 5, 3, 4, 6}), at::randn({2}), at::randn({2, 3}));
  EXPECT_EQ(y.sizes(), at::IntArrayRef({2, 2, 3, 4, 6}));
  // Patch size 2: a (8, 4) field is 4x2 tokens per frame, output at full resolution.
  ViT patched(tiny(0, 2), 3, 3, false);
  EXPECT_EQ(patched->forward(at::randn({1, 3, 2, 8, 4})).sizes(), at::IntArrayRef({1, 3, 2, 8, 4}));
  EXPECT_THROW(patched->forward(at::randn({1, 3, 2, 7, 4})), leap::InputError);
  EXPECT_THROW(vit->forward(at::randn({2, 5, 3, 4, 6}), at::randn({2}), at::randn({2, 4})), leap::InputError);
  EXPECT_THROW(vit->forward(at::randn({2, 5, 3, 4, 6}), at::Tensor(), at::randn({2, 3})), leap::Error);
  auto coords = ViTImpl::coordinates(2, 3, 4, at::TensorOptions().dtype(at::kFloat));
  EXPECT_EQ(coords.sizes(), at::IntArrayRef({24, 3}));
  EXPECT_EQ(coords[23][0].item<float>(), 1.f);
  EXPECT_EQ(coords[23][1].item<float>(), 2.f);
  EXPECT_EQ(coords[23][2].item<float>(), 3.f);
}

TEST(ViT, ConditioningIsWired) {
  at::manual_seed(1);
  ViT vit(tiny(3), 4, 4, true);
  vit->eval();
  at::Tensor x = at::randn({2, 4, 2, 4, 4});
  at::Tensor noise = at::full({2}, 3.0);
  at::Tensor theta = at::tensor({1.4f, 0.f, 1.f, 1.1f, 1.f, 0.f}).reshape({2, 3});
  at::Tensor y = vit->forward(x, noise, theta);
  // Permuted parameter vector.
  at::Tensor yp = vit->forward(x, noise, theta.index_select(1, at::tensor({2, 0, 1}, at::kLong)));
  EXPECT_GT(max_abs(y - yp), 1e-5);
  // Different diffusion time.
  at::Tensor yt = vit->forward(x, at::full({2}, -20.0), theta);
  EXPECT_GT(max_abs(y - yt), 1e-5);
  // Conditioning is per sample: changing sample 1's parameters leaves sample 0 alone.
  at::Tensor theta2 = theta.clone();
  theta2[1][0] = 5.0;
  at::Tensor y2 = vit->forward(x, noise, theta2);
  EXPECT_LT(max_abs(y2[0] - y[0]), 1e-6);
  EXPECT_GT(max_abs(y2[1] - y[1]), 1e-5);
  // Tokens interact through attention: perturbing one frame changes the others.
  at::Tensor x3 = x.clone();
  x3.select(2, 0).add_(1.0);
  EXPECT_GT(max_abs(vit->forward(x3, noise, theta).select(2, 1) - y.select(2, 1)), 1e-6);
}

TEST(Attention, FallbackEqualsDirectComputation) {
  at::manual_seed(2);
  const int64_t B = 2, H = 3, L = 5, d = 4;
  at::Tensor q = at::randn({B, H, L, d}), k = at::randn({B, H, L, d}), v = at::randn({B, H, L, d});
  at::Tensor direct = at::zeros({B, H, L, d}, at::kDouble);
  auto qa = q.to(at::kDouble), ka = k.to(at::kDouble), va = v.to(at::kDouble);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t i = 0; i < L; ++i) {
        std::vector<double> s(L);
        double mx = -1e300, z = 0;
        for (int64_t j = 0; j < L; ++j) {
          s[j] = (qa[b][h][i] * ka[b][h][j]).sum().item<double>() / std::sqrt(double(d));
          mx = std::max(mx, s[j]);
        }
        for (int64_t j = 0; j < L; ++j) z += (s[j] = std::exp(s[j] - mx));
        for (int64_t j = 0; j < L; ++j) direct[b][h][i] += va[b][h][j] * (s[j] / z);
      }
  EXPECT_LT(max_abs(attention_fallback(q, k, v).to(at::kDouble) - direct), 1e-5);
  EXPECT_LT(max_abs(attention(q, k, v).to(at::kDouble) - direct), 1e-5);
  std::printf("attention kernel: %s\n",
              attention_uses_sdpa() ? "at::scaled_dot_product_attention" : "fallback");
}

TEST(RotaryEmbedding, DotProductsDependOnRelativePositionOnly) {
  at::manual_seed(3);
  RotaryEmbedding rope(8, 3);
  at::Tensor q = at::randn({8}), k = at::randn({8});
  auto score = [&](std::vector<float> p, std::vector<float> r) {
    at::Tensor ap = rope->forward(at::tensor(p).reshape({1, 3})),
               ar = rope->forward(at::tensor(r).reshape({1, 3}));
    return (apply_rotary(q.reshape({1, 8}), ap) * apply_rotary(k.reshape({1, 8}), ar)).sum().item<double>();
  };
  const double s1 = score({0, 1, 2}, {1, 3, 0}), s2 = score({2, 4, 1}, {3, 6, -1});
  EXPECT_NEAR(s1, s2, 1e-4);
  EXPECT_GT(std::abs(s1 - score({0, 1, 2}, {2, 3, 0})), 1e-4);  // position does matter
  // Rotation preserves norms.
  at::Tensor a = rope->forward(at::tensor({1.f, 2.f, 3.f}).reshape({1, 3}));
  EXPECT_NEAR(apply_rotary(q.reshape({1, 8}), a).norm().item<double>(), q.norm().item<double>(), 1e-5);
}

TEST(Encodings, SineAndRmsNorm) {
  at::Tensor e = sine_encoding(at::tensor({2.0f}), 6, 100.0);  // freqs 1, 0.1, 0.01
  ASSERT_EQ(e.sizes(), at::IntArrayRef({1, 6}));
  const double f[3] = {1.0, 0.1, 0.01};
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(e[0][i].item<double>(), std::sin(2.0 * f[i]), 1e-6);
    EXPECT_NEAR(e[0][i + 3].item<double>(), std::cos(2.0 * f[i]), 1e-6);
  }
  at::Tensor x = at::tensor({3.f, 4.f});
  at::Tensor r = rms_norm(x, 0.0);
  EXPECT_NEAR(r[0].item<double>(), 3 / std::sqrt(12.5), 1e-6);
  EXPECT_NEAR(r[1].item<double>(), 4 / std::sqrt(12.5), 1e-6);
}

TEST(Denoiser, KnownFramesComeBackBitForBit) {
  at::manual_seed(4);
  Denoiser den(3, tiny(2));
  den->eval();
  const int64_t B = 3, T = 5;
  at::Tensor clean = at::randn({B, 3, T, 4, 4});
  at::Tensor mask = at::zeros({B, T}, at::kBool);
  mask[0][0] = true;                            // context 1 at the start
  mask[1][0] = mask[1][1] = mask[1][2] = true;  // context 3
  mask[2][3] = mask[2][4] = true;               // context 2 at the end
  at::Tensor sigma = at::tensor({0.01f, 1.f, 100.f});
  at::Tensor x_t = clean + sigma.reshape({B, 1, 1, 1, 1}) * at::randn_like(clean);
  at::Tensor theta = at::randn({B, 2});
  at::Tensor d = den->forward(x_t, sigma, mask, clean, theta);
  ASSERT_EQ(d.sizes(), clean.sizes());
  at::Tensor m = broadcast_mask(mask).expand_as(clean);
  EXPECT_TRUE(at::equal(d.masked_select(m), clean.masked_select(m)));
  EXPECT_GT(max_abs(d.masked_select(~m) - clean.masked_select(~m)), 1e-3);
  // Known frames' values reach the prediction of unknown ones (the context conditions).
  at::Tensor clean2 = clean.clone();
  clean2[0].select(1, 0).add_(1.0);
  at::Tensor d2 = den->forward(x_t, sigma, mask, clean2, theta);
  EXPECT_GT(max_abs(d2[0].narrow(1, 1, 4) - d[0].narrow(1, 1, 4)), 1e-6);
  // Unknown frames of the context argument are ignored.
  at::Tensor clean3 = clean.clone();
  clean3[0].select(1, 4).add_(1.0);
  EXPECT_TRUE(at::equal(den->forward(x_t, sigma, mask, clean3, theta), d));
  EXPECT_THROW(den->forward(x_t, sigma, at::zeros({B, 4}, at::kBool), clean, theta), leap::InputError);
}

TEST(Surrogate, LatentAndPixelSpace) {
  at::manual_seed(5);
  Surrogate latent(4, tiny(0));
  at::Tensor x = at::randn({2, 4, 5, 4, 4});
  at::Tensor mask = context_mask(2, 5, 2);
  at::Tensor y = latent->forward(x, mask);
  ASSERT_EQ(y.sizes(), x.sizes());
  EXPECT_TRUE(at::equal(y.narrow(2, 0, 2), x.narrow(2, 0, 2)));
  EXPECT_GT(max_abs(y.narrow(2, 2, 3) - x.narrow(2, 2, 3)), 1e-3);
  // Unknown frames of the input do not leak into the prediction.
  at::Tensor x2 = x.clone();
  x2.narrow(2, 3, 2).add_(5.0);
  EXPECT_TRUE(at::equal(latent->forward(x2, mask).narrow(2, 2, 3), y.narrow(2, 2, 3)));
  // Pixel space: physical fields, patch 4, a 16x8 field.
  Surrogate pixel(2, tiny(1, 4));
  at::Tensor px = at::randn({1, 2, 3, 16, 8});
  EXPECT_EQ(pixel->forward(px, context_mask(1, 3, 1), at::randn({1, 1})).sizes(), px.sizes());
  // The MSE loss covers unknown frames only and trains.
  at::Tensor loss = surrogate_loss(latent, x, mask);
  EXPECT_GT(loss.item<double>(), 0.0);
  loss.backward();
  EXPECT_GT(latent->net->in_proj->weight.grad().abs().sum().item<double>(), 0.0);
}

TEST(ViTConfig, YamlAndValidation) {
  using namespace leap::config;
  auto cfg = parse_config<ViTConfig>(
      load_yaml_text("width: 64\nheads: 4\ndepth: 3\nparam_features: 3\n", "v.yaml"), "v.yaml");
  cfg.validate("v.yaml");
  EXPECT_EQ(cfg.width, 64);
  EXPECT_EQ(cfg.ffn_factor, 4);
  EXPECT_TRUE(cfg.qk_norm);
  EXPECT_THROW(parse_config<ViTConfig>(load_yaml_text("width: 64\nheads: 5\n", "v.yaml"), "v.yaml"),
               leap::InputError);
  ViTConfig bad;
  bad.heads = 3;
  EXPECT_THROW(bad.validate("v.yaml", "emulator.vit"), leap::InputError);
  EXPECT_THROW(ViT(bad, 4, 4, true), leap::InputError);
  EXPECT_THROW(parse_config<ViTConfig>(load_yaml_text("widht: 64\n", "v.yaml"), "v.yaml"), leap::InputError);
  // Paper-scale defaults.
  ViTConfig paper;
  EXPECT_EQ(paper.width, 1024);
  EXPECT_EQ(paper.depth, 16);
  EXPECT_EQ(paper.heads, 8);
  EXPECT_EQ(paper.patch_size, 1);
}

}  // namespace
