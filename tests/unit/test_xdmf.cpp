// XDMF beside every dataset file: WellWriter::finish() writes NAME.xdmf once NAME.hdf5 is complete
// (never for an unfinished file), for fixed-length and growing files, in 1, 2 and 3 dimensions.
// With LEAP_XDMF_OUT set, the files are left in that directory for the checks that read them with
// h5py (tests/support/xdmf_check.py) and ParaView (tests/support/xdmf_paraview.py).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "leap/data/well_writer.h"
#include "leap/data/xdmf.h"
#include "leap/error.h"
#include "well_fixture.h"

namespace fs = std::filesystem;
using namespace leap;

namespace {

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Fills a frame of every field with values distinct across cells, components, fields, steps and
// trajectories (exact in float32), in file order.
void fill(data::WellWriter& w, int64_t traj, int64_t step) {
  const auto& L = w.layout();
  data::Block all;
  int64_t cells = 1;
  for (const auto& a : L.axes) {
    all.start.push_back(0);
    all.count.push_back(a.size);
    cells *= a.size;
  }
  int64_t offset = 0;
  for (const auto& f : L.fields) {
    const int64_t nc = f.components();
    std::vector<float> v;
    for (int64_t k = 0; k < cells * nc; ++k) v.push_back(float(100000 * traj + 1000 * step + offset + k));
    offset += cells * nc;
    w.write_frame(traj, step, f.name, v.data(), all);
  }
}

class Xdmf : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const char* out = std::getenv("LEAP_XDMF_OUT")) {
      dir = out;
      keep = true;
    } else {
      dir = fs::temp_directory_path() / ("leap_xdmf_" + std::to_string(::getpid()));
    }
    fs::create_directories(dir);
  }
  void TearDown() override {
    if (!keep) fs::remove_all(dir);
  }
  fs::path dir;
  bool keep = false;
};

TEST_F(Xdmf, WrittenBesideTheFileOnlyWhenItIsFinished) {
  const fs::path h5 = dir / "small.hdf5";
  fs::remove(h5);
  fs::remove(dir / "small.xdmf");
  {
    data::WellWriter w(MPI_COMM_SELF, h5.string(), test::small_layout(6, 5, 2, 3));
    for (int64_t t = 0; t < 2; ++t)
      for (int64_t s = 0; s < 3; ++s) fill(w, t, s);
    EXPECT_FALSE(fs::exists(dir / "small.xdmf")) << "an unfinished file has no XDMF";
    w.finish();
  }
  ASSERT_TRUE(fs::exists(dir / "small.xdmf"));
  EXPECT_EQ(data::xdmf_path_for(h5.string()), (dir / "small.xdmf").string());
  const std::string x = read(dir / "small.xdmf");
  EXPECT_NE(x.find("<Xdmf Version=\"3.0\">"), std::string::npos);
  // 2 temporal collections of 3 frames each; per frame a, v_x, v_y.
  EXPECT_EQ(count(x, "CollectionType=\"Temporal\""), 2u);
  EXPECT_EQ(count(x, "GridType=\"Uniform\""), 6u);
  EXPECT_EQ(count(x, "<Attribute Name=\"a\""), 6u);
  EXPECT_EQ(count(x, "<Attribute Name=\"v_x\""), 6u);
  EXPECT_EQ(count(x, "<Attribute Name=\"v_y\""), 6u);
  // Slowest first: x then y; coordinates fastest first: y then x; relative paths.
  EXPECT_NE(x.find("TopologyType=\"2DRectMesh\" Dimensions=\"6 5\""), std::string::npos);
  EXPECT_LT(x.find("small.hdf5:/dimensions/y"), x.find("small.hdf5:/dimensions/x"));
  EXPECT_EQ(x.find(dir.string()), std::string::npos) << "paths must be relative";
  EXPECT_NE(x.find(">1 2 0 0 1 1 1 1 1 1 6 5</DataItem>"), std::string::npos) << "trajectory 1, step 2 of a";
  EXPECT_NE(x.find(">1 2 0 0 1 1 1 1 1 1 1 1 6 5 1</DataItem>"), std::string::npos) << "v_y of (1, 2)";
  EXPECT_NE(x.find("<Time Value=\"0.5\"/>"), std::string::npos);
  EXPECT_EQ(data::xdmf_text(h5.string()), x);
}

TEST_F(Xdmf, GrowingFilesDescribeTheFramesAppended) {
  const fs::path h5 = dir / "growing--1.hdf5";  // "--" may not appear in an XML comment
  fs::remove(h5);
  {
    auto L = test::small_layout(4, 4, 1, 0);
    data::WellWriter w(MPI_COMM_SELF, h5.string(), L);
    for (int s = 0; s < 4; ++s) {
      const int64_t step = w.append_frame(0.1 * s + 0.05);
      fill(w, 0, step);
    }
    w.mark_complete(1);
    w.finish();
  }
  const std::string x = read(dir / "growing--1.xdmf");
  EXPECT_NE(x.find("<!-- Written by LEAP: growing- -1.hdf5"), std::string::npos)
      << "the comment naming the file";
  EXPECT_NE(x.find(">growing--1.hdf5:/t0_fields/a<"), std::string::npos);
  EXPECT_EQ(count(x, "GridType=\"Uniform\""), 4u);
  EXPECT_NE(x.find("<Time Value=\"0.35\"/>"), std::string::npos) << "float32 0.35 in its shortest form";
}

TEST_F(Xdmf, OneAndThreeDimensions) {
  {
    auto L = test::small_layout(7, 1, 1, 2);
    L.axes.resize(1);
    for (auto& f : L.fields) f.dim_varying = {true};
    const fs::path h5 = dir / "line.hdf5";
    fs::remove(h5);
    data::WellWriter w(MPI_COMM_SELF, h5.string(), L);
    for (int s = 0; s < 2; ++s) fill(w, 0, s);
    w.finish();
    const std::string x = read(dir / "line.xdmf");
    EXPECT_NE(x.find("TopologyType=\"2DRectMesh\" Dimensions=\"1 7\""), std::string::npos);
    EXPECT_EQ(count(x, "<Attribute Name=\"v_x\""), 2u);
  }
  {
    auto L = test::small_layout(4, 3, 1, 2);
    data::WellAxis z;
    z.name = "z";
    z.size = 2;
    z.coords = {0.25, 0.75};
    z.bc_type = "wall";
    L.axes.push_back(z);
    for (auto& f : L.fields) f.dim_varying = {true, true, true};
    const fs::path h5 = dir / "cube.hdf5";
    fs::remove(h5);
    data::WellWriter w(MPI_COMM_SELF, h5.string(), L);
    for (int s = 0; s < 2; ++s) fill(w, 0, s);
    w.finish();
    const std::string x = read(dir / "cube.xdmf");
    EXPECT_NE(x.find("TopologyType=\"3DRectMesh\" Dimensions=\"4 3 2\""), std::string::npos);
    EXPECT_NE(x.find("GeometryType=\"VXVYVZ\""), std::string::npos);
    EXPECT_EQ(count(x, "<Attribute Name=\"v_z\""), 2u);
  }
}

TEST_F(Xdmf, NotADatasetIsAnInputError) {
  const fs::path bad = dir / "not_a_dataset.hdf5";
  std::ofstream(bad) << "hello";
  EXPECT_THROW(data::write_xdmf(bad.string()), InputError);
  EXPECT_FALSE(fs::exists(dir / "not_a_dataset.xdmf"));
  fs::remove(bad);
}

}  // namespace
