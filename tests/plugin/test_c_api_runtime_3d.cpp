// The runtime's C API on a 3-D grid (leap_runtime_set_box_3d) under mpiexec, with the oracle
// emulator over a 3-D dataset the test writes collectively (a scalar a and a 3-vector v: channels
// a, v_x, v_y, v_z): after observing frame k and leaping N frames every rank holds exactly stored
// frame k + N in its box, in every block layout (each layout's element order written out here) and
// for uneven 3-D splits with a rank owning nothing; a recording is a 3-D dataset with the config's
// z boundary; a field of 2-D component count on a 3-D box, and bad 3-D boxes, are refused.
#include <gtest/gtest.h>
#include <mpi.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "leap/data/well_file.h"
#include "leap/data/well_writer.h"
#include "leap/leap.h"

namespace fs = std::filesystem;

namespace {

constexpr int kX = 6, kY = 5, kZ = 4, kC = 4, kSteps = 10;

int world_rank() {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}
int world_size() {
  int s = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &s);
  return s;
}
std::string last_error() {
  return leap_last_error();
}

// Exact in float32: names its frame, channel and cell.
float value(int s, int c, int x, int y, int z) {
  return float(1 + 1000 * s + 200 * c + 30 * x + 5 * y + z);
}

struct Box {
  int x0 = 0, y0 = 0, z0 = 0, xm = kX, ym = kY, zm = kZ;
  int cells() const { return xm * ym * zm; }
};

// Rank 0 owns z < 1; the others split the rest along x, unevenly; with `hole` the last of three or
// more ranks owns nothing.
Box box_of(int rank, int size, bool hole = false) {
  if (size == 1) return {};
  if (rank == 0) return {0, 0, 0, kX, kY, 1};
  const int parts = hole && size >= 3 ? size - 2 : size - 1, k = rank - 1;
  if (k >= parts) return {0, 0, 1, 0, kY, kZ - 1};
  const int base = kX / parts, extra = kX % parts;
  const int count = base + (k < extra ? 1 : 0), start = k * base + (k < extra ? k : extra);
  return {start, 0, 1, count, kY, kZ - 1};
}

// The layouts' definitions in 3-D (leap.h): CXY [C][x][y][z], XYC [x][y][z][C], YXC [z][y][x][C],
// CYX [C][z][y][x].
size_t element(int layout, int c, int i, int j, int l, const Box& b) {
  switch (layout) {
    case LEAP_LAYOUT_CXY:
      return size_t(((c * b.xm + i) * b.ym + j) * b.zm + l);
    case LEAP_LAYOUT_XYC:
      return size_t(((i * b.ym + j) * b.zm + l) * kC + c);
    case LEAP_LAYOUT_YXC:
      return size_t(((l * b.ym + j) * b.xm + i) * kC + c);
    default:
      return size_t(((c * b.zm + l) * b.ym + j) * b.xm + i);
  }
}

std::vector<float> frame_block(int s, const Box& b, int layout) {
  std::vector<float> v(size_t(kC * b.cells()));
  for (int c = 0; c < kC; ++c)
    for (int i = 0; i < b.xm; ++i)
      for (int j = 0; j < b.ym; ++j)
        for (int l = 0; l < b.zm; ++l)
          v[element(layout, c, i, j, l, b)] = value(s, c, b.x0 + i, b.y0 + j, b.z0 + l);
  return v;
}

float* data_or_null(std::vector<float>& v) {
  return v.empty() ? nullptr : v.data();
}

std::string shared_dir() {
  long long id = world_rank() == 0 ? (long long)getpid() : 0;
  MPI_Bcast(&id, 1, MPI_LONG_LONG, 0, MPI_COMM_WORLD);
  const fs::path d = fs::temp_directory_path() / ("leap_rt3d_" + std::to_string(id));
  if (world_rank() == 0) {
    fs::remove_all(d);
    fs::create_directories(d);
  }
  MPI_Barrier(MPI_COMM_WORLD);
  return d.string();
}

// The oracle's 3-D dataset, written collectively in The Well's order [x][y][z](component).
std::string write_dataset(const std::string& dir) {
  leap::data::WellLayout L;
  L.dataset_name = "runtime_3d";
  L.axes = {{"x", kX, {}, "periodic"}, {"y", kY, {}, "periodic"}, {"z", kZ, {}, "open"}};
  for (auto& a : L.axes)
    for (int i = 0; i < a.size; ++i) a.coords.push_back(i + 0.5);
  leap::data::WellField a, v;
  a.name = "a";
  a.order = 0;
  v.name = "v";
  v.order = 1;
  a.dim_varying = v.dim_varying = {true, true, true};
  L.fields = {a, v};
  L.n_trajectories = 1;
  L.n_steps = kSteps;
  for (int s = 0; s < kSteps; ++s) L.times.push_back(0.5 * s);
  const Box b = box_of(world_rank(), world_size());
  const leap::data::Block block{{b.x0, b.y0, b.z0}, {b.xm, b.ym, b.zm}};
  const std::string path = dir + "/oracle3d.hdf5";
  leap::data::WellWriter w(MPI_COMM_WORLD, path, L);
  for (int s = 0; s < kSteps; ++s) {
    std::vector<float> fa, fv;
    for (int i = 0; i < b.xm; ++i)
      for (int j = 0; j < b.ym; ++j)
        for (int l = 0; l < b.zm; ++l) {
          fa.push_back(value(s, 0, b.x0 + i, b.y0 + j, b.z0 + l));
          for (int c = 1; c <= 3; ++c) fv.push_back(value(s, c, b.x0 + i, b.y0 + j, b.z0 + l));
        }
    w.write_frame(0, s, "a", fa.data(), block);
    w.write_frame(0, s, "v", fv.data(), block);
  }
  w.mark_complete(1);
  w.finish();
  return path;
}

std::string write_config(const std::string& dir, const std::string& name, const std::string& text) {
  const std::string path = dir + "/" + name;
  if (world_rank() == 0) std::ofstream(path) << text;
  MPI_Barrier(MPI_COMM_WORLD);
  return path;
}

class CApiRuntime3D : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = shared_dir();
    dataset_ = write_dataset(dir_);
  }
  static void TearDownTestSuite() {
    MPI_Barrier(MPI_COMM_WORLD);
    if (world_rank() == 0) fs::remove_all(dir_);
  }
  static std::string config(const std::string& name, const std::string& extra = "") {
    return write_config(dir_, name,
                        "emulator:\n  kind: oracle\n  dataset: " + dataset_ + "\n  context: 1\n" + extra);
  }
  static inline std::string dir_, dataset_;
};

leap_runtime make(const std::string& config, const Box& b, int layout) {
  leap_runtime h = 0;
  EXPECT_EQ(leap_runtime_create(MPI_COMM_WORLD, config.c_str(), &h), LEAP_OK) << last_error();
  EXPECT_EQ(leap_runtime_add_field(h, "a", 1), LEAP_OK) << last_error();
  EXPECT_EQ(leap_runtime_add_field(h, "v", 3), LEAP_OK) << last_error();
  EXPECT_EQ(leap_runtime_set_box_3d(h, kX, kY, kZ, b.x0, b.y0, b.z0, b.xm, b.ym, b.zm), LEAP_OK)
      << last_error();
  EXPECT_EQ(leap_runtime_set_layout(h, layout), LEAP_OK) << last_error();
  EXPECT_EQ(leap_runtime_setup(h), LEAP_OK) << last_error();
  return h;
}

TEST_F(CApiRuntime3D, OracleLeapGivesEachRankTheStoredFrameInEveryLayout) {
  const std::string cfg = config("oracle.yaml");
  for (int layout : {LEAP_LAYOUT_CXY, LEAP_LAYOUT_XYC, LEAP_LAYOUT_YXC, LEAP_LAYOUT_CYX})
    for (bool hole : {false, true}) {
      SCOPED_TRACE("layout " + std::to_string(layout) + (hole ? ", a rank owns nothing" : ""));
      const Box b = box_of(world_rank(), world_size(), hole);
      leap_runtime h = make(cfg, b, layout);
      for (const auto& [s, frames] : {std::pair{2, 3}, std::pair{6, 2}}) {
        std::vector<float> in = frame_block(s, b, layout);
        ASSERT_EQ(leap_runtime_observe(h, data_or_null(in), 0.5 * s), LEAP_OK) << last_error();
        std::vector<float> out(in.size(), -1.f);
        int accepted = -1;
        double spread = -1;
        ASSERT_EQ(leap_runtime_leap(h, frames, nullptr, 0, data_or_null(out), &accepted, &spread), LEAP_OK)
            << last_error();
        EXPECT_EQ(accepted, 1);
        EXPECT_EQ(out, frame_block(s + frames, b, layout)) << "frame " << s << " + " << frames;
      }
      EXPECT_EQ(leap_runtime_destroy(h), LEAP_OK) << last_error();
    }
}

TEST_F(CApiRuntime3D, RecordingIsA3DDataset) {
  const std::string rec = dir_ + "/rec";
  const std::string cfg =
      config("record.yaml", "record:\n  dir: " + rec +
                                "\n  name: run\n  frames_per_trajectory: 3\n  z_boundary: open\n"
                                "  length_z: 2.0\n");
  const Box b = box_of(world_rank(), world_size());
  leap_runtime h = make(cfg, b, LEAP_LAYOUT_YXC);
  ASSERT_EQ(leap_runtime_record(h, 1), LEAP_OK) << last_error();
  for (int s = 4; s < 7; ++s) {
    std::vector<float> in = frame_block(s, b, LEAP_LAYOUT_YXC);
    ASSERT_EQ(leap_runtime_observe(h, data_or_null(in), 0.5 * s), LEAP_OK) << last_error();
  }
  ASSERT_EQ(leap_runtime_destroy(h), LEAP_OK) << last_error();
  if (world_rank() == 0) {
    const leap::data::WellFile f(rec + "/leap_runtime/data/train/run_0.hdf5");
    const auto& L = f.layout();
    ASSERT_EQ(L.n_spatial_dims(), 3);
    EXPECT_EQ(L.axes[2].name, "z");
    EXPECT_EQ(L.axes[2].bc_type, "open");
    EXPECT_DOUBLE_EQ(L.axes[2].coords[1], 1.5 * 2.0 / kZ);
    EXPECT_EQ(L.channel_names(), (std::vector<std::string>{"a", "v_x", "v_y", "v_z"}));
    ASSERT_EQ(L.n_steps, 3);
    for (int k = 0; k < 3; ++k) {
      const std::vector<float> state = f.read_state(0, k);  // [C][x][y][z]
      ASSERT_EQ(int(state.size()), kC * kX * kY * kZ);
      int bad = 0;
      for (int c = 0; c < kC; ++c)
        for (int x = 0; x < kX; ++x)
          for (int y = 0; y < kY; ++y)
            for (int z = 0; z < kZ; ++z)
              bad += state[size_t(((c * kX + x) * kY + y) * kZ + z)] != value(4 + k, c, x, y, z);
      EXPECT_EQ(bad, 0) << "recorded frame " << k;
    }
  }
  MPI_Barrier(MPI_COMM_WORLD);
}

void expect_input_error(int status, const std::vector<std::string>& parts) {
  const std::string m = last_error();
  EXPECT_EQ(status, LEAP_ERR_INPUT) << m;
  for (const auto& p : parts) EXPECT_NE(m.find(p), std::string::npos) << "'" << p << "' not in: " << m;
}

TEST_F(CApiRuntime3D, FieldsAndBoxesThatDoNotFitAreRefused) {
  const std::string cfg = config("refusals.yaml");
  const Box b = box_of(world_rank(), world_size());
  leap_runtime h = 0;
  ASSERT_EQ(leap_runtime_create(MPI_COMM_WORLD, cfg.c_str(), &h), LEAP_OK) << last_error();
  expect_input_error(leap_runtime_set_box_3d(h, kX, kY, 0, 0, 0, 0, 1, 1, 1),
                     {"leap_runtime_set_box_3d", "'nz'"});
  expect_input_error(leap_runtime_set_box_3d(h, kX, kY, kZ, 0, 0, kZ, 1, 1, 1), {"'z0'"});
  expect_input_error(leap_runtime_set_box_3d(h, kX, kY, kZ, 0, 0, 0, 1, 1, kZ + 1), {"'zm'"});
  ASSERT_EQ(leap_runtime_add_field(h, "a", 1), LEAP_OK) << last_error();
  ASSERT_EQ(leap_runtime_add_field(h, "v", 2), LEAP_OK) << last_error();  // a 2-D vector
  ASSERT_EQ(leap_runtime_set_box_3d(h, kX, kY, kZ, b.x0, b.y0, b.z0, b.xm, b.ym, b.zm), LEAP_OK)
      << last_error();
  expect_input_error(leap_runtime_setup(h), {"leap_runtime_setup", "field 'v' has 2 components", "3-D grid"});
  EXPECT_EQ(leap_runtime_destroy(h), LEAP_OK) << last_error();
}

}  // namespace
