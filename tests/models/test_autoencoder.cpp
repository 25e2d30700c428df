// Autoencoder: shapes, compression ratio, periodic (circular) versus open (zero) padding, latent
// equivariance to rolls along periodic axes, identity-like initialisation, config reading.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>
#include <gtest/gtest.h>

#include "leap/config/load.h"
#include "leap/models/channel_layer_norm.h"
#include "leap/models/dcae.h"
#include "leap/models/padded_conv.h"
#include "leap/models/resample.h"
#include "leap/models/residual_block.h"

namespace {

using namespace leap::models;

const bool kThreads = [] {
  at::set_num_threads(2);
  return true;
}();

AutoencoderConfig small_config(std::vector<std::string> boundary = {"periodic", "periodic"}) {
  AutoencoderConfig c;
  c.in_channels = 4;
  c.latent_channels = 8;
  c.channels = {8, 16, 16};  // factor 4
  c.blocks = {1, 1, 1};
  c.boundary = std::move(boundary);
  return c;
}

// Moves every parameter away from its (near-identity) initialisation so the network is generic.
void randomise(torch::nn::Module& m, double scale) {
  c10::NoGradGuard g;
  for (auto& p : m.parameters()) p.add_(at::randn_like(p) * scale);
}

double rel_err(const at::Tensor& a, const at::Tensor& b) {
  return ((a - b).norm() / b.norm()).item<double>();
}
double max_abs(const at::Tensor& a) {
  return a.abs().max().item<double>();
}

TEST(Autoencoder, ShapesAndCompressionRatio) {
  at::manual_seed(0);
  Autoencoder ae(small_config());
  ae->eval();
  at::Tensor x = at::randn({2, 4, 64, 64});
  at::Tensor z = ae->encode(x);
  EXPECT_EQ(z.sizes(), at::IntArrayRef({2, 8, 16, 16}));
  EXPECT_EQ(ae->spatial_factor(), 4);
  EXPECT_DOUBLE_EQ(ae->compression_ratio(), 4096.0 * 4 / (16 * 16 * 8));
  EXPECT_DOUBLE_EQ(ae->compression_ratio(), double(x.numel()) / double(z.numel()));
  EXPECT_EQ(ae->latent_shape({2, 4, 64, 64}), (std::vector<int64_t>{2, 8, 16, 16}));
  EXPECT_EQ(ae->decode(z).sizes(), x.sizes());
  EXPECT_EQ(ae->forward(x).sizes(), x.sizes());
  EXPECT_THROW(ae->encode(at::randn({1, 4, 30, 32})), leap::InputError);
  EXPECT_THROW(ae->encode(at::randn({1, 3, 32, 32})), leap::InputError);
  EXPECT_THROW(ae->decode(at::randn({1, 4, 8, 8})), leap::InputError);
}

TEST(Autoencoder, PaperConfigCompression) {
  // 512x512x5 Euler, factor 32: 64 / 16 / 4 latent channels = 80x / 320x / 1280x.
  AutoencoderConfig c;
  c.in_channels = 5;
  EXPECT_EQ(c.spatial_factor(), 32);
  EXPECT_DOUBLE_EQ(c.compression_ratio(), 80.0);
  c.latent_channels = 16;
  EXPECT_DOUBLE_EQ(c.compression_ratio(), 320.0);
  c.latent_channels = 4;
  EXPECT_DOUBLE_EQ(c.compression_ratio(), 1280.0);
}

TEST(Autoencoder, LatentIsSoftClipped) {
  EXPECT_NEAR(soft_clip(at::full({1}, 5.0)).item<double>(), 5.0 / std::sqrt(2.0), 1e-6);
  EXPECT_NEAR(soft_clip(at::full({1}, -3.0)).item<double>(), -3.0 / std::sqrt(1.0 + 0.36), 1e-6);
  at::manual_seed(1);
  Autoencoder ae(small_config());
  ae->eval();
  randomise(*ae, 0.5);
  at::Tensor z = ae->encode(at::randn({1, 4, 16, 16}) * 100);
  EXPECT_LE(max_abs(z), 5.0 + 1e-5);  // float rounding at saturation
  EXPECT_GT(max_abs(z), 1.0);         // the squashing is active on large activations
}

TEST(PaddedConv, CircularOnPeriodicAxisZerosOnOpenAxis) {
  at::manual_seed(2);
  PaddedConv conv(3, 5, 3, Periodicity{true, false});
  at::Tensor x = at::randn({2, 3, 8, 6});
  // Reference: wrap x along axis 0 (dim 2) by hand, zero-pad axis 1 (dim 3) inside conv2d.
  at::Tensor wrapped = at::cat({x.narrow(2, 7, 1), x, x.narrow(2, 0, 1)}, 2);
  at::Tensor expected =
      at::conv2d(wrapped, conv->weight(), conv->bias(), at::IntArrayRef{1, 1}, at::IntArrayRef{0, 1});
  at::Tensor y = conv->forward(x);
  ASSERT_EQ(y.sizes(), at::IntArrayRef({2, 5, 8, 6}));
  EXPECT_LT(max_abs(y - expected), 1e-5);
  // And the other way round.
  PaddedConv conv2(3, 5, 3, Periodicity{false, true});
  at::Tensor wrapped2 = at::cat({x.narrow(3, 5, 1), x, x.narrow(3, 0, 1)}, 3);
  at::Tensor expected2 = at::conv2d(wrapped2, conv2->weight(), conv2->bias(), at::IntArrayRef{1, 1},
                                    at::IntArrayRef{1, 0});
  EXPECT_LT(max_abs(conv2->forward(x) - expected2), 1e-5);
  // Open on both axes is ordinary zero padding.
  PaddedConv conv3(3, 5, 3, Periodicity{false, false});
  EXPECT_LT(max_abs(conv3->forward(x) - at::conv2d(x, conv3->weight(), conv3->bias(),
                                                   at::IntArrayRef{1, 1}, at::IntArrayRef{1, 1})),
            1e-5);
}

TEST(PaddedConv, BothAxesPeriodicAndExplicitPadMatchWrappingByHand) {
  at::manual_seed(12);
  PaddedConv conv(3, 4, 5, Periodicity{true, true});  // p = 2
  at::Tensor x = at::randn({2, 3, 8, 6});
  at::Tensor wx = at::cat({x.narrow(2, 6, 2), x, x.narrow(2, 0, 2)}, 2);
  at::Tensor wxy = at::cat({wx.narrow(3, 4, 2), wx, wx.narrow(3, 0, 2)}, 3);  // corners wrap too
  EXPECT_EQ(max_abs(conv->pad(x) - wxy), 0.0);
  at::Tensor expected = at::conv2d(wxy, conv->weight(), conv->bias());
  EXPECT_LT(max_abs(conv->forward(x) - expected), 1e-5);
  // pad() of a mixed case: the periodic axis wrapped, the open one zero-filled.
  PaddedConv mixed(3, 4, 5, Periodicity{false, true});
  at::Tensor py = at::cat({x.narrow(3, 4, 2), x, x.narrow(3, 0, 2)}, 3);
  at::Tensor pxy = at::cat({at::zeros({2, 3, 2, 10}), py, at::zeros({2, 3, 2, 10})}, 2);
  EXPECT_EQ(max_abs(mixed->pad(x) - pxy), 0.0);
  EXPECT_LT(max_abs(mixed->forward(x) - at::conv2d(pxy, mixed->weight(), mixed->bias())), 1e-5);
  // A channels-last input gives the same result.
  EXPECT_LT(max_abs(mixed->forward(x.contiguous(at::MemoryFormat::ChannelsLast)) - mixed->forward(x)), 1e-5);
}

TEST(ChannelLayerNorm, NormalisesEveryPositionOverChannelsWithItsGradient) {
  at::manual_seed(13);
  ChannelLayerNorm norm(1e-5);
  at::Tensor x = (at::randn({2, 7, 5, 4}) * 3 + 1).requires_grad_(true);
  at::Tensor y = norm->forward(x);
  ASSERT_EQ(y.sizes(), x.sizes());
  // Each position: zero mean and unit (biased) variance over the 7 channels.
  EXPECT_LT(max_abs(y.mean({1})), 1e-5);
  EXPECT_LT(max_abs(at::square(y).mean({1}) - 1.0), 1e-4);
  // Equal to the formula, forward and backward, for contiguous and channels-last inputs.
  at::Tensor xr = x.detach().clone().requires_grad_(true);
  const at::Tensor c = xr - xr.mean({1}, true);
  at::Tensor ref = c * at::rsqrt(at::square(c).mean({1}, true) + 1e-5);
  EXPECT_LT(max_abs(y - ref), 1e-5);
  at::Tensor w = at::randn_like(ref);
  (y * w).sum().backward();
  (ref * w).sum().backward();
  EXPECT_LT(max_abs(x.grad() - xr.grad()), 1e-4);
  at::Tensor xl = x.detach().contiguous(at::MemoryFormat::ChannelsLast);
  EXPECT_LT(max_abs(norm->forward(xl) - ref), 1e-5);
}

TEST(Autoencoder, RollAlongPeriodicAxisRollsLatent) {
  at::manual_seed(3);
  Autoencoder ae(small_config({"periodic", "open"}));
  ae->eval();
  randomise(*ae, 0.05);
  const int64_t f = ae->spatial_factor();
  at::Tensor x = at::randn({1, 4, 32, 32});
  at::Tensor z = ae->encode(x);
  // Periodic axis x (dim 2): rolling by one latent cell's worth of pixels rolls the latent by one.
  at::Tensor zx = ae->encode(at::roll(x, {f}, {2}));
  EXPECT_LT(max_abs(zx - at::roll(z, {1}, {2})), 1e-4);
  // Open axis y (dim 3): zero padding breaks the symmetry at the boundary.
  at::Tensor zy = ae->encode(at::roll(x, {f}, {3}));
  EXPECT_GT(max_abs(zy - at::roll(z, {1}, {3})), 1e-2);
  // Decoder too: rolling the latent by one cell rolls the reconstruction by f pixels.
  at::Tensor y = ae->decode(z);
  EXPECT_LT(max_abs(ae->decode(at::roll(z, {1}, {2})) - at::roll(y, {f}, {2})), 1e-4);

  // Both axes periodic: equivariant along both.
  Autoencoder ap(small_config({"periodic", "periodic"}));
  ap->eval();
  randomise(*ap, 0.05);
  at::Tensor zp = ap->encode(x);
  EXPECT_LT(max_abs(ap->encode(at::roll(x, {f, 2 * f}, {2, 3})) - at::roll(zp, {1, 2}, {2, 3})), 1e-4);
}

TEST(Resample, IdentityLikeInitialisation) {
  at::manual_seed(4);
  at::Tensor x = at::randn({2, 3, 8, 8});
  // Down: 3 -> 12 channels is exactly the pixel unshuffle at initialisation (up to 1e-2 noise).
  Downsample down(3, 12, 3, Periodicity{true, false});
  at::Tensor u = at::pixel_unshuffle(x, 2);
  EXPECT_EQ(down->forward(x).sizes(), u.sizes());
  EXPECT_LT(rel_err(down->forward(x), u), 0.05);
  // Fewer output channels: the first ones of the unshuffled input.
  Downsample narrow(3, 6, 3, Periodicity{true, true});
  EXPECT_LT(rel_err(narrow->forward(x), u.narrow(1, 0, 6)), 0.05);
  // Without identity init the block is far from it (the test above is not vacuous).
  Downsample plain(3, 12, 3, Periodicity{true, false}, /*identity_init=*/false);
  EXPECT_GT(rel_err(plain->forward(x), u), 0.5);

  // Up: 12 -> 3 channels is the pixel shuffle.
  at::Tensor h = at::randn({2, 12, 4, 4});
  Upsample up(12, 3, 3, Periodicity{false, true});
  at::Tensor s = at::pixel_shuffle(h, 2);
  EXPECT_EQ(up->forward(h).sizes(), s.sizes());
  EXPECT_LT(rel_err(up->forward(h), s), 0.05);
  Upsample up_plain(12, 3, 3, Periodicity{false, true}, false);
  EXPECT_GT(rel_err(up_plain->forward(h), s), 0.5);
}

TEST(ResidualBlock, StartsNearIdentity) {
  at::manual_seed(5);
  ResidualBlock block(16, 3, Periodicity{true, false}, 0.05);
  block->eval();
  at::Tensor x = at::randn({2, 16, 8, 8});
  at::Tensor y = block->forward(x);
  EXPECT_EQ(y.sizes(), x.sizes());
  EXPECT_LT(rel_err(y, x), 0.05);
  EXPECT_GT(max_abs(y - x), 0.0);  // but it is not the identity
  // Without the 1e-2 scaling of its last convolution the block would be far from identity.
  {
    c10::NoGradGuard g;
    block->conv2->weight().mul_(100.0);
  }
  EXPECT_GT(rel_err(block->forward(x), x), 0.1);
}

TEST(Autoencoder, ConfigFromYaml) {
  using namespace leap::config;
  const std::string text =
      "in_channels: 5\nlatent_channels: 16\nchannels: [8, 16]\nblocks: [2, 1]\nboundary: [open, periodic]\n";
  auto cfg = parse_config<AutoencoderConfig>(load_yaml_text(text, "ae.yaml"), "ae.yaml");
  cfg.validate("ae.yaml");
  EXPECT_EQ(cfg.in_channels, 5);
  EXPECT_EQ(cfg.spatial_factor(), 2);
  EXPECT_EQ(cfg.periodic(), (std::vector<bool>{false, true}));
  EXPECT_DOUBLE_EQ(cfg.dropout, 0.05);
  // Round trip through the effective config.
  auto again = parse_config<AutoencoderConfig>(load_yaml_text(to_yaml(cfg), "again.yaml"), "again.yaml");
  EXPECT_EQ(again.blocks, cfg.blocks);
  EXPECT_EQ(again.boundary, cfg.boundary);
  // Refusals.
  EXPECT_THROW(
      parse_config<AutoencoderConfig>(load_yaml_text("boundary: [periodic, wall]\n", "b.yaml"), "b.yaml"),
      leap::InputError);
  EXPECT_THROW(parse_config<AutoencoderConfig>(load_yaml_text("latent: 3\n", "b.yaml"), "b.yaml"),
               leap::InputError);
  EXPECT_THROW(
      parse_config<AutoencoderConfig>(load_yaml_text("channels: [8, 16]\nblocks: [1]\n", "c.yaml"), "c.yaml"),
      leap::InputError);
  AutoencoderConfig bad = small_config();
  bad.blocks = {1};
  EXPECT_THROW(bad.validate("c.yaml", "autoencoder"), leap::InputError);
  EXPECT_THROW(Autoencoder{bad}, leap::InputError);
}

}  // namespace
