// The Well's schema: a file written by WellWriter reads back exactly, with the schema The Well
// documents; files that are not HDF5 or miss parts of the schema are refused with what is missing.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <filesystem>
#include <fstream>

#include "leap/data/well_writer.h"
#include "leap/error.h"
#include "well_fixture.h"

namespace fs = std::filesystem;
using namespace leap;

namespace {

fs::path write_small(const fs::path& path, bool finish = true) {
  auto L = test::small_layout(6, 5, 2, 3);
  data::WellWriter w(MPI_COMM_SELF, path.string(), L);
  data::Block all{{0, 0}, {6, 5}};
  for (int64_t t = 0; t < 2; ++t)
    for (int64_t s = 0; s < 3; ++s) {
      std::vector<float> a, v;
      for (int64_t i = 0; i < 6; ++i)
        for (int64_t j = 0; j < 5; ++j) {
          a.push_back(test::value_at(t, s, i, j, 0));
          v.push_back(test::value_at(t, s, i, j, 1));
          v.push_back(test::value_at(t, s, i, j, 2));
        }
      w.write_frame(t, s, "a", a.data(), all);
      w.write_frame(t, s, "v", v.data(), all);
    }
  if (finish) w.finish();
  return path;
}

std::string error_of(const std::string& path) {
  try {
    data::WellFile f(path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(accepted)";
}

class WellFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("leap_well_" + std::to_string(::getpid()));
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }
  fs::path dir;
};

TEST_F(WellFileTest, RoundTripsLayoutAndData) {
  auto path = write_small(dir / "d.hdf5");
  data::WellFile f(path.string());
  const auto& L = f.layout();
  EXPECT_EQ(L.dataset_name, "leap_test");
  EXPECT_EQ(L.n_trajectories, 2);
  EXPECT_EQ(L.n_steps, 3);
  ASSERT_EQ(L.axes.size(), 2u);
  EXPECT_EQ(L.axes[0].size, 6);
  EXPECT_EQ(L.axes[1].size, 5);
  EXPECT_EQ(L.axes[0].bc_type, "periodic");
  EXPECT_EQ(L.axes[1].bc_type, "open");
  EXPECT_NEAR(L.axes[0].coords[1], 1.5 / 6, 1e-7);
  EXPECT_DOUBLE_EQ(L.times[2], 0.5);
  ASSERT_EQ(L.parameters.size(), 2u);
  EXPECT_EQ(L.parameters[1].first, "Ra");
  EXPECT_DOUBLE_EQ(L.parameters[1].second, 1e5);
  ASSERT_EQ(L.fields.size(), 2u);
  EXPECT_EQ(L.fields[1].shape, (std::vector<int64_t>{2, 3, 6, 5, 2}));
  EXPECT_EQ(L.channel_names(), (std::vector<std::string>{"a", "v_x", "v_y"}));

  const auto v = f.read_frame(1, 2, "v");
  for (int64_t i = 0; i < 6; ++i)
    for (int64_t j = 0; j < 5; ++j)
      for (int c = 0; c < 2; ++c) ASSERT_EQ(v[(i * 5 + j) * 2 + c], test::value_at(1, 2, i, j, 1 + c));
  const auto state = f.read_state(0, 1);
  ASSERT_EQ(state.size(), 3u * 30u);
  EXPECT_EQ(state[2 * 30 + 4 * 5 + 3], test::value_at(0, 1, 4, 3, 2));

  const auto text = data::describe(L, path.string());
  EXPECT_NE(text.find("trajectories:  2"), std::string::npos) << text;
  EXPECT_NE(text.find("v  order 1 (vector)  shape [2, 3, 6, 5, 2]"), std::string::npos) << text;
}

TEST_F(WellFileTest, SchemaAttributesFollowTheWell) {
  auto path = write_small(dir / "d.hdf5");
  hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  for (const char* obj : {"dimensions/time", "dimensions/x", "t0_fields/a", "t1_fields/v", "scalars/gamma",
                          "boundary_conditions/x_periodic/mask", "t2_fields"})
    EXPECT_GT(H5Lexists(f, obj, H5P_DEFAULT) > 0 || H5Oexists_by_name(f, obj, H5P_DEFAULT) > 0, 0) << obj;
  hid_t d = H5Dopen2(f, "t1_fields/v", H5P_DEFAULT);
  hid_t dcpl = H5Dget_create_plist(d);
  hsize_t chunk[5];
  ASSERT_EQ(H5Pget_chunk(dcpl, 5, chunk), 5);
  EXPECT_EQ(chunk[0], 1u);  // chunked per frame
  EXPECT_EQ(chunk[1], 1u);
  EXPECT_EQ(chunk[2], 6u);
  hid_t type = H5Dget_type(d);
  EXPECT_TRUE(H5Tequal(type, H5T_IEEE_F32LE) > 0);
  H5Tclose(type);
  H5Pclose(dcpl);
  H5Dclose(d);
  H5Fclose(f);
}

TEST_F(WellFileTest, UnfinishedFileKeepsItsTemporaryName) {
  write_small(dir / "d.hdf5", /*finish=*/false);
  EXPECT_FALSE(fs::exists(dir / "d.hdf5"));
  EXPECT_TRUE(fs::exists(dir / "d.hdf5.partial"));
}

TEST_F(WellFileTest, RefusesWhatIsNotADataset) {
  EXPECT_EQ(error_of((dir / "none.hdf5").string()), (dir / "none.hdf5").string() + ": no such file");
  const auto text = dir / "text.hdf5";
  std::ofstream(text) << "hello";
  EXPECT_EQ(error_of(text.string()), text.string() + ": not an HDF5 file");

  // Valid HDF5, schema parts removed one at a time.
  for (const char* part : {"dimensions", "t0_fields", "boundary_conditions"}) {
    auto path = write_small(dir / (std::string("cut_") + part + ".hdf5"));
    hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    H5Ldelete(f, part, H5P_DEFAULT);
    H5Fclose(f);
    EXPECT_NE(error_of(path.string()).find(std::string("missing group '") + part + "'"), std::string::npos)
        << error_of(path.string());
  }
  auto path = write_small(dir / "noname.hdf5");
  hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  H5Adelete(f, "dataset_name");
  H5Fclose(f);
  EXPECT_NE(error_of(path.string()).find("missing root attribute 'dataset_name'"), std::string::npos);
}

}  // namespace
