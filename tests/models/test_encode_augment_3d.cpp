// `leap encode --augment N` on a 3-D dataset (x and z periodic, y open; a scalar a and a 3-vector v):
// every augmented trajectory is the 3-D autoencoder's encoding of the original flipped (the
// matching component of v negated) and rolled in pixel space by the transform in the report, with
// rolls along the periodic axes only and flips on all three, the transform written out index by
// index here (no flip or roll ops); the originals are their plain encodings.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "leap/config/load.h"
#include "leap/data/dataset_stats.h"
#include "leap/data/well_writer.h"
#include "leap/models/dcae.h"
#include "leap/train/autoencoder_io.h"
#include "leap/train/checkpoint.h"
#include "leap/train/latent_encoding.h"
#include "leap/train/model_io.h"

namespace fs = std::filesystem;
using namespace leap;

namespace {

const bool kThreads = [] {
  at::set_num_threads(2);
  return true;
}();

constexpr int64_t kSize[3] = {8, 8, 4}, kSteps = 2, kChannels = 4;  // a, v_x, v_y, v_z
const char* const kBoundary[3] = {"periodic", "open", "periodic"};

double max_abs(const at::Tensor& a) {
  return a.abs().max().item<double>();
}

// frames: [traj, steps, C, X, Y, Z]
void write_file(const std::string& path, const at::Tensor& frames) {
  data::WellLayout L;
  L.dataset_name = "aug3d";
  for (int a = 0; a < 3; ++a) {
    data::WellAxis axis{std::string(1, "xyz"[a]), kSize[a], {}, kBoundary[a]};
    for (int64_t i = 0; i < kSize[a]; ++i) axis.coords.push_back(double(i) + 0.5);
    L.axes.push_back(axis);
  }
  data::WellField fa, fv;
  fa.name = "a";
  fa.order = 0;
  fv.name = "v";
  fv.order = 1;
  fa.dim_varying = fv.dim_varying = {true, true, true};
  L.fields = {fa, fv};
  L.n_trajectories = frames.size(0);
  L.n_steps = kSteps;
  for (int64_t s = 0; s < kSteps; ++s) L.times.push_back(0.1 * double(s));
  data::WellWriter w(MPI_COMM_SELF, path, L);
  const data::Block all{{0, 0, 0}, {kSize[0], kSize[1], kSize[2]}};
  for (int64_t t = 0; t < frames.size(0); ++t)
    for (int64_t s = 0; s < kSteps; ++s) {
      const at::Tensor a = frames[t][s][0].contiguous();
      const at::Tensor v = frames[t][s].slice(0, 1, 4).permute({1, 2, 3, 0}).contiguous();  // [x][y][z][comp]
      w.write_frame(t, s, "a", a.data_ptr<float>(), all);
      w.write_frame(t, s, "v", v.data_ptr<float>(), all);
    }
  w.mark_complete(frames.size(0));
  w.finish();
}

at::Tensor read_trajectory(const std::string& path, int64_t t) {
  const data::WellFile f(path);
  std::vector<at::Tensor> xs;
  std::vector<int64_t> shape{f.layout().channels()};
  for (const auto& a : f.layout().axes) shape.push_back(a.size);
  for (int64_t s = 0; s < f.layout().n_steps; ++s) {
    auto v = f.read_state(t, s);
    xs.push_back(at::from_blob(v.data(), shape, at::kFloat).clone());
  }
  return at::stack(xs);
}

// y[c][i][j][l] = sign x[c][i'][j'][l'], per axis i' = n-1-((i - r) mod n) under a flip, (i - r) mod n
// otherwise; a flip of axis a negates channel 1 + a (v's component along it).
at::Tensor transform_by_hand(const at::Tensor& x, const data::Augmentation& aug) {
  at::Tensor y = x;
  for (int a = 0; a < 3; ++a) {
    std::vector<int64_t> src;
    for (int64_t i = 0; i < kSize[a]; ++i) {
      const int64_t k = ((i - aug.roll[size_t(a)]) % kSize[a] + kSize[a]) % kSize[a];
      src.push_back(aug.flip[size_t(a)] ? kSize[a] - 1 - k : k);
    }
    y = y.index_select(y.dim() - 3 + a, at::tensor(src, at::kLong));
    if (aug.flip[size_t(a)]) {
      at::Tensor sign = at::ones({kChannels, 1, 1, 1});
      sign[1 + a] = -1;
      y = y * sign;
    }
  }
  return y;
}

TEST(EncodeAugment3D, CopiesAreEncodingsOfTransformedTrajectories) {
  const fs::path dir = fs::temp_directory_path() / ("leap_encode_aug3d_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  for (const char* s : {"train", "valid", "test"}) fs::create_directories(dir / "ds" / "data" / s);
  at::manual_seed(5);
  const at::Tensor train = at::randn({2, kSteps, kChannels, kSize[0], kSize[1], kSize[2]});
  const std::string train_path = (dir / "ds" / "data" / "train" / "w.hdf5").string();
  write_file(train_path, train);
  write_file((dir / "ds" / "data" / "valid" / "v.hdf5").string(),
             at::randn({1, kSteps, kChannels, kSize[0], kSize[1], kSize[2]}));
  const auto stats = data::compute_stats(MPI_COMM_SELF, {train_path});
  data::write_stats_yaml((dir / "ds" / "stats.yaml").string(), stats);

  models::AutoencoderConfig cfg;
  cfg.in_channels = int(kChannels);
  cfg.latent_channels = 2;
  cfg.channels = {4, 8, 8};  // spatial factor 4
  cfg.blocks = {1, 1, 1};
  cfg.boundary = {kBoundary[0], kBoundary[1], kBoundary[2]};
  cfg.dropout = 0;
  models::Autoencoder ae(cfg);
  {
    c10::NoGradGuard g;
    for (auto& p : ae->parameters()) p.add_(at::randn_like(p) * 0.05);
  }
  train::CheckpointInfo info;
  info.kind = "autoencoder";
  info.model_yaml = config::to_yaml(cfg);
  const data::WellFile f(train_path);
  info.extra["normalizer"] =
      train::normalizer_to_yaml(data::Normalizer::from_stats(stats, f.layout(), {}, "stats.yaml"));
  info.extra["channels"] = train::list_to_yaml(f.layout().channel_names());
  const std::string ckpt = (dir / "ae.ckpt").string();
  train::save_checkpoint(ckpt, *ae, nullptr, {}, info);

  train::EncodeOptions o;
  o.checkpoint = ckpt;
  o.data_dirs = {(dir / "ds").string()};
  o.out_dir = (dir / "lat").string();
  o.batch = 1;  // two batches per trajectory, which must share the transform
  o.augment = 4;
  o.seed = 3;
  o.progress = false;
  o.comm = MPI_COMM_SELF;
  const auto r = train::encode_dataset(o);
  EXPECT_EQ(r.axes, (std::vector<std::string>{"x", "y", "z"}));
  ASSERT_EQ(r.augmented.size(), 4u);

  auto loaded = train::load_autoencoder(ckpt);
  c10::NoGradGuard g;
  auto encode_direct = [&](const at::Tensor& x) {
    return loaded.model->encode(loaded.normalizer.normalize(x).to(at::kFloat));
  };
  const std::string orig = (dir / "lat" / "aug3d_latent" / "data" / "train" / "w.hdf5").string();
  for (int64_t t = 0; t < 2; ++t)
    EXPECT_LT(max_abs(read_trajectory(orig, t) - encode_direct(train[t])), 1e-5);
  int flips[3] = {0, 0, 0}, rolls[3] = {0, 0, 0};
  for (const auto& a : r.augmented)
    for (int64_t t = 0; t < 2; ++t) {
      const auto& tr = a.transforms[size_t(t)];
      ASSERT_EQ(tr.roll.size(), 3u);
      EXPECT_EQ(tr.roll[1], 0) << "rolled along the open axis y";
      for (int ax = 0; ax < 3; ++ax) {
        flips[ax] += tr.flip[size_t(ax)];
        rolls[ax] += tr.roll[size_t(ax)] != 0;
      }
      const at::Tensor z = read_trajectory((dir / "lat" / a.file).string(), t);
      EXPECT_LT(max_abs(z - encode_direct(transform_by_hand(train[t], tr))), 1e-5)
          << a.file << " trajectory " << t;
    }
  for (int ax = 0; ax < 3; ++ax) EXPECT_GT(flips[ax], 0) << "no flip of axis " << ax << " drawn";
  EXPECT_GT(rolls[0] + rolls[2], 0);
  fs::remove_all(dir);
}

}  // namespace
