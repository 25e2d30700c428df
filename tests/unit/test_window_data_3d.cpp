// Training data in 3-D: a Well file of a scalar a and a 3-vector v on an 8 x 6 x 4 grid (x, z
// periodic, y open). The normaliser knows the three spatial axes (its YAML keeps them; a 2-D
// checkpoint's reads as 2-D), round-trips and standardises [T, C, X, Y, Z] frames; windows carry
// x/y/z_periodic as theta; the loader's augmentations are flips on every axis (negating the
// matching component of v) and rolls along the periodic axes only.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "leap/data/augmentation.h"
#include "leap/data/well_writer.h"
#include "leap/data/window_loader.h"
#include "leap/train/model_io.h"

namespace fs = std::filesystem;
using namespace leap;

namespace {

constexpr int64_t kX = 8, kY = 6, kZ = 4, kSteps = 4;

float value(int64_t t, int64_t s, int64_t i, int64_t j, int64_t l, int c) {
  return float(1 + c + 0.5 * t + 0.1 * s + std::sin(0.7 * i + c) * std::cos(0.5 * j) +
               0.3 * std::sin(1.1 * l + c));
}

class Window3D : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("leap_window3d_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    path = (dir / "w.hdf5").string();
    data::WellLayout L;
    L.dataset_name = "w3";
    L.axes = {{"x", kX, {}, "periodic"}, {"y", kY, {}, "open"}, {"z", kZ, {}, "periodic"}};
    for (auto& a : L.axes)
      for (int64_t i = 0; i < a.size; ++i) a.coords.push_back(double(i) + 0.5);
    data::WellField a, v;
    a.name = "a";
    a.order = 0;
    v.name = "v";
    v.order = 1;
    a.dim_varying = v.dim_varying = {true, true, true};
    L.fields = {a, v};
    L.n_trajectories = 2;
    L.n_steps = kSteps;
    for (int64_t s = 0; s < kSteps; ++s) L.times.push_back(0.1 * double(s));
    data::WellWriter w(MPI_COMM_SELF, path, L);
    const data::Block all{{0, 0, 0}, {kX, kY, kZ}};
    for (int64_t t = 0; t < 2; ++t)
      for (int64_t s = 0; s < kSteps; ++s) {
        std::vector<float> fa, fv;
        for (int64_t i = 0; i < kX; ++i)
          for (int64_t j = 0; j < kY; ++j)
            for (int64_t l = 0; l < kZ; ++l) {
              fa.push_back(value(t, s, i, j, l, 0));
              for (int c = 1; c <= 3; ++c) fv.push_back(value(t, s, i, j, l, c));
            }
        w.write_frame(t, s, "a", fa.data(), all);
        w.write_frame(t, s, "v", fv.data(), all);
      }
    w.mark_complete(2);
    w.finish();
    stats = data::compute_stats(MPI_COMM_SELF, {path});
  }
  void TearDown() override { fs::remove_all(dir); }
  fs::path dir;
  std::string path;
  data::DatasetStats stats;
};

TEST_F(Window3D, NormaliserKnowsTheThreeAxes) {
  const data::WellFile f(path);
  const auto n = data::Normalizer::from_stats(stats, f.layout(), {"a"}, "stats.yaml");
  EXPECT_EQ(n.spatial_dims, 3);
  const at::Tensor x = at::rand({2, 4, kX, kY, kZ}, at::kDouble) + 0.5;
  EXPECT_LT((n.denormalize(n.normalize(x)) - x).abs().max().item<double>(), 1e-12);
  // Channel c alone: its own mean and std (a 2-D normaliser would pair the channels with the wrong axis).
  const at::Tensor z = n.normalize(x);
  for (int c = 1; c < 4; ++c)
    EXPECT_LT(
        (z.select(1, c) - (x.select(1, c) - n.mean[size_t(c)]) / n.std[size_t(c)]).abs().max().item<double>(),
        1e-12);
  // The checkpoint's YAML keeps the axes; one without the key (a 2-D checkpoint) reads as 2-D.
  EXPECT_EQ(train::normalizer_from_yaml(train::normalizer_to_yaml(n), "t").spatial_dims, 3);
  EXPECT_EQ(train::normalizer_from_yaml("mean: [0]\nstd: [1]\nlog: [false]\n", "t").spatial_dims, 2);
  // Standardised over the dataset, per channel.
  const auto plain = data::Normalizer::from_stats(stats, f.layout(), {}, "stats.yaml");
  data::WindowDataset ds({path}, plain, {kSteps, 1, 8});
  const at::Tensor all = at::cat({ds.trajectory(0, 0).frames, ds.trajectory(0, 1).frames}).to(at::kDouble);
  ASSERT_EQ(all.sizes().vec(), (std::vector<int64_t>{2 * kSteps, 4, kX, kY, kZ}));
  EXPECT_LT(all.mean(at::IntArrayRef{0, 2, 3, 4}).abs().max().item<double>(), 1e-5);
  EXPECT_LT((all.std(at::IntArrayRef{0, 2, 3, 4}, false) - 1).abs().max().item<double>(), 1e-5);
}

TEST_F(Window3D, WindowsThetaAndAugmentations) {
  const data::WellFile f(path);
  const auto n = data::Normalizer::from_stats(stats, f.layout(), {}, "stats.yaml");
  data::WindowDataset ds({path}, n, {2, 1, 8});
  EXPECT_EQ(ds.theta_names(), (std::vector<std::string>{"x_periodic", "y_periodic", "z_periodic"}));
  EXPECT_EQ(ds.flip_signs(2), (std::vector<float>{1, 1, 1, -1}));
  const auto w = ds.get(0);
  EXPECT_EQ(w.frames.sizes().vec(), (std::vector<int64_t>{2, 4, kX, kY, kZ}));
  EXPECT_EQ(std::vector<float>(w.theta.data_ptr<float>(), w.theta.data_ptr<float>() + 3),
            (std::vector<float>{1, 0, 1}));
  // Every augmented window is the original with flips (signed) on any axis and rolls along x and z.
  data::WindowLoader loader(ds, {1, 1, 5, 0, 1, true, true});
  data::Batch b;
  int index = 0, matched = 0, z_flips = 0;
  while (loader.next(&b)) {
    const at::Tensor phys = n.denormalize(ds.get(index++).frames[0]);
    const at::Tensor got = b.frames[0][0];
    bool found = false;
    for (int fl = 0; fl < 8 && !found; ++fl)
      for (int64_t rx = 0; rx < kX && !found; ++rx)
        for (int64_t rz = 0; rz < kZ && !found; ++rz) {
          at::Tensor c = phys;
          for (int a = 0; a < 3; ++a)
            if (fl >> a & 1) c = c.flip({1 + a}) * at::tensor(ds.flip_signs(a)).view({-1, 1, 1, 1});
          found = at::allclose(n.normalize(c.roll({rx, rz}, {1, 3})), got, 1e-4, 1e-4);
          z_flips += found && (fl & 4);
        }
    matched += found;
  }
  EXPECT_EQ(matched, index);
  EXPECT_EQ(index, 6);
  EXPECT_GT(z_flips, 0);
}

}  // namespace
