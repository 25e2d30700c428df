// `leap encode --augment N` (encode_dataset with augment = N): the latent training split holds the
// original files plus N augmented copies of each, every copied trajectory is the encoding of the
// original flipped (vector components negated) and rolled in pixel space by the transform recorded
// in the report, rolls happen along periodic axes only, the same transform is applied to every frame
// of a trajectory (across encoding batches), validation and test are not augmented, stats.yaml
// covers the augmented training split, a seed reproduces the copies, and bad input (a negative
// count, a copy that would overwrite a dataset file) is refused before anything is written.
// Also end to end through the files: a trajectory rolled by one latent cell's worth of pixels along
// the periodic axis encodes to the original's latent rolled by one cell.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "leap/config/load.h"
#include "leap/data/dataset_stats.h"
#include "leap/data/well_writer.h"
#include "leap/error.h"
#include "leap/models/dcae.h"
#include "leap/train/autoencoder_io.h"
#include "leap/train/checkpoint.h"
#include "leap/train/latent_encoding.h"
#include "leap/train/model_io.h"
#include "well_fixture.h"

namespace fs = std::filesystem;
using namespace leap;

namespace {

const bool kThreads = [] {
  at::set_num_threads(2);
  return true;
}();

constexpr int64_t kNx = 16, kNy = 8, kSteps = 3, kChannels = 3;  // a, v_x, v_y; x periodic, y open

double max_abs(const at::Tensor& a) {
  return a.abs().max().item<double>();
}

// A file of the small test layout holding `frames` [traj, steps, C, X, Y].
void write_file(const std::string& path, const at::Tensor& frames) {
  auto L = test::small_layout(kNx, kNy, frames.size(0), kSteps);
  data::WellWriter w(MPI_COMM_SELF, path, L);
  const data::Block all{{0, 0}, {kNx, kNy}};
  for (int64_t t = 0; t < frames.size(0); ++t)
    for (int64_t s = 0; s < kSteps; ++s) {
      const at::Tensor a = frames[t][s][0].contiguous();
      const at::Tensor v = frames[t][s].slice(0, 1, 3).permute({1, 2, 0}).contiguous();  // [x][y][comp]
      w.write_frame(t, s, "a", a.data_ptr<float>(), all);
      w.write_frame(t, s, "v", v.data_ptr<float>(), all);
    }
  w.finish();
}

// One frame of a file as a tensor [C, X', Y'].
at::Tensor read_frame(const data::WellFile& f, int64_t t, int64_t s) {
  auto v = f.read_state(t, s);
  std::vector<int64_t> shape{f.layout().channels()};
  for (const auto& a : f.layout().axes) shape.push_back(a.size);
  return at::from_blob(v.data(), shape, at::kFloat).clone();
}

at::Tensor read_trajectory(const std::string& path, int64_t t) {
  const data::WellFile f(path);
  std::vector<at::Tensor> xs;
  for (int64_t s = 0; s < f.layout().n_steps; ++s) xs.push_back(read_frame(f, t, s));
  return at::stack(xs);
}

// The transform written out index by index (no flip/roll ops): y[c][i][j] = sign_c x[c][i'][j'],
// with i' = n-1-((i - r) mod n) under a flip, (i - r) mod n otherwise.
at::Tensor transform_by_hand(const at::Tensor& x, const data::Augmentation& aug) {
  at::Tensor y = x;
  const int64_t sizes[2] = {kNx, kNy};
  for (int a = 0; a < 2; ++a) {
    std::vector<int64_t> src;
    for (int64_t i = 0; i < sizes[a]; ++i) {
      const int64_t k = ((i - aug.roll[size_t(a)]) % sizes[a] + sizes[a]) % sizes[a];
      src.push_back(aug.flip[size_t(a)] ? sizes[a] - 1 - k : k);
    }
    y = y.index_select(y.dim() - 2 + a, at::tensor(src, at::kLong));
    if (aug.flip[size_t(a)])
      y = at::cat({y.narrow(-3, 0, 1 + a), -y.narrow(-3, 1 + a, 1), y.narrow(-3, 2 + a, 1 - a)}, -3);
  }
  return y;
}

class EncodeAugment : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("leap_encode_aug_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    for (const char* s : {"train", "valid", "test"}) fs::create_directories(dir / "ds" / "data" / s);
    at::manual_seed(11);
    // Trajectory 1 is trajectory 0 rolled by one latent cell (4 pixels) along the periodic x axis.
    at::Tensor t0 = at::randn({1, kSteps, kChannels, kNx, kNy});
    at::Tensor t2 = at::randn({1, kSteps, kChannels, kNx, kNy}) + 0.5;
    train = at::cat({t0, t0.roll({4}, {3}), t2});
    train_path = (dir / "ds" / "data" / "train" / "w.hdf5").string();
    write_file(train_path, train);
    write_file((dir / "ds" / "data" / "valid" / "v.hdf5").string(),
               at::randn({1, kSteps, kChannels, kNx, kNy}));
    write_file((dir / "ds" / "data" / "test" / "t.hdf5").string(),
               at::randn({1, kSteps, kChannels, kNx, kNy}));
    const auto stats = data::compute_stats(MPI_COMM_SELF, {train_path});
    data::write_stats_yaml((dir / "ds" / "stats.yaml").string(), stats);

    // A generic (randomised) autoencoder with circular padding along x, zero padding along y.
    models::AutoencoderConfig cfg;
    cfg.in_channels = int(kChannels);
    cfg.latent_channels = 2;
    cfg.channels = {4, 8, 8};  // spatial factor 4
    cfg.blocks = {1, 1, 1};
    cfg.boundary = {"periodic", "open"};
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
    ckpt = (dir / "ae.ckpt").string();
    train::save_checkpoint(ckpt, *ae, nullptr, {}, info);
  }
  void TearDown() override { fs::remove_all(dir); }

  train::EncodeReport encode(const std::string& out, int64_t augment, uint64_t seed) {
    train::EncodeOptions o;
    o.checkpoint = ckpt;
    o.data_dirs = {(dir / "ds").string()};
    o.out_dir = (dir / out).string();
    o.batch = 2;  // 3 frames: two batches per trajectory, which must share the transform
    o.augment = augment;
    o.seed = seed;
    o.progress = false;
    o.comm = MPI_COMM_SELF;
    return train::encode_dataset(o);
  }

  fs::path dir;
  std::string train_path, ckpt;
  at::Tensor train;
};

TEST_F(EncodeAugment, CopiesAreEncodingsOfTransformedTrajectories) {
  const auto r = encode("lat", 3, 7);
  EXPECT_EQ(r.train_trajectories, 3);
  EXPECT_EQ(r.augmented_trajectories, 9);
  EXPECT_EQ(r.files, 6);  // w + 3 copies, v, t
  EXPECT_EQ(r.frames, (3 * 4 + 1 + 1) * kSteps);
  EXPECT_EQ(r.axes, (std::vector<std::string>{"x", "y"}));
  ASSERT_EQ(r.augmented.size(), 3u);

  // The splits: (1 + N) x the training trajectories, validation and test as they were.
  // The latent collection: one dataset, named for the input's, in The Well's layout.
  const fs::path lat = dir / "lat" / "leap_test_latent";
  auto names = [&](const char* split) {
    std::vector<std::string> v;
    for (const auto& e : fs::directory_iterator(lat / "data" / split))
      if (e.path().extension() == ".hdf5") v.push_back(e.path().filename().string());
    std::sort(v.begin(), v.end());
    return v;
  };
  EXPECT_EQ(names("train"),
            (std::vector<std::string>{"w-aug1.hdf5", "w-aug2.hdf5", "w-aug3.hdf5", "w.hdf5"}));
  EXPECT_EQ(names("valid"), (std::vector<std::string>{"v.hdf5"}));
  EXPECT_EQ(names("test"), (std::vector<std::string>{"t.hdf5"}));
  int64_t trajectories = 0;
  for (const auto& n : names("train"))
    trajectories += data::WellFile((lat / "data" / "train" / n).string()).layout().n_trajectories;
  EXPECT_EQ(trajectories, 4 * 3);

  auto ae = train::load_autoencoder(ckpt);
  c10::NoGradGuard g;
  auto encode_direct = [&](const at::Tensor& x) {
    return ae.model->encode(ae.normalizer.normalize(x).to(at::kFloat));
  };
  const std::string orig = (lat / "data" / "train" / "w.hdf5").string();
  for (int64_t t = 0; t < 3; ++t)
    EXPECT_LT(max_abs(read_trajectory(orig, t) - encode_direct(train[t])), 1e-5) << "trajectory " << t;
  // Roll equivariance through the files: trajectory 1 (rolled by 4 pixels along x) is trajectory
  // 0's latent rolled by one cell.
  const at::Tensor z0 = read_trajectory(orig, 0);
  EXPECT_LT(max_abs(read_trajectory(orig, 1) - z0.roll({1}, {2})), 1e-4);
  EXPECT_GT(max_abs(read_trajectory(orig, 1) - z0), 1e-2);

  int flips[2] = {0, 0}, rolls = 0;
  for (const auto& a : r.augmented) {
    EXPECT_EQ(a.source, train_path);
    EXPECT_EQ(a.file, "leap_test_latent/data/train/w-aug" + std::to_string(a.copy) + ".hdf5");
    ASSERT_EQ(a.transforms.size(), 3u);
    const std::string path = (dir / "lat" / a.file).string();
    EXPECT_EQ(data::WellFile(path).layout().n_trajectories, 3);
    for (int64_t t = 0; t < 3; ++t) {
      const auto& tr = a.transforms[size_t(t)];
      ASSERT_EQ(tr.roll.size(), 2u);
      EXPECT_EQ(tr.roll[1], 0) << "rolled along the open axis y";
      EXPECT_GE(tr.roll[0], 0);
      EXPECT_LT(tr.roll[0], kNx);
      flips[0] += tr.flip[0];
      flips[1] += tr.flip[1];
      rolls += tr.roll[0] != 0;
      const at::Tensor z = read_trajectory(path, t);
      EXPECT_LT(max_abs(z - encode_direct(transform_by_hand(train[t], tr))), 1e-5)
          << a.file << " trajectory " << t;
      if (!tr.identity()) {
        EXPECT_GT(max_abs(z - read_trajectory(orig, t)), 1e-3);
      }
    }
  }
  // With this seed the 9 copies use both flips and rolls (so the checks above cover them).
  EXPECT_GT(flips[0], 0);
  EXPECT_GT(flips[1], 0);
  EXPECT_GT(rolls, 0);

  // stats.yaml covers the augmented training split, not the originals alone.
  std::vector<std::string> train_files;
  for (const auto& n : names("train")) train_files.push_back((lat / "data" / "train" / n).string());
  const auto want = data::compute_stats(MPI_COMM_SELF, train_files);
  const auto got = data::read_stats_yaml((lat / "stats.yaml").string());
  const auto only = data::compute_stats(MPI_COMM_SELF, {orig});
  double diff_want = 0, diff_only = 0;
  for (size_t c = 0; c < want.channel_mean().size(); ++c) {
    diff_want = std::max(diff_want, std::abs(got.channel_mean()[c] - want.channel_mean()[c]) +
                                        std::abs(got.channel_std()[c] - want.channel_std()[c]));
    diff_only = std::max(diff_only, std::abs(got.channel_mean()[c] - only.channel_mean()[c]));
  }
  EXPECT_LT(diff_want, 1e-6);
  EXPECT_GT(diff_only, 1e-4);
}

TEST_F(EncodeAugment, SeedReproducesCopiesAndBadInputWritesNothing) {
  const auto a = encode("a", 2, 5);
  const auto b = encode("b", 1, 5);  // copy 1 does not depend on the number of copies
  const auto c = encode("c", 1, 6);
  ASSERT_EQ(b.augmented.size(), 1u);
  bool differs = false;
  for (size_t t = 0; t < 3; ++t) {
    EXPECT_EQ(a.augmented[0].transforms[t].flip, b.augmented[0].transforms[t].flip);
    EXPECT_EQ(a.augmented[0].transforms[t].roll, b.augmented[0].transforms[t].roll);
    differs |= a.augmented[0].transforms[t].flip != c.augmented[0].transforms[t].flip ||
               a.augmented[0].transforms[t].roll != c.augmented[0].transforms[t].roll;
    EXPECT_TRUE(at::equal(
        read_trajectory((dir / "a" / "leap_test_latent" / "data" / "train" / "w-aug1.hdf5").string(),
                        int64_t(t)),
        read_trajectory((dir / "b" / "leap_test_latent" / "data" / "train" / "w-aug1.hdf5").string(),
                        int64_t(t))));
  }
  EXPECT_TRUE(differs) << "seeds 5 and 6 drew the same transforms";
  // Without --augment the latent dataset is what it always was.
  const auto plain = encode("plain", 0, 5);
  EXPECT_EQ(plain.files, 3);
  EXPECT_EQ(plain.augmented_trajectories, 0);
  EXPECT_TRUE(plain.augmented.empty());
  EXPECT_FALSE(fs::exists(dir / "plain" / "leap_test_latent" / "data" / "train" / "w-aug1.hdf5"));
  EXPECT_TRUE(fs::exists(dir / "plain" / "leap_test_latent" / "data" / "train" / "w.hdf5"));

  // A negative count: InputError naming --augment, nothing written.
  try {
    encode("neg", -1, 0);
    ADD_FAILURE() << "no error for --augment -1";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("--augment"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir / "neg"));
  // A copy that would overwrite a file of the dataset: refused before writing.
  fs::copy_file(train_path, dir / "ds" / "data" / "train" / "w-aug1.hdf5");
  EXPECT_THROW(encode("clash", 1, 0), InputError);
  EXPECT_FALSE(fs::exists(dir / "clash"));
  fs::remove(dir / "ds" / "data" / "train" / "w-aug1.hdf5");
}

}  // namespace
