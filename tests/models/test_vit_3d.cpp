// The ViT over (t, x, y, z) tokens (spatial_dims 3): shapes with anisotropic patches and grids,
// patchify against its definition and its round trip, tokens in the order of their coordinates, the
// forward pass built from those public parts, rotary embedding over four coordinates relative
// (scores and whole blocks unchanged when every position shifts by a constant, changed when one
// token's z moves), the config keys (spatial_dims, patch_sizes) with their errors, and the 2-D ViT,
// denoiser and surrogate still giving the outputs recorded before the 3-D change (fixed seeds).
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <c10/core/GradMode.h>
#include <torch/nn/modules/linear.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "leap/config/load.h"
#include "leap/error.h"
#include "leap/models/context_mask.h"
#include "leap/models/denoiser.h"
#include "leap/models/modulated_block.h"
#include "leap/models/rotary_embedding.h"
#include "leap/models/sine_encoding.h"
#include "leap/models/surrogate.h"
#include "leap/models/vit.h"
#include "tiny_models.h"

namespace {

using namespace leap::models;
using leap::test::max_abs;
ViTConfig tiny3(std::vector<int> patch = {}, int params = 0) {
  return leap::test::tiny_vit_3d(std::move(patch), params);
}
ViTConfig tiny2(int params, int patch) {
  return leap::test::tiny_vit(params, patch);
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

TEST(ViT3D, ShapesWithAnisotropicPatchesAndGrids) {
  at::manual_seed(0);
  // Patches (1, 2, 4) on a (3, 4, 8) grid: 3 x 2 x 2 tokens per frame.
  ViT vit(tiny3({1, 2, 4}, 2), 3, 5, /*time_conditioned=*/true);
  EXPECT_EQ(vit->spatial_dims(), 3);
  EXPECT_EQ(vit->in_proj->weight.sizes(), at::IntArrayRef({32, 3 * 8}));
  EXPECT_EQ(vit->out_proj->weight.sizes(), at::IntArrayRef({5 * 8, 32}));
  EXPECT_EQ(vit->pos_proj->weight.sizes(), at::IntArrayRef({32, 4 * 32}));  // (t, x, y, z) encodings
  EXPECT_EQ(vit->blocks[0]->as<ModulatedBlock>()->rope->theta.sizes(), at::IntArrayRef({4, 16}));
  at::Tensor y = vit->forward(at::randn({2, 3, 2, 3, 4, 8}), at::randn({2}), at::randn({2, 2}));
  EXPECT_EQ(y.sizes(), at::IntArrayRef({2, 5, 2, 3, 4, 8}));
  EXPECT_TRUE(at::isfinite(y).all().item<bool>());
  // Patch 1 on an odd anisotropic grid.
  ViT latent(tiny3(), 2, 2, false);
  EXPECT_EQ(latent->forward(at::randn({1, 2, 3, 5, 2, 3})).sizes(), at::IntArrayRef({1, 2, 3, 5, 2, 3}));
  // patch_size alone applies to every axis in 3-D as in 2-D.
  ViTConfig cubic = tiny3();
  cubic.patch_size = 2;
  ViT cubes(cubic, 2, 2, false);
  EXPECT_EQ(cubes->in_proj->weight.size(1), 2 * 8);
  EXPECT_EQ(cubes->forward(at::randn({1, 2, 1, 4, 2, 6})).sizes(), at::IntArrayRef({1, 2, 1, 4, 2, 6}));
  // Refused: a 2-D window for a 3-D ViT, a z size not a multiple of its patch, 3-D for a 2-D ViT.
  EXPECT_THROW(vit->forward(at::randn({2, 3, 2, 3, 4}), at::randn({2}), at::randn({2, 2})), leap::InputError);
  const std::string msg = message_of([&] {
    vit->forward(at::randn({2, 3, 2, 3, 4, 6}), at::randn({2}), at::randn({2, 2}));
  });
  EXPECT_NE(msg.find("X, Y, Z"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[1, 2, 4]"), std::string::npos) << msg;
  ViTConfig flat = tiny3();
  flat.spatial_dims = 2;
  EXPECT_THROW(ViT(flat, 2, 2, false)->forward(at::randn({1, 2, 1, 2, 2, 2})), leap::InputError);
  // Coordinates of a (T, X', Y', Z') grid: row-major, four per token.
  at::Tensor coords = ViTImpl::coordinates({2, 3, 2, 2}, at::TensorOptions().dtype(at::kFloat));
  ASSERT_EQ(coords.sizes(), at::IntArrayRef({24, 4}));
  EXPECT_TRUE(at::equal(coords[23], at::tensor({1.f, 2.f, 1.f, 1.f})));
  EXPECT_TRUE(at::equal(coords[5], at::tensor({0.f, 1.f, 0.f, 1.f})));
}

TEST(Patchify, TokensFollowTheDefinitionAndRoundTrip) {
  at::manual_seed(1);
  const int64_t B = 2, C = 3, T = 2, px = 2, py = 3, pz = 1, X = 2, Y = 2, Z = 3;
  const at::Tensor x = at::randn({B, C, T, X * px, Y * py, Z * pz});
  const at::Tensor tok = patchify(x, {px, py, pz});
  ASSERT_EQ(tok.sizes(), at::IntArrayRef({B, T * X * Y * Z, C * px * py * pz}));
  auto xa = x.accessor<float, 6>();
  auto ta = tok.accessor<float, 3>();
  int64_t checked = 0;
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0; t < T; ++t)
      for (int64_t i = 0; i < X; ++i)
        for (int64_t j = 0; j < Y; ++j)
          for (int64_t k = 0; k < Z; ++k)
            for (int64_t c = 0; c < C; ++c)
              for (int64_t a = 0; a < px; ++a)
                for (int64_t e = 0; e < py; ++e)
                  for (int64_t f = 0; f < pz; ++f) {
                    const int64_t token = ((t * X + i) * Y + j) * Z + k;
                    const int64_t channel = ((c * px + a) * py + e) * pz + f;
                    ASSERT_EQ(ta[b][token][channel], xa[b][c][t][i * px + a][j * py + e][k * pz + f]);
                    ++checked;
                  }
  EXPECT_EQ(checked, x.numel());
  // Round trips, exact, in 3-D and 2-D.
  EXPECT_TRUE(at::equal(unpatchify(tok, {T, X, Y, Z}, {px, py, pz}), x));
  const at::Tensor x2 = at::randn({2, 3, 4, 6, 8});
  const at::Tensor tok2 = patchify(x2, {3, 2});
  EXPECT_TRUE(at::equal(unpatchify(tok2, {4, 2, 4}, {3, 2}), x2));
  // In 2-D with a square patch it is the ViT's original patchify, (B, C, T, X p, Y p) -> (B, T X Y, C p p).
  const at::Tensor tok2s = patchify(x2, {2, 2});
  EXPECT_TRUE(at::equal(
      tok2s, x2.reshape({2, 3, 4, 3, 2, 4, 2}).permute({0, 2, 3, 5, 1, 4, 6}).reshape({2, 48, 12})));
  EXPECT_THROW(patchify(x, {2, 2, 2}), leap::InputError);
  EXPECT_THROW(patchify(x, {2, 3}), leap::InputError);
  EXPECT_THROW(unpatchify(tok, {T, X, Y, Z + 1}, {px, py, pz}), leap::InputError);

  // Token l sits at coordinates(grid)[l]: a field holding its own (t, x, y, z) cell index, patchified,
  // gives at each token's first patch cell the token's coordinates times the patch.
  const std::vector<int64_t> grid{T, X, Y, Z};
  std::vector<at::Tensor> axes;
  for (int64_t n : {T, X * px, Y * py, Z * pz}) axes.push_back(at::arange(n, at::kFloat));
  const auto g = at::meshgrid(axes, "ij");
  const at::Tensor index = at::stack({g[0], g[1], g[2], g[3]}, 0).unsqueeze(0);  // (1, 4, T, X, Y, Z)
  const at::Tensor first =
      patchify(index, {px, py, pz})[0].index_select(1, at::arange(4, at::kLong) * (px * py * pz));
  const at::Tensor expect = ViTImpl::coordinates(grid, at::TensorOptions().dtype(at::kFloat)) *
                            at::tensor({1.f, float(px), float(py), float(pz)});
  EXPECT_TRUE(at::equal(first, expect));
}

TEST(ViT3D, ForwardIsBuiltFromPatchifyCoordinatesAndBlocks) {
  // The forward pass, recomputed from the public parts: its tokens are patchify's, placed at
  // coordinates(grid), and its output is unpatchify's.
  at::manual_seed(2);
  ViT vit(tiny3({2, 1, 2}, 1), 2, 2, true);
  vit->eval();
  const at::Tensor x = at::randn({1, 2, 2, 4, 3, 2}), noise = at::randn({1}), theta = at::randn({1, 1});
  const std::vector<int64_t> patch{2, 1, 2}, grid{2, 2, 3, 1};
  at::Tensor h = vit->in_proj->forward(patchify(x, patch));
  const at::Tensor skip = h;
  const at::Tensor coords = ViTImpl::coordinates(grid, at::TensorOptions().dtype(at::kFloat));
  h = h + vit->pos_proj->forward(sine_encoding(coords, 32, 1e3).flatten(-2));
  const at::Tensor mod =
      vit->time_embedding->forward(sine_encoding(noise, 16, 1e3)) + vit->param_embedding->forward(theta);
  for (const auto& block : *vit->blocks) h = block->as<ModulatedBlock>()->forward(h, mod, coords, skip);
  const at::Tensor ref = unpatchify(vit->out_proj->forward(h), grid, patch);
  EXPECT_LT(max_abs(vit->forward(x, noise, theta) - ref), 1e-6);
}

// Query-key scores as SelfAttention forms them: angles (L, D/2) split over heads (H, L, d/2).
at::Tensor rotated_scores(RotaryEmbedding& rope, const at::Tensor& q, const at::Tensor& k,
                          const at::Tensor& coords) {
  const int64_t H = q.size(0), L = q.size(1), d = q.size(2);
  const at::Tensor a = rope->forward(coords).reshape({L, H, d / 2}).permute({1, 0, 2});
  return at::matmul(apply_rotary(q, a), apply_rotary(k, a).transpose(-2, -1));
}

TEST(RotaryEmbedding3D, ScoresDependOnOffsetsOnly) {
  at::manual_seed(3);
  const int64_t H = 2, L = 7, d = 8;
  RotaryEmbedding rope(H * d, 4);  // (t, x, y, z)
  ASSERT_EQ(rope->theta.sizes(), at::IntArrayRef({4, H * d / 2}));
  const at::Tensor q = at::randn({H, L, d}), k = at::randn({H, L, d});
  const at::Tensor coords = at::randint(0, 8, {L, 4}).to(at::kFloat);
  const at::Tensor s = rotated_scores(rope, q, k, coords);
  // Shift every token by the same (t, x, y, z): scores unchanged.
  const at::Tensor shifted = coords + at::tensor({3.f, -5.f, 7.f, 11.f});
  const double shifted_change = max_abs(rotated_scores(rope, q, k, shifted) - s);
  std::printf("scores: max %.3f, change under a common shift %.2e\n", max_abs(s), shifted_change);
  EXPECT_LT(shifted_change, 1e-4);
  // Move one token along each axis alone: its scores change (every axis takes part, z included).
  for (int64_t axis = 0; axis < 4; ++axis) {
    at::Tensor moved = coords.clone();
    moved[0][axis] += 1.0f;
    EXPECT_GT(max_abs(rotated_scores(rope, q, k, moved) - s), 1e-3) << "axis " << axis;
  }

  // A whole transformer block sees positions only through its rotary angles: the same shift leaves it
  // unchanged, moving one token in z does not.
  ModulatedBlockOptions o;
  o.channels = 32;
  o.heads = 2;
  o.mod_features = 8;
  o.spatial = 4;
  ModulatedBlock block(o);
  {
    c10::NoGradGuard no_grad;  // undo the small initial gates, so that attention shows in the output
    block->ada[2]->as<torch::nn::Linear>()->weight.mul_(100);
  }
  const at::Tensor x = at::randn({2, L, 32}), mod = at::randn({2, 8}), skip = at::randn({2, L, 32});
  const at::Tensor y = block->forward(x, mod, coords, skip);
  const double shift_change = max_abs(block->forward(x, mod, shifted, skip) - y);
  at::Tensor moved = coords.clone();
  moved[3][3] += 2.0f;
  const double move_change = max_abs(block->forward(x, mod, moved, skip) - y);
  std::printf("block output change: shift of every token %.2e, one token moved in z %.2e\n", shift_change,
              move_change);
  EXPECT_LT(shift_change, 1e-5);
  EXPECT_GT(move_change, 1e-3);
}

TEST(ViTConfig3D, KeysDimsAndErrors) {
  using namespace leap::config;
  auto parse = [](const std::string& text) {
    return parse_config<ViTConfig>(load_yaml_text(text, "v.yaml"), "v.yaml", "model");
  };
  // 2-D configs as before: patch_size on both axes.
  const ViTConfig two = parse("width: 64\nheads: 4\npatch_size: 2\n");
  EXPECT_EQ(two.spatial_dims, 2);
  EXPECT_EQ(two.patch(), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(two.patch_volume(), 4);
  // 3-D: one patch for every axis, or one per axis.
  const ViTConfig cube = parse("spatial_dims: 3\npatch_size: 2\n");
  EXPECT_EQ(cube.patch(), (std::vector<int64_t>{2, 2, 2}));
  const ViTConfig aniso = parse("spatial_dims: 3\npatch_sizes: [1, 2, 4]\n");
  EXPECT_EQ(aniso.patch(), (std::vector<int64_t>{1, 2, 4}));
  EXPECT_EQ(aniso.patch_volume(), 8);
  EXPECT_EQ(parse("patch_sizes: [4, 2]\n").patch(), (std::vector<int64_t>{4, 2}));
  // Errors name the key.
  auto error = [&](const std::string& text) { return message_of([&] { parse(text); }); };
  EXPECT_NE(error("spatial_dims: 4\n").find("model.spatial_dims"), std::string::npos);
  EXPECT_NE(error("spatial_dims: 3\npatch_sizes: [1, 2]\n").find("model.patch_sizes"), std::string::npos);
  EXPECT_NE(error("patch_sizes: [1, 2, 2]\n").find("model.patch_sizes"), std::string::npos);
  EXPECT_NE(error("patch_sizes: [0, 2]\n").find("model.patch_sizes"), std::string::npos);
  EXPECT_NE(error("patch_sizes: 2\n").find("model.patch_sizes"), std::string::npos);
  EXPECT_NE(error("spatial_dims: 3\npatch_size: 2\npatch_sizes: [1, 2, 2]\n").find("model.patch_size"),
            std::string::npos);
  ViTConfig bad = tiny3();
  bad.spatial_dims = 1;
  EXPECT_THROW(ViT(bad, 1, 1, false), leap::InputError);
  // The effective config (what a checkpoint's model description holds) reads back as 3-D.
  const ViTConfig back = parse(to_yaml(aniso));
  EXPECT_EQ(back.spatial_dims, 3);
  EXPECT_EQ(back.patch(), aniso.patch());
  // A description without the new keys (every 2-D checkpoint written before them) is 2-D.
  EXPECT_EQ(parse("width: 64\nheads: 4\ndepth: 2\npatch_size: 1\n").spatial_dims, 2);
}

// Reference values of the 2-D networks for fixed seeds, printed by the code before the 3-D change
// (LibTorch 2.11, CPU); that code's complete outputs, and these networks', were compared byte for
// byte with the new code's. Bit-equal on that build; the tolerance leaves room for other CPUs.
void expect_reference(const at::Tensor& y, double sum, const std::vector<std::pair<int64_t, double>>& at) {
  const at::Tensor f = y.detach().flatten().to(at::kDouble);
  EXPECT_NEAR(f.sum().item<double>(), sum, 1e-4 * (1 + std::abs(sum)));
  for (const auto& [i, v] : at) EXPECT_NEAR(f[i].item<double>(), v, 2e-6) << "element " << i;
}

TEST(ViT2D, FixedSeedOutputsUnchanged) {
  at::manual_seed(11);
  ViT vit(tiny2(3, 1), 5, 2, true);
  const at::Tensor x = at::randn({2, 5, 3, 4, 6});
  const at::Tensor y = vit->forward(x, at::randn({2}), at::randn({2, 3}));
  expect_reference(y, -3.92264555,
                   {{0, -0.281741768},
                    {37, 0.004880514},
                    {50, -0.358567744},
                    {77, 0.364683747},
                    {150, -0.180024892},
                    {191, 0.0828531682},
                    {287, -0.138571814}});
  at::manual_seed(12);
  ViT patched(tiny2(0, 2), 3, 3, false);
  expect_reference(patched->forward(at::randn({1, 3, 2, 8, 4})), 21.64555828,
                   {{0, 0.124491274},
                    {37, 1.07844675},
                    {50, 0.0641920865},
                    {77, 0.623948157},
                    {150, 0.342320114},
                    {191, 0.203180045}});
  at::manual_seed(13);
  Denoiser den(3, tiny2(2, 1));
  const at::Tensor clean = at::randn({2, 3, 5, 4, 4});
  const at::Tensor mask = context_mask(2, 5, 2);
  const at::Tensor theta = at::randn({2, 2});
  expect_reference(den->forward(clean + at::randn_like(clean), at::tensor({0.1f, 10.f}), mask, clean, theta),
                   1.993716751,
                   {{0, 0.0542497374},
                    {37, -0.538345516},
                    {50, -3.93048096},
                    {77, -1.68629479},
                    {150, -0.141793206},
                    {191, 0.450714171},
                    {287, 0.56420207},
                    {470, -0.110644817}});
}

}  // namespace
