// FrameRecorder writes a collection in The Well's layout: DIR/<dataset_name>/data/{train,valid} and
// DIR/<dataset_name>/stats.yaml; a second recording joins the dataset only with the same layout
// (dataset_name, grid, fields) and under another name; anything else is refused before a frame is
// written.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "leap/error.h"
#include "leap/plugin/frame_recorder.h"
#include "leap/train/dataset_dir.h"

namespace fs = std::filesystem;
using namespace leap;

namespace {

data::WellLayout layout(int64_t nx, const std::string& field = "u") {
  data::WellLayout L;
  L.dataset_name = "recorded_case";
  std::vector<double> cx, cy;
  for (int64_t i = 0; i < nx; ++i) cx.push_back((double(i) + 0.5) / double(nx));
  for (int64_t j = 0; j < 4; ++j) cy.push_back((double(j) + 0.5) / 4.0);
  L.axes = {data::WellAxis("x", nx, cx, "periodic"), data::WellAxis("y", 4, cy, "periodic")};
  data::WellField f;
  f.name = field;
  f.dim_varying = {true, true};
  L.fields = {f};
  return L;
}

void record(const fs::path& dir, const data::WellLayout& L, const std::string& name, int frames) {
  plugin::RecorderOptions o;
  o.dir = dir.string();
  o.name = name;
  o.frames_per_trajectory = 2;
  data::Block all{{0, 0}, {L.axes[0].size, L.axes[1].size}};
  plugin::FrameRecorder r(MPI_COMM_SELF, L, all, o);
  for (int k = 0; k < frames; ++k) r.add({std::vector<float>(size_t(all.cells()), float(k))}, 0.1 * k);
  r.finish();
}

std::string refusal(const fs::path& dir, const data::WellLayout& L, const std::string& name) {
  try {
    record(dir, L, name, 2);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(FrameRecorder, WritesTheWellsLayoutAndRefusesAnotherLayoutInOneDataset) {
  const fs::path dir = fs::temp_directory_path() / ("leap_frame_recorder_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  record(dir, layout(6), "a", 4);  // two trajectories
  const fs::path ds = dir / "recorded_case";
  EXPECT_TRUE(fs::is_regular_file(ds / "data" / "train" / "a_0.hdf5"));
  EXPECT_TRUE(fs::is_regular_file(ds / "data" / "train" / "a_1.hdf5"));
  EXPECT_TRUE(fs::is_regular_file(ds / "stats.yaml"));
  // The collection reads back as one dataset of two files.
  const auto d = train::open_dataset_dir(dir.string(), /*need_valid=*/false, MPI_COMM_SELF);
  ASSERT_EQ(d.datasets.size(), 1u);
  EXPECT_EQ(d.datasets[0].name, "recorded_case");
  EXPECT_EQ(d.train.size(), 2u);

  // Same layout, another name: joins the dataset.
  EXPECT_EQ(refusal(dir, layout(6), "b"), "");
  EXPECT_TRUE(fs::is_regular_file(ds / "data" / "train" / "b_0.hdf5"));
  // Same name again: refused.
  EXPECT_NE(refusal(dir, layout(6), "a").find("already exists"), std::string::npos);
  // Another grid or other fields under the same dataset_name: refused, nothing written.
  const std::string grid = refusal(dir, layout(8), "c");
  EXPECT_NE(grid.find("another layout"), std::string::npos) << grid;
  EXPECT_NE(grid.find("grid"), std::string::npos) << grid;
  const std::string fields = refusal(dir, layout(6, "v"), "d");
  EXPECT_NE(fields.find("fields"), std::string::npos) << fields;
  EXPECT_FALSE(fs::exists(ds / "data" / "train" / "c_0.hdf5"));
  EXPECT_FALSE(fs::exists(ds / "data" / "train" / "d_0.hdf5"));
  fs::remove_all(dir);
}

}  // namespace
