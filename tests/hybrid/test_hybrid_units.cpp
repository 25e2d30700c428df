// The emulator implementations and the hybrid controller on one rank: the trajectory oracle finds
// the context on its trajectory and answers the frame asked for; the controller packs fields into
// channels, keeps the last c frames and hands back the ensemble mean and spread; the latent
// diffusion emulator is built from an autoencoder and a denoiser checkpoint and answers with
// ensembles of the right shape, distinct members, and refuses a bad context, for 2-D and 3-D states.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <memory>

#include "leap/config/load.h"
#include "leap/data/well_writer.h"
#include "leap/error.h"
#include "leap/models/dcae.h"
#include "leap/models/denoiser.h"
#include "leap/plugin/emulator.h"
#include "leap/plugin/hybrid_controller.h"
#include "leap/train/checkpoint.h"
#include "leap/train/model_io.h"

using namespace leap;

namespace {

constexpr int64_t kX = 8, kY = 6, kSteps = 9;

// A smooth synthetic trajectory: scalar a and vector v (2 components): 3 channels.
float ValueAt(int64_t s, int64_t i, int64_t j, int c) {
  return 1.0f + 0.1f * float(c) + 0.05f * float(s) * std::sin(0.3f * float(i) + 0.7f * float(j) + float(c));
}

std::string WriteSyntheticFile() {
  const std::string path = (std::filesystem::temp_directory_path() / "leap_hybrid_units.hdf5").string();
  data::WellLayout L;
  L.dataset_name = "synthetic";
  L.axes = {{"x", kX, {}, "periodic"}, {"y", kY, {}, "periodic"}};
  for (int i = 0; i < kX; ++i) L.axes[0].coords.push_back(i + 0.5);
  for (int j = 0; j < kY; ++j) L.axes[1].coords.push_back(j + 0.5);
  data::WellField a, v;
  a.name = "a";
  a.order = 0;
  a.dim_varying = {true, true};
  v.name = "v";
  v.order = 1;
  v.dim_varying = {true, true};
  L.fields = {a, v};
  L.parameters = {{"gamma", 1.4}};
  L.n_trajectories = 1;
  L.n_steps = kSteps;
  for (int64_t s = 0; s < kSteps; ++s) L.times.push_back(0.1 * double(s));
  data::Block block{{0, 0}, {kX, kY}};
  data::WellWriter w(MPI_COMM_SELF, path, L);
  for (int64_t s = 0; s < kSteps; ++s) {
    std::vector<float> fa, fv;
    for (int64_t i = 0; i < kX; ++i)
      for (int64_t j = 0; j < kY; ++j) {
        fa.push_back(ValueAt(s, i, j, 0));
        fv.push_back(ValueAt(s, i, j, 1));
        fv.push_back(ValueAt(s, i, j, 2));
      }
    w.write_frame(0, s, "a", fa.data(), block);
    w.write_frame(0, s, "v", fv.data(), block);
  }
  w.mark_complete(1);
  w.finish();
  return path;
}

plugin::FieldBlocks FieldsAt(int64_t s) {
  plugin::FieldBlocks f(2);
  for (int64_t i = 0; i < kX; ++i)
    for (int64_t j = 0; j < kY; ++j) {
      f[0].push_back(ValueAt(s, i, j, 0));
      f[1].push_back(ValueAt(s, i, j, 1));
      f[1].push_back(ValueAt(s, i, j, 2));
    }
  return f;
}

TEST(TrajectoryOracle, AnswersTheStoredFrameAfterTheContext) {
  plugin::TrajectoryOracle oracle(WriteSyntheticFile(), 0, 2);
  EXPECT_EQ(oracle.context_frames(), 2);
  EXPECT_EQ(oracle.channel_names(), (std::vector<std::string>{"a", "v_x", "v_y"}));
  at::Tensor context = at::empty({2, 3, kX, kY});
  for (int64_t k = 0; k < 2; ++k)
    for (int c = 0; c < 3; ++c)
      for (int64_t i = 0; i < kX; ++i)
        for (int64_t j = 0; j < kY; ++j) context[k][c][i][j] = ValueAt(2 + k, i, j, c);
  const at::Tensor out = oracle.leap(context, {}, 4, 3);
  ASSERT_EQ(out.sizes(), (std::vector<int64_t>{3, 3, kX, kY}));
  EXPECT_EQ(oracle.last_match(), 3);
  for (int c = 0; c < 3; ++c) EXPECT_EQ(out[2][c][5][4].item<float>(), ValueAt(7, 5, 4, c));
  EXPECT_THROW(oracle.leap(context, {}, 6, 1), Error);        // past the last frame
  EXPECT_THROW(oracle.leap(context * 3.0, {}, 1, 1), Error);  // not on the trajectory
}

TEST(HybridController, KeepsTheContextAndHandsBackTheLeapedState) {
  auto oracle = std::make_shared<plugin::TrajectoryOracle>(WriteSyntheticFile(), 0, 2);
  plugin::HybridController h(MPI_COMM_SELF, {kX, kY}, data::Block{{0, 0}, {kX, kY}}, {1, 2}, oracle, 4);
  EXPECT_EQ(h.channels(), 3);
  EXPECT_EQ(h.context_frames(), 2);
  // pack/unpack: the fields' components become the channels, per cell.
  const auto f1 = FieldsAt(1);
  const auto packed = h.pack(f1);
  EXPECT_EQ(packed[3], f1[0][1]);
  EXPECT_EQ(packed[4], f1[1][2]);
  EXPECT_EQ(h.unpack(packed), f1);
  EXPECT_THROW(h.pack({f1[0]}), InputError);
  EXPECT_FALSE(h.ready());
  EXPECT_THROW(h.leap({}, 2), InputError);
  for (int64_t s = 0; s <= 3; ++s) h.observe(FieldsAt(s));  // frames 2, 3 remain
  EXPECT_TRUE(h.ready());
  EXPECT_EQ(h.context_size(), 2);
  const auto r = h.leap({}, 3);
  EXPECT_TRUE(r.finite);
  EXPECT_EQ(r.spread, 0.0);  // the oracle's members agree
  EXPECT_EQ(h.unpack(r.block), FieldsAt(6));
  EXPECT_EQ(oracle->last_match(), 3);
  h.record_outcome(true, 3);
  h.clear_context();
  EXPECT_FALSE(h.ready());
  EXPECT_EQ(h.stats().observations, 4);
  EXPECT_EQ(h.stats().leaps, 1);
  EXPECT_EQ(h.stats().frames_emulated, 3);
  // An emulator that does not work on the solver's channels is refused.
  EXPECT_THROW(plugin::HybridController(MPI_COMM_SELF, {kX, kY}, data::Block{{0, 0}, {kX, kY}}, {1}, oracle),
               InputError);
}

TEST(HybridController, TakesTheSolversOwnLayout) {
  // A DMDA's array is yxc ([y][x][channel]): the controller takes it as it is, and hands the leap
  // back in it; the fields' view, the leap and the VRMSE do not depend on the layout.
  auto oracle = std::make_shared<plugin::TrajectoryOracle>(WriteSyntheticFile(), 0, 1);
  plugin::HybridController h(MPI_COMM_SELF, {kX, kY}, data::Block{{0, 0}, {kX, kY}}, {1, 2}, oracle);
  EXPECT_EQ(h.layout(), plugin::BlockLayout::xyc);
  const double xyc_vrmse = h.vrmse(h.pack(FieldsAt(1)), h.pack(FieldsAt(2)));
  h.set_layout(plugin::BlockLayout::yxc);
  const std::vector<float> b = h.pack(FieldsAt(2));
  ASSERT_EQ(int64_t(b.size()), h.block_size());
  for (int64_t i = 0; i < kX; ++i)
    for (int64_t j = 0; j < kY; ++j)
      for (int c = 0; c < 3; ++c) ASSERT_EQ(b[size_t((j * kX + i) * 3 + c)], ValueAt(2, i, j, c));
  EXPECT_EQ(h.unpack(b), FieldsAt(2));
  h.observe(b.data());
  const auto r = h.leap({}, 3);
  EXPECT_EQ(r.block, h.pack(FieldsAt(5)));
  EXPECT_NEAR(h.vrmse(h.pack(FieldsAt(1)), b), xyc_vrmse, 1e-12);
  h.set_layout(plugin::BlockLayout::cxy);
  EXPECT_NEAR(h.vrmse(h.pack(FieldsAt(1)), h.pack(FieldsAt(2))), xyc_vrmse, 1e-12);
  EXPECT_GT(xyc_vrmse, 0.0);
}

// Tiny untrained checkpoints of both kinds, written as the trainers write them.
struct TinyCheckpoints {
  std::string ae, emulator;
};

// dims 3: a 3-D autoencoder (three boundary entries) and a 3-D ViT over 4 channels (a, v_x, v_y, v_z).
TinyCheckpoints WriteTinyCheckpoints(int64_t window, int dims = 2) {
  const auto dir = std::filesystem::temp_directory_path();
  const std::string tag = dims == 3 ? "_3d" : "";
  TinyCheckpoints out{(dir / ("leap_hybrid_tiny_ae" + tag + ".ckpt")).string(),
                      (dir / ("leap_hybrid_tiny_emu" + tag + ".ckpt")).string()};
  torch::manual_seed(0);
  const int channels = 1 + dims;
  std::vector<std::string> names{"a", "v_x", "v_y"}, theta{"gamma", "x_periodic", "y_periodic"};
  if (dims == 3) names.push_back("v_z"), theta.push_back("z_periodic");
  models::AutoencoderConfig acfg;
  acfg.in_channels = channels;
  acfg.latent_channels = 4;
  acfg.channels = {8, 16};
  acfg.blocks = {1, 1};
  acfg.dropout = 0.0;
  acfg.boundary.assign(size_t(dims), "periodic");
  models::Autoencoder ae(acfg);
  train::CheckpointInfo ai;
  ai.kind = "autoencoder";
  ai.model_yaml = config::to_yaml(acfg);
  ai.config_yaml = "{}\n";
  const size_t n = size_t(channels);
  data::Normalizer physical{std::vector<double>(n, 1.0), std::vector<double>(n, 0.5),
                            std::vector<bool>(n, false)};
  physical.spatial_dims = dims;
  ai.extra["normalizer"] = train::normalizer_to_yaml(physical);
  ai.extra["channels"] = train::list_to_yaml(names);
  train::save_checkpoint(out.ae, *ae, nullptr, {}, ai);

  models::ViTConfig vit;
  vit.spatial_dims = dims;
  vit.width = 16;
  vit.depth = 1;
  vit.heads = 2;
  vit.emb_features = 16;
  vit.param_features = int(theta.size());
  models::DiffusionConfig diffusion;
  diffusion.sampler.steps = 3;
  models::Denoiser denoiser(4, vit, diffusion.schedule);
  train::CheckpointInfo di;
  di.kind = "denoiser";
  YAML::Node arch;
  arch["channels"] = 4;
  arch["vit"] = YAML::Load(config::to_yaml(vit));
  arch["schedule"] = YAML::Load(config::to_yaml(diffusion.schedule));
  di.model_yaml = leap::config::dump_yaml(arch);
  di.config_yaml = "{}\n";
  data::Normalizer latent{{0, 0, 0, 0}, {1, 1, 1, 1}, {false, false, false, false}};
  latent.spatial_dims = dims;
  di.extra["normalizer"] = train::normalizer_to_yaml(latent);
  di.extra["channels"] = train::list_to_yaml({"l0", "l1", "l2", "l3"});
  di.extra["theta"] = train::list_to_yaml(theta);
  di.extra["diffusion"] = config::to_yaml(diffusion);
  di.extra["window"] = std::to_string(window);
  train::save_checkpoint(out.emulator, *denoiser, nullptr, {}, di);
  return out;
}

TEST(LatentDiffusionEmulator, EnsembleFromCheckpoints) {
  const auto ck = WriteTinyCheckpoints(4);
  const at::Tensor context = 1.0 + 0.1 * at::randn({3, 3, 8, 8});
  plugin::LatentDiffusionEmulator emu(ck.ae, ck.emulator, {2, "cpu", 5});
  EXPECT_EQ(emu.window(), 4);
  EXPECT_EQ(emu.context_frames(), 2);
  EXPECT_EQ(emu.theta_names(), (std::vector<std::string>{"gamma", "x_periodic", "y_periodic"}));
  EXPECT_EQ(emu.channel_names(), (std::vector<std::string>{"a", "v_x", "v_y"}));
  const at::Tensor theta = at::tensor(std::vector<float>{1.4f, 1.f, 1.f});
  // 5 frames: two windows of 2 new frames and a third one.
  const at::Tensor out = emu.leap(context, theta, 5, 3);
  ASSERT_EQ(out.sizes(), (std::vector<int64_t>{3, 3, 8, 8}));
  EXPECT_EQ(out.scalar_type(), at::kFloat);
  EXPECT_TRUE(at::isfinite(out).all().item<bool>());
  EXPECT_GT((out[0] - out[1]).abs().max().item<float>(), 0.f) << "members draw their own noise";
  // The same seed gives the same ensemble.
  plugin::LatentDiffusionEmulator again(ck.ae, ck.emulator, {2, "cpu", 5});
  EXPECT_TRUE(at::equal(again.leap(context, theta, 5, 3), out));
  // Context and inputs are checked.
  EXPECT_THROW(plugin::LatentDiffusionEmulator(ck.ae, ck.emulator, {4, "cpu", 0}), InputError);
  EXPECT_THROW(emu.leap(context.narrow(0, 0, 1), theta, 1, 1), InputError);
  EXPECT_THROW(emu.leap(context, at::tensor(std::vector<float>{1.4f}), 1, 1), InputError);
  EXPECT_THROW(plugin::LatentDiffusionEmulator(ck.emulator, ck.emulator), InputError);  // not an autoencoder
  EXPECT_EQ(plugin::LatentDiffusionEmulator(ck.ae, ck.emulator).context_frames(), 2);   // min(2, w - 1)
}

// Solver guidance at the emulator: a coarse trajectory [n <= frames, C, X/f, Y/f] observes the block
// means of the emulated frames at leads 1..n, in the autoencoder's normalised units (here (x - 1) / 0.5).
// With a small noise the guided leap's block means come closer (by 30% at least, an untrained 3-step
// sampler) to the observed ones than the unguided
// leap's (same seed); malformed trajectories are refused.
TEST(LatentDiffusionEmulator, CoarseTrajectoryGuidesTheLeap) {
  const auto ck = WriteTinyCheckpoints(4);
  at::manual_seed(3);
  const at::Tensor context = 1.0 + 0.1 * at::randn({3, 3, 8, 8});
  const at::Tensor theta = at::tensor(std::vector<float>{1.4f, 1.f, 1.f});
  plugin::LatentDiffusionEmulator emu(ck.ae, ck.emulator, {2, "cpu", 5});
  const at::Tensor unguided = emu.leap(context, theta, 3, 2);
  plugin::LeapObservations obs;
  obs.coarse_factor = 2;
  // A target far from what the untrained emulator produces: a smooth pattern of block means.
  const at::Tensor xs = at::arange(4, at::kFloat);
  obs.coarse = (1.0 + 0.4 * at::sin(xs).reshape({1, 1, 4, 1}) * at::cos(xs).reshape({1, 1, 1, 4}))
                   .expand({3, 3, 4, 4})
                   .contiguous();
  obs.coarse_noise_std = 0.02;
  obs.iterations = 3;
  emu.reseed(5);
  const at::Tensor guided = emu.leap_observed(context, theta, 3, 2, obs);
  ASSERT_EQ(guided.sizes(), unguided.sizes());
  ASSERT_TRUE(at::isfinite(guided).all().item<bool>());
  const auto miss = [&](const at::Tensor& x) {  // normalised block means of the last frame vs lead 3's
    const at::Tensor means = x.reshape({2, 3, 4, 2, 4, 2}).mean({3, 5});
    return ((means - obs.coarse[2]) / 0.5).abs().mean().item<double>();
  };
  EXPECT_LT(miss(guided), 0.7 * miss(unguided))
      << "guided " << miss(guided) << ", unguided " << miss(unguided);
  // Refusals: more leads than frames, a grid the factor does not give, points as well.
  plugin::LeapObservations bad = obs;
  EXPECT_THROW(emu.leap_observed(context, theta, 2, 1, bad), InputError);
  bad.coarse = obs.coarse.narrow(2, 0, 3);
  EXPECT_THROW(emu.leap_observed(context, theta, 3, 1, bad), InputError);
  bad = obs;
  bad.points = {{0, 1, 1, 0}};
  bad.values = {1.f};
  EXPECT_THROW(emu.leap_observed(context, theta, 3, 1, bad), InputError);
}

TEST(LatentDiffusionEmulator, OwnsItsRandomness) {
  const auto ck = WriteTinyCheckpoints(4);
  const at::Tensor context = 1.0 + 0.1 * at::randn({3, 3, 8, 8});
  const at::Tensor theta = at::tensor(std::vector<float>{1.4f, 1.f, 1.f});
  // Building an emulator does not reseed LibTorch's global generator (it used to: manual_seed(5)).
  at::manual_seed(7);
  plugin::LatentDiffusionEmulator a(ck.ae, ck.emulator, {2, "cpu", 5});
  plugin::LatentDiffusionEmulator b(ck.ae, ck.emulator, {2, "cpu", 5});
  EXPECT_EQ(at::detail::getDefaultCPUGenerator().current_seed(), 7u)
      << "an emulator reseeded the global generator";
  // Two emulators of one seed draw the same noise, whatever happens in between (other leaps, other
  // draws from the global generator): each has its own stream.
  const at::Tensor xa = a.leap(context, theta, 3, 2);
  at::randn({1000});
  const at::Tensor xb = b.leap(context, theta, 3, 2);
  EXPECT_TRUE(at::equal(xa, xb));
  // Another seed is another stream; reseeding restarts a stream.
  plugin::LatentDiffusionEmulator c(ck.ae, ck.emulator, {2, "cpu", 6});
  const at::Tensor xc = c.leap(context, theta, 3, 2);
  EXPECT_GT((xc - xa).abs().max().item<float>(), 0.f);
  a.reseed(6);
  EXPECT_TRUE(at::equal(a.leap(context, theta, 3, 2), xc));
  a.reseed(5);
  EXPECT_TRUE(at::equal(a.leap(context, theta, 3, 2), xa));
}

// One code path for 3-D states: context [c, C, X, Y, Z] -> ensemble [members, C, X, Y, Z]; a 2-D
// context is refused by a 3-D emulator (the message names the expected shape) and a 3-D one by a 2-D
// emulator; a 2-D autoencoder with a 3-D denoiser is refused when loading, naming model.spatial_dims.
TEST(LatentDiffusionEmulator, ThreeDimensionalStates) {
  const auto ck3 = WriteTinyCheckpoints(4, 3);
  const auto ck2 = WriteTinyCheckpoints(4, 2);
  const at::Tensor context = 1.0 + 0.1 * at::randn({3, 4, 8, 8, 4});
  const at::Tensor theta = at::tensor(std::vector<float>{1.4f, 1.f, 1.f, 0.f});
  plugin::LatentDiffusionEmulator emu(ck3.ae, ck3.emulator, {2, "cpu", 5});
  EXPECT_EQ(emu.channel_names(), (std::vector<std::string>{"a", "v_x", "v_y", "v_z"}));
  const at::Tensor out = emu.leap(context, theta, 3, 2);
  ASSERT_EQ(out.sizes(), (std::vector<int64_t>{2, 4, 8, 8, 4}));
  EXPECT_TRUE(at::isfinite(out).all().item<bool>());
  EXPECT_GT((out[0] - out[1]).abs().max().item<float>(), 0.f) << "members draw their own noise";
  // The same context along z, transposed to (X, Z, Y): the emulator is not hard-wired to 2-D axes
  // (a cube's leap differs from its transpose's, yet both are served).
  EXPECT_EQ(emu.leap(context.transpose(3, 4).contiguous(), theta, 1, 1).sizes(),
            (std::vector<int64_t>{1, 4, 8, 4, 8}));
  try {
    emu.leap(context.select(4, 0), theta, 1, 1);
    ADD_FAILURE() << "a 2-D context was accepted by a 3-D emulator";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("[c >= 2, 4, X, Y, Z]"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("[3, 4, 8, 8]"), std::string::npos) << e.what();
  }
  plugin::LatentDiffusionEmulator flat(ck2.ae, ck2.emulator, {2, "cpu", 5});
  try {
    flat.leap(context.narrow(1, 0, 3), theta.narrow(0, 0, 3), 1, 1);
    ADD_FAILURE() << "a 3-D context was accepted by a 2-D emulator";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("[c >= 2, 3, X, Y]"), std::string::npos) << e.what();
  }
  try {
    plugin::LatentDiffusionEmulator mixed(ck2.ae, ck3.emulator);
    ADD_FAILURE() << "a 2-D autoencoder with a 3-D denoiser was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("model.spatial_dims"), std::string::npos) << e.what();
  }
}

}  // namespace
