// Dataset statistics against values computed by hand, the stats.yaml round trip, and the resume of
// an interrupted dataset file at its first unfinished trajectory.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "leap/data/dataset_stats.h"
#include "leap/data/well_writer.h"
#include "leap/error.h"
#include "well_fixture.h"

namespace fs = std::filesystem;
using namespace leap;

namespace {

// Field a = step (same everywhere); v = (i, -2 j) -- independent of trajectory.
void write_trajectory(data::WellWriter& w, int64_t traj, int64_t nx, int64_t ny, int64_t steps) {
  data::Block all{{0, 0}, {nx, ny}};
  for (int64_t s = 0; s < steps; ++s) {
    std::vector<float> a, v;
    for (int64_t i = 0; i < nx; ++i)
      for (int64_t j = 0; j < ny; ++j) {
        a.push_back(float(s + traj));
        v.push_back(float(i));
        v.push_back(float(-2 * j));
      }
    w.write_frame(traj, s, "a", a.data(), all);
    w.write_frame(traj, s, "v", v.data(), all);
  }
}

class StatsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("leap_stats_" + std::to_string(::getpid()));
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }
  fs::path dir;
};

TEST_F(StatsTest, MatchesHandComputedValues) {
  const int64_t nx = 4, ny = 3, steps = 3;
  const auto path = (dir / "s.hdf5").string();
  {
    data::WellWriter w(MPI_COMM_SELF, path, test::small_layout(nx, ny, 2, steps));
    write_trajectory(w, 0, nx, ny, steps);
    write_trajectory(w, 1, nx, ny, steps);
    w.finish();
  }
  const auto st = data::compute_stats(MPI_COMM_SELF, {path});
  ASSERT_EQ(st.fields.size(), 2u);
  const auto& a = *st.field("a");
  // a takes values s + traj: {0,1,2} and {1,2,3}, each over 12 cells: mean 1.5, var = 11/12.
  EXPECT_NEAR(a.mean[0], 1.5, 1e-12);
  EXPECT_NEAR(a.std[0], std::sqrt(11.0 / 12.0), 1e-12);
  EXPECT_NEAR(a.rms[0], std::sqrt((0 + 1 + 4 + 1 + 4 + 9) / 6.0), 1e-12);
  EXPECT_NEAR(a.mean_delta[0], 1.0, 1e-12);  // a grows by 1 per frame
  EXPECT_NEAR(a.std_delta[0], 0.0, 1e-12);
  EXPECT_NEAR(a.rms_delta[0], 1.0, 1e-12);
  const auto& v = *st.field("v");
  ASSERT_EQ(v.components, 2);
  EXPECT_NEAR(v.mean[0], 1.5, 1e-12);                        // i in 0..3
  EXPECT_NEAR(v.std[0], std::sqrt(1.25), 1e-12);             // var of {0,1,2,3}
  EXPECT_NEAR(v.mean[1], -2.0, 1e-12);                       // -2 j, j in 0..2
  EXPECT_NEAR(v.std[1], 2.0 * std::sqrt(2.0 / 3.0), 1e-12);  // 2 * std of {0,1,2}
  EXPECT_NEAR(v.rms_delta[1], 0.0, 1e-12);                   // v is constant in time
  EXPECT_EQ(st.channel_mean().size(), 3u);

  const auto yaml = (dir / "stats.yaml").string();
  data::write_stats_yaml(yaml, st);
  const auto back = data::read_stats_yaml(yaml);
  ASSERT_EQ(back.fields.size(), 2u);
  EXPECT_NEAR(back.field("v")->std[1], v.std[1], 1e-9);
  EXPECT_NEAR(back.field("a")->rms_delta[0], 1.0, 1e-9);

  std::ofstream(yaml) << "mean: {a: 1}\n";
  try {
    data::read_stats_yaml(yaml);
    FAIL() << "accepted a stats file without std";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("key 'std'"), std::string::npos) << e.what();
  }
}

TEST_F(StatsTest, InterruptedFileResumesAtFirstUnfinishedTrajectory) {
  const int64_t nx = 4, ny = 3, steps = 2;
  const auto path = (dir / "r.hdf5").string();
  {
    data::WellWriter w(MPI_COMM_SELF, path, test::small_layout(nx, ny, 3, steps), true);
    EXPECT_EQ(w.completed_trajectories(), 0);
    write_trajectory(w, 0, nx, ny, steps);
    w.mark_complete(1);
    write_trajectory(w, 1, nx, ny, steps);  // written but not marked: "interrupted" here
  }
  EXPECT_FALSE(fs::exists(path));
  {
    data::WellWriter w(MPI_COMM_SELF, path, test::small_layout(nx, ny, 3, steps), true);
    EXPECT_EQ(w.completed_trajectories(), 1);
    for (int64_t k = w.completed_trajectories(); k < 3; ++k) {
      write_trajectory(w, k, nx, ny, steps);
      w.mark_complete(k + 1);
    }
    w.finish();
  }
  data::WellFile f(path);
  for (int64_t t = 0; t < 3; ++t) EXPECT_EQ(f.read_frame(t, 1, "a")[5], float(1 + t));
  // A leftover of another layout is not reused.
  {
    data::WellWriter w(MPI_COMM_SELF, (dir / "x.hdf5").string(), test::small_layout(nx, ny, 3, steps), true);
    w.mark_complete(2);
  }
  data::WellWriter w(MPI_COMM_SELF, (dir / "x.hdf5").string(), test::small_layout(nx, ny, 4, steps), true);
  EXPECT_EQ(w.completed_trajectories(), 0);
}

}  // namespace
