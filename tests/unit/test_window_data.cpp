// Training windows: normalisation round trip (with a log field), windows and theta, deterministic
// sharding across ranks, and augmentations that respect boundaries (rolls on periodic axes only,
// flips negating the matching vector component).
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "leap/data/augmentation.h"
#include "leap/data/well_writer.h"
#include "leap/data/window_loader.h"
#include "leap/error.h"
#include "well_fixture.h"

namespace fs = std::filesystem;
using namespace leap;

namespace {

class WindowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("leap_window_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    path = (dir / "w.hdf5").string();
    data::WellWriter w(MPI_COMM_SELF, path, test::small_layout(nx, ny, 2, steps));
    data::Block all{{0, 0}, {nx, ny}};
    for (int64_t t = 0; t < 2; ++t)
      for (int64_t s = 0; s < steps; ++s) {
        std::vector<float> a, v;
        for (int64_t i = 0; i < nx; ++i)
          for (int64_t j = 0; j < ny; ++j) {
            a.push_back(test::value_at(t, s, i, j, 0));
            v.push_back(test::value_at(t, s, i, j, 1));
            v.push_back(test::value_at(t, s, i, j, 2));
          }
        w.write_frame(t, s, "a", a.data(), all);
        w.write_frame(t, s, "v", v.data(), all);
      }
    w.finish();
    stats = data::compute_stats(MPI_COMM_SELF, {path});
  }
  void TearDown() override { fs::remove_all(dir); }
  const int64_t nx = 8, ny = 6, steps = 5;
  fs::path dir;
  std::string path;
  data::DatasetStats stats;
};

TEST_F(WindowTest, NormaliserRoundTripsAndStandardises) {
  data::WellFile f(path);
  const auto n = data::Normalizer::from_stats(stats, f.layout(), {"a"}, "stats.yaml");
  EXPECT_TRUE(n.log[0]);
  EXPECT_FALSE(n.log[1]);
  auto x = at::rand({3, 3, nx, ny}, at::kDouble) + 0.5;
  EXPECT_LT((n.denormalize(n.normalize(x)) - x).abs().max().item<double>(), 1e-12);
  // Without log fields the normalised data has per-channel mean 0, std 1.
  const auto plain = data::Normalizer::from_stats(stats, f.layout(), {}, "stats.yaml");
  data::WindowDataset ds({path}, plain, {steps, 1, 8});
  at::Tensor all = at::cat({ds.trajectory(0, 0).frames, ds.trajectory(0, 1).frames});
  const auto m = all.to(at::kDouble).mean(at::IntArrayRef{0, 2, 3});
  const auto s = all.to(at::kDouble).std(at::IntArrayRef{0, 2, 3}, /*unbiased=*/false);
  EXPECT_LT(m.abs().max().item<double>(), 1e-5);
  EXPECT_LT((s - 1).abs().max().item<double>(), 1e-5);
  EXPECT_THROW(data::Normalizer::from_stats(stats, f.layout(), {"nope"}, "stats.yaml"), InputError);
}

TEST_F(WindowTest, WindowsAndTheta) {
  data::WellFile f(path);
  const auto n = data::Normalizer::from_stats(stats, f.layout(), {}, "stats.yaml");
  data::WindowDataset ds({path}, n, {3, 2, 8});
  EXPECT_EQ(ds.size(), 2 * 2);  // starts 0 and 2 in each of 2 trajectories
  const auto s = ds.get(3);     // trajectory 1, start 2
  EXPECT_EQ(s.frames.sizes(), (std::vector<int64_t>{3, 3, nx, ny}));
  const double raw = n.denormalize(s.frames.to(at::kDouble))[1][2][4][3].item<double>();
  EXPECT_NEAR(raw, test::value_at(1, 3, 4, 3, 2), 1e-3);
  EXPECT_EQ(ds.theta_names(), (std::vector<std::string>{"gamma", "Ra", "x_periodic", "y_periodic"}));
  EXPECT_FLOAT_EQ(s.theta[0].item<float>(), 1.4f);
  EXPECT_FLOAT_EQ(s.theta[2].item<float>(), 1.f);
  EXPECT_FLOAT_EQ(s.theta[3].item<float>(), 0.f);
  EXPECT_THROW(data::WindowDataset({path}, n, {6, 1, 8}), InputError);  // window longer than a trajectory
}

TEST_F(WindowTest, ShardsPartitionTheEpochDeterministically) {
  data::WellFile f(path);
  const auto n = data::Normalizer::from_stats(stats, f.layout(), {}, "stats.yaml");
  data::WindowDataset ds({path}, n, {1, 1, 8});  // 10 windows
  std::multiset<float> seen;
  for (int r = 0; r < 2; ++r) {
    data::WindowLoader loader(ds, {1, 4, 7, r, 2, false, true});
    loader.start_epoch(3);
    data::Batch b;
    int count = 0;
    while (loader.next(&b)) {
      seen.insert(b.frames[0][0][0][0][0].item<float>());
      ++count;
    }
    EXPECT_EQ(count, 5);
  }
  EXPECT_EQ(seen.size(), 10u);
  EXPECT_EQ(std::set<float>(seen.begin(), seen.end()).size(), 10u);  // every window exactly once
  // Same seed and epoch: same batches.
  data::WindowLoader a(ds, {2, 4, 7, 0, 1, false, true}), b(ds, {2, 4, 7, 0, 1, false, true});
  data::Batch ba, bb;
  a.start_epoch(1);
  b.start_epoch(1);
  while (a.next(&ba)) {
    ASSERT_TRUE(b.next(&bb));
    EXPECT_TRUE(at::equal(ba.frames, bb.frames));
  }
}

TEST_F(WindowTest, AugmentationsRespectBoundaries) {
  data::WellFile f(path);
  const auto n = data::Normalizer::from_stats(stats, f.layout(), {}, "stats.yaml");
  data::WindowDataset ds({path}, n, {1, 1, 8});
  EXPECT_EQ(ds.flip_signs(0), (std::vector<float>{1, -1, 1}));
  EXPECT_EQ(ds.flip_signs(1), (std::vector<float>{1, 1, -1}));
  // x is periodic, y is open: every augmented sample must equal the original up to a roll along x
  // and flips (with signs); no roll along y ever happens.
  data::WindowLoader loader(ds, {1, 1, 11, 0, 1, true, true});
  data::Batch b;
  int matched = 0, flipped = 0;
  int index = 0;
  while (loader.next(&b)) {
    const at::Tensor orig = ds.get(index++).frames[0];
    const at::Tensor got = b.frames[0][0];
    bool found = false;
    for (int fx = 0; fx < 2 && !found; ++fx)
      for (int fy = 0; fy < 2 && !found; ++fy)
        for (int64_t r = 0; r < nx && !found; ++r) {
          // The transform of the physical state, normalised afterwards.
          at::Tensor c = n.denormalize(orig);
          if (fx) c = c.flip({1}) * at::tensor(ds.flip_signs(0)).view({-1, 1, 1});
          if (fy) c = c.flip({2}) * at::tensor(ds.flip_signs(1)).view({-1, 1, 1});
          c = n.normalize(c.roll({r}, {1}));
          found = at::allclose(c, got, 1e-4, 1e-4);
          flipped += found && (fx || fy);
        }
    matched += found;
  }
  EXPECT_EQ(matched, index);
  EXPECT_EQ(index, 10);
  EXPECT_GT(flipped, 0);
}

// A flip of normalised values is the normalised flip of the physical values: the v components have
// a mean far from 0 here (about 2.8 standard deviations), so negating z alone would be far off.
TEST_F(WindowTest, FlipOfNormalisedValuesShiftsByTheMean) {
  data::WellFile f(path);
  const auto n = data::Normalizer::from_stats(stats, f.layout(), {}, "stats.yaml");
  data::WindowDataset ds({path}, n, {1, 1, 8});
  const at::Tensor x = n.denormalize(ds.get(3).frames);  // [1, C, X, Y], physical
  data::Augmentation aug{{true, false}, {0, 0}};
  const at::Tensor physical = data::apply_augmentation(x, aug, {ds.flip_signs(0), ds.flip_signs(1)});
  const at::Tensor normalised = data::apply_augmentation(
      n.normalize(x), aug,
      {data::normalized_flip(ds.flip_signs(0), n), data::normalized_flip(ds.flip_signs(1), n)});
  EXPECT_TRUE(at::allclose(n.normalize(physical), normalised, 1e-4, 1e-4));
  EXPECT_GT(std::abs(n.mean[1] / n.std[1]), 1.0);
  EXPECT_FALSE(at::allclose(normalised.select(1, 1), -n.normalize(x).flip({2}).select(1, 1), 1e-2, 1e-2));
  // A log channel that would change sign is refused.
  const data::Normalizer logged{{0, 0, 0}, {1, 1, 1}, {true, false, false}};
  EXPECT_THROW(data::normalized_flip({-1.f, 1.f, 1.f}, logged), Error);
  EXPECT_EQ(data::normalized_flip({1.f, 1.f, 1.f}, n).offset, (std::vector<float>{0.f, 0.f, 0.f}));
}

}  // namespace
