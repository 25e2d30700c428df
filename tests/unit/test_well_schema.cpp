// Whatever The Well's reader reads, LEAP reads: fixtures written to The Well's published schema
// (tests/support/well_fixtures.py: The Well's own dummy-data file, and a file with float64 fields,
// a field constant in time and across trajectories, one that varies along x only, a t2 field,
// scalars, a sample-varying time grid and per-side boundary masks). Every frame LEAP reads equals
// the values numpy computes from the file, channel for channel; each axis side's boundary type
// equals what The Well's own reader decides; datasets without stats.yaml get theirs computed, and
// pooled statistics of two datasets equal the statistics of their union.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "leap/data/dataset_stats.h"
#include "leap/data/well_file.h"
#include "leap/error.h"
#include "leap/train/dataset_dir.h"

namespace fs = std::filesystem;
using namespace leap;

namespace {

fs::path fixtures() {
  const char* dir = std::getenv("LEAP_WELL_FIXTURES");
  return dir ? fs::path(dir) : fs::path();
}

nlohmann::json expected() {
  std::ifstream in(fixtures() / "expected.json");
  return nlohmann::json::parse(in);
}

class WellSchema : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (fixtures().empty() || !fs::exists(fixtures() / "expected.json"))
      GTEST_SKIP() << "LEAP_WELL_FIXTURES not set (run through ctest: well_fixtures writes them)";
  }
};

TEST_P(WellSchema, FramesChannelsBoundariesAndScalarsMatchTheFile) {
  const auto e = expected()[GetParam()];
  const data::WellFile f(e["path"].get<std::string>());
  const auto& L = f.layout();
  EXPECT_EQ(L.dataset_name, e["dataset_name"].get<std::string>());
  EXPECT_EQ(L.channel_names(), e["channels"].get<std::vector<std::string>>());
  ASSERT_EQ(L.axes.size(), e["grid"].size());
  int64_t cells = 1;
  for (size_t a = 0; a < L.axes.size(); ++a) {
    EXPECT_EQ(L.axes[a].size, e["grid"][a].get<int64_t>());
    cells *= L.axes[a].size;
    EXPECT_EQ(L.axes[a].bc_lower, e["boundaries"][a][0].get<std::string>()) << L.axes[a].name;
    EXPECT_EQ(L.axes[a].bc_upper, e["boundaries"][a][1].get<std::string>()) << L.axes[a].name;
  }
  EXPECT_EQ(L.times, e["times"].get<std::vector<double>>());
  for (const auto& fr : e["frames"]) {
    const auto state = f.read_state(fr["trajectory"].get<int64_t>(), fr["step"].get<int64_t>());
    const auto& want = fr["values"];
    ASSERT_EQ(int64_t(state.size()), int64_t(want.size()) * cells);
    for (size_t c = 0; c < want.size(); ++c)
      for (int64_t i = 0; i < cells; ++i)
        ASSERT_EQ(state[size_t(c * cells + i)], want[c][size_t(i)].get<float>())
            << L.channel_names()[c] << " cell " << i << " frame " << fr.dump().substr(0, 40);
  }
  for (const auto& [name, values] : e["scalars"].items())
    EXPECT_EQ(f.read_scalar(name), values.get<std::vector<double>>()) << name;
  // The summary names what is special about each field.
  const std::string info = data::describe(L, f.path());
  for (const auto& fld : L.fields)
    if (!fld.time_varying) {
      EXPECT_NE(info.find("constant in time"), std::string::npos) << info;
    }
  EXPECT_NE(info.find("scalars:"), std::string::npos) << info;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, WellSchema, ::testing::Values("dummy", "mixed"));

TEST(WellSchemaFields, DescribeEachKind) {
  if (fixtures().empty()) GTEST_SKIP() << "LEAP_WELL_FIXTURES not set";
  const data::WellFile m((fixtures() / "mixed" / "data" / "train" / "mixed.hdf5").string());
  const auto& L = m.layout();
  ASSERT_NE(L.field("density"), nullptr);
  EXPECT_EQ(L.field("density")->dtype, "float64");
  EXPECT_FALSE(L.field("bathymetry")->time_varying);
  EXPECT_FALSE(L.field("bathymetry")->sample_varying);
  EXPECT_EQ(L.field("profile")->dim_varying, (std::vector<bool>{true, false}));
  EXPECT_EQ(L.field("stress")->components(), 4);
  EXPECT_EQ(L.axes[0].bc_type, "wall/open");
  EXPECT_EQ(L.axes[1].bc_type, "periodic");
  ASSERT_EQ(L.boundaries.size(), 3u);
  ASSERT_EQ(L.scalars.size(), 3u);
  EXPECT_TRUE(L.scalars[1].time_varying);
  EXPECT_TRUE(L.scalars[2].sample_varying);
}

TEST(WellSchemaDatasets, StatisticsComputedWhenMissingAndPooledExactly) {
  if (fixtures().empty()) GTEST_SKIP() << "LEAP_WELL_FIXTURES not set";
  const auto root = (fixtures() / "dummy").string();
  const auto dir = train::open_dataset_dir(root, true, MPI_COMM_SELF);
  ASSERT_EQ(dir.datasets.size(), 1u);
  EXPECT_TRUE(dir.datasets[0].stats_computed);
  EXPECT_EQ(dir.datasets[0].name, "dummy_dataset");
  EXPECT_FALSE(fs::exists(fs::path(root) / "stats.yaml"));  // nothing written into the user's dataset
  // Pooling per-part statistics equals the statistics of the union.
  const auto a = data::compute_stats(MPI_COMM_SELF, dir.train);
  const auto b = data::compute_stats(MPI_COMM_SELF, dir.valid);
  auto joined = dir.train;
  joined.insert(joined.end(), dir.valid.begin(), dir.valid.end());
  const auto all = data::compute_stats(MPI_COMM_SELF, joined);
  const auto pooled = data::pool_stats({a, b}, {1.0, 1.0}, {1.0, 1.0});  // equal sizes
  ASSERT_EQ(pooled.fields.size(), all.fields.size());
  for (size_t k = 0; k < all.fields.size(); ++k)
    for (int c = 0; c < all.fields[k].components; ++c) {
      const auto& p = pooled.fields[k];
      const auto& u = all.fields[k];
      EXPECT_NEAR(p.mean[c], u.mean[c], 1e-12);
      EXPECT_NEAR(p.std[c], u.std[c], 1e-12);
      EXPECT_NEAR(p.rms[c], u.rms[c], 1e-12);
      EXPECT_NEAR(p.mean_delta[c], u.mean_delta[c], 1e-12);
      EXPECT_NEAR(p.std_delta[c], u.std_delta[c], 1e-12);
      EXPECT_NEAR(p.rms_delta[c], u.rms_delta[c], 1e-12);
    }
  // The constant field changes by nothing from frame to frame.
  EXPECT_EQ(all.field("constant_field")->std_delta[0], 0.0);
}

TEST(WellSchemaDatasets, CollectionsNeedOneLayoutAndTheWellsDirectories) {
  if (fixtures().empty()) GTEST_SKIP() << "LEAP_WELL_FIXTURES not set";
  // The fixtures directory is a collection of two datasets with different channels: refused.
  try {
    train::open_dataset_dir(fixtures().string(), false, MPI_COMM_SELF);
    ADD_FAILURE() << "a collection of datasets with different channels was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("differ"), std::string::npos) << e.what();
  }
  EXPECT_EQ(train::find_datasets({fixtures().string()}).size(), 2u);
  // LEAP's former layout (ROOT/train/*.hdf5) is refused with the way to move it.
  const fs::path old = fs::temp_directory_path() / "leap_old_layout";
  fs::create_directories(old / "train");
  try {
    train::open_dataset_dir(old.string(), false, MPI_COMM_SELF);
    ADD_FAILURE() << "the former layout was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("former layout"), std::string::npos) << e.what();
  }
  fs::remove_all(old);
}

}  // namespace
