// The runtime's C API (leap.h, leap_runtime_*) under mpiexec, driven with the oracle emulator over a
// dataset the test writes collectively: every rank gets exactly the stored frame k + N in its box
// after observing frame k and leaping N frames, in every block layout; in-situ recording writes
// exactly the observed frames as trajectories (a leap and a pause break a run of frames) and
// stats.yaml at destroy; bad configs, calls out of order and bad handles are LEAP_ERR_INPUT with a
// message naming what is wrong. The C++ API beneath it: a leap whose ensemble spread exceeds
// leap.max_spread, or whose mean is not finite, is refused and leaves the caller's state alone.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <mpi.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "leap/data/well_file.h"
#include "leap/data/well_writer.h"
#include "leap/leap.h"
#include "leap/plugin/runtime.h"
#include "oracle_dataset.h"

namespace fs = std::filesystem;

namespace {

constexpr int kNx = leap::test::kOracleNx, kNy = leap::test::kOracleNy, kC = 3,
              kSteps = leap::test::kOracleSteps;  // a, v

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

// Stored value of channel c (0: a, 1: v_x, 2: v_y) at frame s, cell (x, y) (oracle_dataset.h).
float value(int s, int c, int x, int y) {
  return leap::test::oracle_value(s, c, x, y);
}

struct Box {
  int x0 = 0, y0 = 0, xm = kNx, ym = kNy;
  int cells() const { return xm * ym; }
};

// Uneven boxes: rank 0 owns x < 5, the other ranks split the rest along y (1: the whole grid).
// With `hole`, the last of three or more ranks owns nothing.
Box box_of(int rank, int size, bool hole = false) {
  if (size == 1) return {};
  if (rank == 0) return {0, 0, 5, kNy};
  const int parts = hole && size >= 3 ? size - 2 : size - 1, k = rank - 1;
  if (k >= parts) return {5, 0, 0, 0};
  const int base = kNy / parts, extra = kNy % parts;
  const int count = base + (k < extra ? 1 : 0), start = k * base + (k < extra ? k : extra);
  return {5, start, kNx - 5, count};
}

int64_t layout_index(int layout, int c, int i, int j, const Box& b) {
  switch (layout) {
    case LEAP_LAYOUT_CXY:
      return (int64_t(c) * b.xm + i) * b.ym + j;
    case LEAP_LAYOUT_XYC:
      return (int64_t(i) * b.ym + j) * kC + c;
    case LEAP_LAYOUT_YXC:
      return (int64_t(j) * b.xm + i) * kC + c;
    default:
      return (int64_t(c) * b.ym + j) * b.xm + i;
  }
}

// This rank's block of stored frame s, in `layout`.
std::vector<float> frame_block(int s, const Box& b, int layout) {
  std::vector<float> v(size_t(kC * b.cells()));
  for (int c = 0; c < kC; ++c)
    for (int i = 0; i < b.xm; ++i)
      for (int j = 0; j < b.ym; ++j)
        v[size_t(layout_index(layout, c, i, j, b))] = value(s, c, b.x0 + i, b.y0 + j);
  return v;
}

// A directory shared by the ranks, unique to this process group and call.
std::string shared_dir(const std::string& tag) {
  static int counter = 0;
  long long id = world_rank() == 0 ? (long long)getpid() : 0;
  MPI_Bcast(&id, 1, MPI_LONG_LONG, 0, MPI_COMM_WORLD);
  const fs::path d = fs::temp_directory_path() /
                     ("leap_rt_" + tag + "_" + std::to_string(id) + "_" + std::to_string(counter++));
  if (world_rank() == 0) {
    fs::remove_all(d);
    fs::create_directories(d);
  }
  MPI_Barrier(MPI_COMM_WORLD);
  return d.string();
}

// The oracle's dataset: one trajectory of kSteps frames, written collectively (each rank its box).
std::string write_dataset(const std::string& dir) {
  const std::string path = dir + "/oracle.hdf5";
  const Box b = box_of(world_rank(), world_size());
  leap::test::write_oracle_dataset(MPI_COMM_WORLD, path, "runtime_test", b.x0, b.y0, b.xm, b.ym);
  return path;
}

// Rank 0 writes `text` to dir/name; every rank gets the path.
std::string write_config(const std::string& dir, const std::string& name, const std::string& text) {
  const std::string path = dir + "/" + name;
  if (world_rank() == 0) std::ofstream(path) << text;
  MPI_Barrier(MPI_COMM_WORLD);
  return path;
}

class CApiRuntime : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = shared_dir("data");
    dataset_ = write_dataset(dir_);
  }
  static void TearDownTestSuite() {
    MPI_Barrier(MPI_COMM_WORLD);
    if (world_rank() == 0) fs::remove_all(dir_);
  }

  static std::string oracle_config(const std::string& name, int context, const std::string& extra = "") {
    return write_config(dir_, name,
                        "emulator:\n  kind: oracle\n  dataset: " + dataset_ +
                            "\n  context: " + std::to_string(context) + "\n" + extra);
  }

  // Creates a runtime from `config`, describes the a/v state over this rank's box, sets it up.
  static leap_runtime make(const std::string& config, int layout, bool hole = false) {
    leap_runtime h = 0;
    EXPECT_EQ(leap_runtime_create(MPI_COMM_WORLD, config.c_str(), &h), LEAP_OK) << last_error();
    const Box b = box_of(world_rank(), world_size(), hole);
    EXPECT_EQ(leap_runtime_add_field(h, "a", 1), LEAP_OK) << last_error();
    EXPECT_EQ(leap_runtime_add_field(h, "v", 2), LEAP_OK) << last_error();
    EXPECT_EQ(leap_runtime_set_box(h, kNx, kNy, b.x0, b.y0, b.xm, b.ym), LEAP_OK) << last_error();
    EXPECT_EQ(leap_runtime_set_layout(h, layout), LEAP_OK) << last_error();
    EXPECT_EQ(leap_runtime_setup(h), LEAP_OK) << last_error();
    return h;
  }

  static inline std::string dir_;      // shared by the ranks, removed after the suite
  static inline std::string dataset_;  // the oracle's dataset in dir_
};

float* data_or_null(std::vector<float>& v) {
  return v.empty() ? nullptr : v.data();
}

// Observes frames s - context + 1 .. s, leaps `frames` and expects exactly frame s + frames.
void observe_and_leap(leap_runtime h, int s, int context, int frames, const Box& b, int layout) {
  int ready = -1;
  for (int k = s - context + 1; k <= s; ++k) {
    ASSERT_EQ(leap_runtime_context_ready(h, &ready), LEAP_OK) << last_error();
    EXPECT_EQ(ready, 0);
    std::vector<float> in = frame_block(k, b, layout);
    ASSERT_EQ(leap_runtime_observe(h, data_or_null(in), 0.25 * k), LEAP_OK) << last_error();
  }
  ASSERT_EQ(leap_runtime_context_ready(h, &ready), LEAP_OK) << last_error();
  EXPECT_EQ(ready, 1);
  std::vector<float> out(size_t(kC * b.cells()), -1.f);
  int accepted = -1;
  double spread = -1;
  ASSERT_EQ(leap_runtime_leap(h, frames, nullptr, 0, data_or_null(out), &accepted, &spread), LEAP_OK)
      << last_error();
  EXPECT_EQ(accepted, 1);
  EXPECT_EQ(spread, 0.0);
  EXPECT_EQ(out, frame_block(s + frames, b, layout)) << "frame " << s << " + " << frames;
  int finite = -1, suppressed = -1;
  ASSERT_EQ(leap_runtime_last_leap(h, &finite, &suppressed), LEAP_OK) << last_error();
  EXPECT_EQ(finite, 1);
  EXPECT_EQ(suppressed, 0);
  // An accepted leap empties the context.
  ASSERT_EQ(leap_runtime_context_ready(h, &ready), LEAP_OK) << last_error();
  EXPECT_EQ(ready, 0);
}

TEST_F(CApiRuntime, OracleLeapGivesEachRankTheStoredFrameInEveryLayout) {
  const std::string config = oracle_config("oracle2.yaml", 2);
  for (int layout : {LEAP_LAYOUT_CXY, LEAP_LAYOUT_XYC, LEAP_LAYOUT_YXC, LEAP_LAYOUT_CYX}) {
    for (bool hole : {false, true}) {
      SCOPED_TRACE("layout " + std::to_string(layout) + (hole ? " (a rank owns nothing)" : ""));
      const Box b = box_of(world_rank(), world_size(), hole);
      leap_runtime h = make(config, layout, hole);
      ASSERT_GT(h, 0);
      int context = 0;
      ASSERT_EQ(leap_runtime_context_frames(h, &context), LEAP_OK) << last_error();
      EXPECT_EQ(context, 2);
      observe_and_leap(h, 2 + layout, 2, 3 + layout, b, layout);  // frames 1+l, 2+l -> 5+2l
      observe_and_leap(h, 9 + layout, 2, 6 - layout, b, layout);  // after the leap: a new context
      EXPECT_EQ(leap_runtime_destroy(h), LEAP_OK) << last_error();
    }
  }
}

TEST_F(CApiRuntime, FortranCommunicatorEntryPoint) {
  const std::string config = oracle_config("oracle1.yaml", 1);
  leap_runtime h = 0;
  ASSERT_EQ(leap_runtime_create_f(MPI_Comm_c2f(MPI_COMM_WORLD), config.c_str(), &h), LEAP_OK) << last_error();
  const Box b = box_of(world_rank(), world_size());
  ASSERT_EQ(leap_runtime_add_field(h, "a", 1), LEAP_OK) << last_error();
  ASSERT_EQ(leap_runtime_add_field(h, "v", 2), LEAP_OK) << last_error();
  ASSERT_EQ(leap_runtime_set_box(h, kNx, kNy, b.x0, b.y0, b.xm, b.ym), LEAP_OK) << last_error();
  ASSERT_EQ(leap_runtime_setup(h), LEAP_OK) << last_error();
  observe_and_leap(h, 4, 1, 7, b, LEAP_LAYOUT_CXY);
  // The layout may change after setup.
  ASSERT_EQ(leap_runtime_set_layout(h, LEAP_LAYOUT_YXC), LEAP_OK) << last_error();
  observe_and_leap(h, 11, 1, 1, b, LEAP_LAYOUT_YXC);
  EXPECT_EQ(leap_runtime_destroy(h), LEAP_OK) << last_error();
}

// The frames of trajectory file `path` are exactly frames `first`, first + 1, ... (times 0.25 s).
void expect_recorded(const std::string& path, int first, int n) {
  SCOPED_TRACE(path);
  ASSERT_TRUE(fs::is_regular_file(path));
  leap::data::WellFile f(path);
  const auto& L = f.layout();
  ASSERT_EQ(L.n_trajectories, 1);
  ASSERT_EQ(L.n_steps, n);
  ASSERT_EQ(L.channel_names(), (std::vector<std::string>{"a", "v_x", "v_y"}));
  ASSERT_EQ(L.axes.size(), 2u);
  EXPECT_EQ(L.axes[0].size, kNx);
  EXPECT_EQ(L.axes[1].size, kNy);
  EXPECT_EQ(L.axes[0].bc_type, "periodic");
  EXPECT_EQ(L.axes[1].bc_type, "open");
  ASSERT_EQ(L.parameters.size(), 1u);
  EXPECT_EQ(L.parameters[0].first, "gamma");
  EXPECT_DOUBLE_EQ(L.parameters[0].second, 1.4);
  for (int k = 0; k < n; ++k) {
    EXPECT_EQ(L.times[size_t(k)], 0.25 * (first + k));
    std::vector<float> a, v;
    for (int x = 0; x < kNx; ++x)
      for (int y = 0; y < kNy; ++y) {
        a.push_back(value(first + k, 0, x, y));
        v.push_back(value(first + k, 1, x, y));
        v.push_back(value(first + k, 2, x, y));
      }
    EXPECT_EQ(f.read_frame(0, k, "a"), a) << "step " << k;
    EXPECT_EQ(f.read_frame(0, k, "v"), v) << "step " << k;
  }
}

// Check mode belongs to the policy's own length: leap_runtime_leap (the caller's length) is judged by
// the ladder but never checked, so a block it leaves alone is the caller's state; the policy's
// attempt is checked (the caller's advance function runs) and adapts the length.
static int g_advances = 0;
static int AdvanceByOracleFrames(void*, int frames, float* block) {  // the oracle's value grows 360 a frame
  ++g_advances;
  const Box b = box_of(world_rank(), world_size());
  for (int i = 0; i < 3 * b.xm * b.ym; ++i) block[i] += 360.0f * float(frames);
  return 0;
}

TEST_F(CApiRuntime, OnlyThePolicysOwnLengthIsChecked) {
  const std::string config = oracle_config(
      "checked.yaml", 1, "leap:\n  leap_frames: 2\n  check_every: 1\n  check_tolerance: 1.0e-6\n");
  const Box b = box_of(world_rank(), world_size());
  leap_runtime h = 0;
  ASSERT_EQ(leap_runtime_create(MPI_COMM_WORLD, config.c_str(), &h), LEAP_OK) << last_error();
  ASSERT_EQ(leap_runtime_add_field(h, "a", 1), LEAP_OK) << last_error();
  ASSERT_EQ(leap_runtime_add_field(h, "v", 2), LEAP_OK) << last_error();
  ASSERT_EQ(leap_runtime_set_box(h, kNx, kNy, b.x0, b.y0, b.xm, b.ym), LEAP_OK) << last_error();
  ASSERT_EQ(leap_runtime_set_solver(h, AdvanceByOracleFrames, nullptr, nullptr), LEAP_OK) << last_error();
  ASSERT_EQ(leap_runtime_setup(h), LEAP_OK) << last_error();
  g_advances = 0;
  std::vector<float> state = frame_block(1, b, LEAP_LAYOUT_CXY);
  ASSERT_EQ(leap_runtime_observe(h, data_or_null(state), 0), LEAP_OK) << last_error();
  int accepted = 0, checked = -1, next = 0, frames = 0, verdict = -1;
  double vrmse = -1;
  ASSERT_EQ(leap_runtime_leap(h, 3, nullptr, 0, data_or_null(state), &accepted, nullptr), LEAP_OK)
      << last_error();
  EXPECT_EQ(accepted, 1);
  EXPECT_EQ(g_advances, 0);
  ASSERT_EQ(leap_runtime_last_attempt(h, &checked, &vrmse, &next), LEAP_OK) << last_error();
  EXPECT_EQ(checked, 0);
  EXPECT_EQ(next, 2);
  EXPECT_EQ(state, frame_block(4, b, LEAP_LAYOUT_CXY));
  ASSERT_EQ(leap_runtime_observe(h, data_or_null(state), 1), LEAP_OK) << last_error();
  ASSERT_EQ(leap_runtime_attempt(h, nullptr, 0, data_or_null(state), &frames, &verdict), LEAP_OK)
      << last_error();
  EXPECT_EQ(g_advances, 1);
  EXPECT_EQ(verdict, LEAP_ACCEPTED);
  EXPECT_EQ(frames, 2);
  ASSERT_EQ(leap_runtime_last_attempt(h, &checked, &vrmse, &next), LEAP_OK) << last_error();
  EXPECT_EQ(checked, 1);
  EXPECT_EQ(vrmse, 0.0);  // the advance function is the oracle's own rule
  EXPECT_EQ(next, 4);
  EXPECT_EQ(state, frame_block(6, b, LEAP_LAYOUT_CXY));
  EXPECT_EQ(leap_runtime_destroy(h), LEAP_OK) << last_error();
}

TEST_F(CApiRuntime, RecordingWritesTheObservedFramesAndALeapBreaksTheRun) {
  const std::string rec = shared_dir("rec");
  const std::string config =
      oracle_config("record.yaml", 1,
                    "record:\n  dir: " + rec +
                        "\n  name: run\n  frames_per_trajectory: 3\n  valid_every: 2\n"
                        "  y_boundary: open\n  parameters:\n    - {name: gamma, value: 1.4}\n");
  const int layout = LEAP_LAYOUT_YXC;
  const Box b = box_of(world_rank(), world_size());
  leap_runtime h = make(config, layout);
  const auto observe = [&](int s) {
    std::vector<float> in = frame_block(s, b, layout);
    ASSERT_EQ(leap_runtime_observe(h, data_or_null(in), 0.25 * s), LEAP_OK) << last_error();
  };
  observe(0);  // before recording: not recorded
  ASSERT_EQ(leap_runtime_record(h, 1), LEAP_OK) << last_error();
  for (int s = 1; s <= 5; ++s) observe(s);  // 1, 2, 3 -> run_0 (train); 4, 5 pending
  // The leap (from frame 5 to 7) breaks the run: 4 and 5 are dropped.
  std::vector<float> state = frame_block(5, b, layout);
  int accepted = 0;
  double spread = -1;
  ASSERT_EQ(leap_runtime_leap(h, 2, nullptr, 0, data_or_null(state), &accepted, &spread), LEAP_OK)
      << last_error();
  ASSERT_EQ(accepted, 1);
  ASSERT_EQ(state, frame_block(7, b, layout));
  for (int s = 7; s <= 10; ++s) observe(s);  // 7, 8, 9 -> run_1 (valid, every 2nd); 10 pending
  ASSERT_EQ(leap_runtime_record(h, 0), LEAP_OK) << last_error();  // 10 dropped
  observe(11);                                                    // not recorded
  ASSERT_EQ(leap_runtime_record(h, 1), LEAP_OK) << last_error();
  for (int s = 12; s <= 15; ++s) observe(s);  // 12, 13, 14 -> run_2 (train); 15 dropped at destroy
  ASSERT_EQ(leap_runtime_destroy(h), LEAP_OK) << last_error();

  if (world_rank() == 0) {
    // The recording is a collection in The Well's layout: one dataset named by dataset_name.
    const std::string ds = rec + "/leap_runtime";
    expect_recorded(ds + "/data/train/run_0.hdf5", 1, 3);
    expect_recorded(ds + "/data/valid/run_1.hdf5", 7, 3);
    expect_recorded(ds + "/data/train/run_2.hdf5", 12, 3);
    int files = 0;
    for (const char* split : {"train", "valid"})
      for (const auto& e : fs::directory_iterator(fs::path(ds) / "data" / split))
        files += e.path().extension() == ".hdf5";
    EXPECT_EQ(files, 3);
    EXPECT_TRUE(fs::is_regular_file(fs::path(ds) / "stats.yaml"));
    std::ifstream in(fs::path(ds) / "stats.yaml");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("v"), std::string::npos) << text;
  }
  MPI_Barrier(MPI_COMM_WORLD);
  if (world_rank() == 0) fs::remove_all(rec);
}

// `status` is LEAP_ERR_INPUT and the message holds every one of `parts`.
void expect_input_error(int status, const std::vector<std::string>& parts) {
  const std::string m = last_error();
  EXPECT_EQ(status, LEAP_ERR_INPUT) << m;
  for (const auto& p : parts) EXPECT_NE(m.find(p), std::string::npos) << "'" << p << "' not in: " << m;
}

TEST_F(CApiRuntime, BadConfigsAreInputErrorsNamingTheFileAndKey) {
  struct Case {
    std::string name, text, key;
  };
  const std::vector<Case> cases = {
      {"unknown_key.yaml", "emulator:\n  kind: oracle\n  dataset: " + dataset_ + "\n  bogus: 1\n",
       "emulator.bogus"},
      {"unknown_section.yaml", "emulator:\n  kind: oracle\n  dataset: " + dataset_ + "\nleaps: {}\n",
       "leaps"},
      {"missing_file.yaml", "emulator:\n  kind: oracle\n  dataset: " + dir_ + "/no_such.hdf5\n",
       "emulator.dataset"},
      {"no_dataset.yaml", "emulator:\n  kind: oracle\n", "emulator.dataset"},
      {"wrong_kind.yaml", "emulator:\n  kind: magic\n", "emulator.kind"},
      {"no_checkpoint.yaml", "emulator:\n  kind: latent_diffusion\n", "emulator.autoencoder"},
      {"foreign_key.yaml", "emulator:\n  kind: none\n  dataset: " + dataset_ + "\n", "emulator.dataset"},
      {"bad_members.yaml", "emulator:\n  kind: none\nleap:\n  members: 0\n", "leap.members"},
      {"bad_spread.yaml", "emulator:\n  kind: none\nleap:\n  max_spread: -1\n", "leap.max_spread"},
      {"bad_frames.yaml", "emulator:\n  kind: none\nrecord:\n  frames_per_trajectory: 1\n",
       "record.frames_per_trajectory"},
      {"bad_parameter.yaml", "emulator:\n  kind: none\nrecord:\n  parameters: [{name: gamma, valu: 1}]\n",
       "record.parameters[0].valu"},
      {"ranks_without_0.yaml", "emulator:\n  kind: none\n  ranks: [1]\n", "emulator.ranks"},
      {"ranks_twice.yaml", "emulator:\n  kind: none\n  ranks: [0, 0]\n", "emulator.ranks"},
      {"ranks_negative.yaml", "emulator:\n  kind: none\n  ranks: [0, -1]\n", "emulator.ranks"},
      {"ranks_and_per_node.yaml", "emulator:\n  kind: none\n  ranks: [0, 1]\n  per_node: true\n",
       "emulator.per_node"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string path = write_config(dir_, c.name, c.text);
    leap_runtime h = 0;
    expect_input_error(leap_runtime_create(MPI_COMM_WORLD, path.c_str(), &h),
                       {"leap_runtime_create", path, "'" + c.key + "'"});
    EXPECT_EQ(h, 0);
  }
  // A missing config file, from Fortran's entry point.
  leap_runtime h = 0;
  const std::string missing = dir_ + "/absent.yaml";
  expect_input_error(leap_runtime_create_f(MPI_Comm_c2f(MPI_COMM_WORLD), missing.c_str(), &h),
                     {"leap_runtime_create_f", missing});
  expect_input_error(leap_runtime_create(MPI_COMM_WORLD, nullptr, &h), {"'config'"});
  expect_input_error(leap_runtime_create(MPI_COMM_NULL, missing.c_str(), &h), {"'comm'"});
  // NULL `out` on one rank only: refused on every rank.
  const std::string good = oracle_config("good.yaml", 1);
  expect_input_error(
      leap_runtime_create(MPI_COMM_WORLD, good.c_str(), world_rank() == world_size() - 1 ? nullptr : &h),
      {"'out'"});
  EXPECT_EQ(h, 0);
  // Recording switched on without record.dir: refused naming the key, nothing changes.
  h = make(good, LEAP_LAYOUT_CXY);
  expect_input_error(leap_runtime_record(h, 1), {"leap_runtime_record", good, "'record.dir'"});
  const Box b = box_of(world_rank(), world_size());
  observe_and_leap(h, 3, 1, 2, b, LEAP_LAYOUT_CXY);
  EXPECT_EQ(leap_runtime_destroy(h), LEAP_OK) << last_error();
}

TEST_F(CApiRuntime, CallsOutOfOrderAreRefusedAndChangeNothing) {
  const std::string config = oracle_config("order.yaml", 1);
  const int rank = world_rank(), size = world_size();
  const Box b = box_of(rank, size);
  std::vector<float> block = frame_block(2, b, LEAP_LAYOUT_CXY), out(block.size(), -1.f);
  int accepted = -1, ready = -1;
  double spread = -1;
  leap_runtime h = 0;
  ASSERT_EQ(leap_runtime_create(MPI_COMM_WORLD, config.c_str(), &h), LEAP_OK) << last_error();
  expect_input_error(leap_runtime_observe(h, data_or_null(block), 0.5), {"leap_runtime_observe", "setup"});
  expect_input_error(leap_runtime_leap(h, 1, nullptr, 0, data_or_null(out), &accepted, &spread),
                     {"leap_runtime_leap", "setup"});
  expect_input_error(leap_runtime_setup(h), {"leap_runtime_setup", "add_field"});
  ASSERT_EQ(leap_runtime_context_ready(h, &ready), LEAP_OK) << last_error();
  EXPECT_EQ(ready, 0);
  expect_input_error(leap_runtime_add_field(h, "a", 5), {"leap_runtime_add_field", "'components'"});
  expect_input_error(leap_runtime_add_field(h, "", 1), {"leap_runtime_add_field", "'name'"});
  expect_input_error(leap_runtime_add_field(h, nullptr, 1), {"leap_runtime_add_field", "'name'"});
  ASSERT_EQ(leap_runtime_add_field(h, "a", 1), LEAP_OK) << last_error();
  expect_input_error(leap_runtime_add_field(h, "a", 2), {"'name'", "already"});
  expect_input_error(leap_runtime_setup(h), {"leap_runtime_setup", "set_box"});
  expect_input_error(leap_runtime_set_box(h, -1, kNy, 0, 0, 1, 1), {"leap_runtime_set_box", "'nx'"});
  expect_input_error(leap_runtime_set_box(h, kNx, kNy, kNx, 0, 1, 1), {"leap_runtime_set_box", "'x0'"});
  expect_input_error(leap_runtime_set_layout(h, 9), {"leap_runtime_set_layout", "'layout'"});
  // Only the field a: the oracle works on a, v_x, v_y.
  ASSERT_EQ(leap_runtime_set_box(h, kNx, kNy, b.x0, b.y0, b.xm, b.ym), LEAP_OK) << last_error();
  expect_input_error(leap_runtime_setup(h), {"leap_runtime_setup", "v_x"});
  ASSERT_EQ(leap_runtime_add_field(h, "v", 2), LEAP_OK) << last_error();
  // A hole in the grid (the last rank claims less than its box): refused on every rank.
  ASSERT_EQ(leap_runtime_set_box(h, kNx, kNy, b.x0, b.y0, b.xm, rank == size - 1 ? b.ym - 1 : b.ym), LEAP_OK);
  EXPECT_EQ(leap_runtime_setup(h), LEAP_ERR_INPUT) << last_error();
  ASSERT_EQ(leap_runtime_set_box(h, kNx, kNy, b.x0, b.y0, b.xm, b.ym), LEAP_OK) << last_error();
  ASSERT_EQ(leap_runtime_setup(h), LEAP_OK) << last_error();
  expect_input_error(leap_runtime_setup(h), {"leap_runtime_setup", "already"});
  expect_input_error(leap_runtime_add_field(h, "w", 1), {"leap_runtime_add_field", "setup"});
  expect_input_error(leap_runtime_set_box(h, kNx, kNy, b.x0, b.y0, b.xm, b.ym),
                     {"leap_runtime_set_box", "setup"});
  // Set up, nothing observed: the context is not ready.
  expect_input_error(leap_runtime_leap(h, 1, nullptr, 0, data_or_null(out), &accepted, &spread),
                     {"leap_runtime_leap", "context"});
  EXPECT_EQ(out, std::vector<float>(block.size(), -1.f));
  // A NULL block on one rank that owns cells: refused everywhere, nothing observed.
  expect_input_error(leap_runtime_observe(h, rank == size - 1 ? nullptr : data_or_null(block), 0.5),
                     {"leap_runtime_observe", "'block'"});
  ASSERT_EQ(leap_runtime_context_ready(h, &ready), LEAP_OK) << last_error();
  EXPECT_EQ(ready, 0);
  ASSERT_EQ(leap_runtime_observe(h, data_or_null(block), 0.5), LEAP_OK) << last_error();
  expect_input_error(leap_runtime_leap(h, 0, nullptr, 0, data_or_null(out), &accepted, &spread),
                     {"'frames'"});
  expect_input_error(leap_runtime_leap(h, 1, nullptr, -1, data_or_null(out), &accepted, &spread),
                     {"'ntheta'"});
  expect_input_error(leap_runtime_leap(h, 1, nullptr, 2, data_or_null(out), &accepted, &spread), {"'theta'"});
  expect_input_error(
      leap_runtime_leap(h, 1, nullptr, 0, data_or_null(out), rank == 0 ? nullptr : &accepted, &spread),
      {"'accepted'"});
  // Past the stored trajectory: the oracle fails (on every rank); the policy rejects the leap with
  // that reason and the state stays as it was.
  ASSERT_EQ(leap_runtime_leap(h, kSteps, nullptr, 0, data_or_null(out), &accepted, &spread), LEAP_OK)
      << last_error();
  EXPECT_EQ(accepted, 0);
  EXPECT_EQ(out, std::vector<float>(block.size(), -1.f));
  {
    int length = 0;
    ASSERT_EQ(leap_runtime_policy_summary(h, nullptr, 0, &length), LEAP_OK) << last_error();
    std::string json(size_t(length) + 1, '\0');
    ASSERT_EQ(leap_runtime_policy_summary(h, json.data(), length + 1, nullptr), LEAP_OK) << last_error();
    json.resize(size_t(length));
    EXPECT_NE(json.find("\"verdict\":\"emulator_failed\""), std::string::npos) << json;
    EXPECT_NE(json.find("past the stored"), std::string::npos) << json;
  }
  // After all that, the runtime still works (spread may be NULL).
  ASSERT_EQ(leap_runtime_leap(h, 3, nullptr, 0, data_or_null(out), &accepted, nullptr), LEAP_OK)
      << last_error();
  EXPECT_EQ(accepted, 1);
  EXPECT_EQ(out, frame_block(5, b, LEAP_LAYOUT_CXY));
  EXPECT_EQ(leap_runtime_destroy(h), LEAP_OK) << last_error();
}

TEST_F(CApiRuntime, WithoutAnEmulatorItObservesButCannotLeap) {
  const std::string config = write_config(dir_, "none.yaml", "emulator:\n  kind: none\n");
  leap_runtime h = make(config, LEAP_LAYOUT_XYC);
  int context = -1, ready = -1, accepted = -1;
  ASSERT_EQ(leap_runtime_context_frames(h, &context), LEAP_OK) << last_error();
  EXPECT_EQ(context, 0);
  const Box b = box_of(world_rank(), world_size());
  std::vector<float> block = frame_block(0, b, LEAP_LAYOUT_XYC);
  ASSERT_EQ(leap_runtime_observe(h, data_or_null(block), 0.0), LEAP_OK) << last_error();
  ASSERT_EQ(leap_runtime_context_ready(h, &ready), LEAP_OK) << last_error();
  EXPECT_EQ(ready, 0);
  expect_input_error(leap_runtime_leap(h, 1, nullptr, 0, data_or_null(block), &accepted, nullptr),
                     {"leap_runtime_leap", "kind is none"});
  EXPECT_EQ(leap_runtime_destroy(h), LEAP_OK) << last_error();
}

TEST_F(CApiRuntime, BadHandlesAreInputErrors) {
  int flag = 0;
  float x = 0;
  double s = 0;
  expect_input_error(leap_runtime_observe(12345, &x, 0.0), {"leap_runtime_observe", "'h'", "12345"});
  expect_input_error(leap_runtime_leap(-2, 1, nullptr, 0, &x, &flag, &s), {"leap_runtime_leap", "'h'"});
  expect_input_error(leap_runtime_setup(0), {"leap_runtime_setup", "'h'"});
  expect_input_error(leap_runtime_context_ready(7777, &flag), {"'h'"});
  expect_input_error(leap_runtime_record(7777, 1), {"'h'"});
  EXPECT_EQ(leap_runtime_destroy(0), LEAP_OK);
  const std::string config = oracle_config("handle.yaml", 1);
  leap_runtime h = 0;
  ASSERT_EQ(leap_runtime_create(MPI_COMM_WORLD, config.c_str(), &h), LEAP_OK) << last_error();
  ASSERT_EQ(leap_runtime_destroy(h), LEAP_OK) << last_error();
  expect_input_error(leap_runtime_add_field(h, "a", 1), {"'h'", "destroyed"});
  expect_input_error(leap_runtime_destroy(h), {"leap_runtime_destroy", "'h'", "destroyed"});
}

// The a/v state over this rank's box `b`, described to a C++ runtime.
void describe_state(leap::plugin::Runtime& rt, const Box& b) {
  rt.add_field("a", 1);
  rt.add_field("v", 2);
  rt.set_box(kNx, kNy, b.x0, b.y0, b.xm, b.ym);
}

// ---- The C++ API: a leap refused for its spread or for a non-finite mean.

// Members base + (m - (M - 1) / 2) * step, base = the last context frame + 1 (or NaN where asked).
class SpreadEmulator final : public leap::plugin::Emulator {
 public:
  explicit SpreadEmulator(const float* step, const bool* nan) : step_(step), nan_(nan) {}
  at::Tensor leap(const at::Tensor& context, const at::Tensor&, int64_t, int64_t members) override {
    const at::Tensor base = context[context.size(0) - 1] + 1.0;
    std::vector<at::Tensor> out;
    for (int64_t m = 0; m < members; ++m)
      out.push_back(base + (double(m) - double(members - 1) / 2) * *step_);
    at::Tensor e = at::stack(out);
    if (*nan_) e[0][1][0][0] = std::nan("");
    return e;
  }
  int64_t context_frames() const override { return 1; }

 private:
  const float* step_;
  const bool* nan_;
};

TEST(RuntimeCpp, SpreadAboveTheLimitOrANonFiniteMeanIsRefusedAndKeepsTheState) {
  using namespace leap::plugin;
  float step = 0;
  bool nan = false;
  RuntimeConfig cfg;
  cfg.emulator.kind = "none";  // not used: the emulator is given
  cfg.leap.members = 3;
  cfg.leap.policy.max_spread = 0.05;
  auto emulator = world_rank() == 0 ? std::make_shared<SpreadEmulator>(&step, &nan) : nullptr;
  Runtime rt(MPI_COMM_WORLD, cfg, emulator, "spread test");
  const Box b = box_of(world_rank(), world_size());
  describe_state(rt, b);
  rt.setup();
  EXPECT_EQ(rt.block_size(), int64_t(kC * b.cells()));
  EXPECT_EQ(rt.channel_names(), (std::vector<std::string>{"a", "v_x", "v_y"}));
  const std::vector<float> frame = frame_block(3, b, LEAP_LAYOUT_CXY);
  rt.observe(frame.data(), 0.75);
  ASSERT_TRUE(rt.context_ready());

  // Per channel the spatial standard deviation of the mean (frame 3 + 1) is that of 10 x + y over
  // the grid; the members' standard deviation is `step` everywhere.
  double scale = 0;
  {
    double s1 = 0, s2 = 0;
    for (int x = 0; x < kNx; ++x)
      for (int y = 0; y < kNy; ++y) {
        s1 += 10 * x + y;
        s2 += double(10 * x + y) * (10 * x + y);
      }
    const double n = kNx * kNy, mu = s1 / n;
    scale = std::sqrt(s2 / n - mu * mu) + 1e-6;
  }
  std::vector<float> state = frame;
  step = float(0.1 * scale);  // relative spread 0.1 > 0.05: refused
  LeapOutcome o = rt.leap({}, 2, state.data());
  EXPECT_FALSE(o.accepted);
  EXPECT_TRUE(o.suppressed);
  EXPECT_TRUE(o.finite);
  EXPECT_NEAR(o.spread, 0.1, 1e-3);
  EXPECT_NEAR(o.absolute_spread, step, 1e-3 * step);
  EXPECT_EQ(state, frame);          // untouched
  EXPECT_TRUE(rt.context_ready());  // the context goes on

  nan = true;
  step = float(0.01 * scale);
  o = rt.leap({}, 2, state.data());
  EXPECT_FALSE(o.accepted);
  EXPECT_FALSE(o.finite);
  EXPECT_FALSE(o.suppressed);
  EXPECT_EQ(state, frame);

  nan = false;  // relative spread 0.01 <= 0.05: accepted, the mean handed back
  o = rt.leap({}, 2, state.data());
  EXPECT_TRUE(o.accepted);
  EXPECT_NEAR(o.spread, 0.01, 1e-4);
  for (size_t i = 0; i < state.size(); ++i) ASSERT_NEAR(state[i], frame[i] + 1.f, 1e-3f) << i;
  EXPECT_FALSE(rt.context_ready());
  const auto stats = rt.stats();
  EXPECT_EQ(stats.leaps, 3);
  EXPECT_EQ(stats.leaps_accepted, 1);
  EXPECT_EQ(stats.leaps_rejected, 2);
  EXPECT_EQ(stats.observations, 1);
  rt.finish();
  EXPECT_THROW(rt.observe(frame.data(), 1.0), leap::InputError);
}

TEST(RuntimeCpp, NoSpreadLimitMeansEveryFiniteLeapIsAccepted) {
  using namespace leap::plugin;
  float step = 0;
  bool nan = false;
  RuntimeConfig cfg;
  cfg.leap.members = 3;  // max_spread 0: no limit
  auto emulator = world_rank() == 0 ? std::make_shared<SpreadEmulator>(&step, &nan) : nullptr;
  Runtime rt(MPI_COMM_WORLD, cfg, emulator);
  const Box b = box_of(world_rank(), world_size());
  describe_state(rt, b);
  rt.set_layout(BlockLayout::xyc);
  rt.setup();
  FieldBlocks fields(2);
  for (int i = 0; i < b.xm; ++i)
    for (int j = 0; j < b.ym; ++j) {
      fields[0].push_back(value(1, 0, b.x0 + i, b.y0 + j));
      fields[1].push_back(value(1, 1, b.x0 + i, b.y0 + j));
      fields[1].push_back(value(1, 2, b.x0 + i, b.y0 + j));
    }
  rt.observe(fields, 0.25);
  step = 1000;
  FieldBlocks out;
  const LeapOutcome o = rt.leap({}, 1, &out);
  EXPECT_TRUE(o.accepted);
  EXPECT_GT(o.spread, 1.0);
  ASSERT_EQ(out.size(), 2u);
  ASSERT_EQ(out[1].size(), fields[1].size());
  for (size_t i = 0; i < out[1].size(); ++i) ASSERT_NEAR(out[1][i], fields[1][i] + 1.f, 1e-2f);
  // Field blocks of the wrong size are refused on every rank.
  FieldBlocks bad = fields;
  if (world_rank() == world_size() - 1) bad[1].push_back(0.f);
  EXPECT_THROW(rt.observe(bad, 0.5), leap::InputError);
  rt.finish();
}

}  // namespace

namespace {

// Members: the last context frame times `factor` plus `offset` (all channels), so every total moves.
class DriftEmulator final : public leap::plugin::Emulator {
 public:
  DriftEmulator(double factor, double offset) : factor_(factor), offset_(offset) {}
  at::Tensor leap(const at::Tensor& context, const at::Tensor&, int64_t, int64_t members) override {
    return (context[context.size(0) - 1] * factor_ + offset_)
        .unsqueeze(0)
        .expand({members, -1, -1, -1})
        .clone();
  }
  int64_t context_frames() const override { return 1; }

 private:
  double factor_, offset_;
};

// Domain totals per channel (cxy blocks of every rank), in double.
std::vector<double> totals(const std::vector<float>& block, int cells) {
  std::vector<double> t(kC, 0.0);
  for (int c = 0; c < kC; ++c)
    for (int i = 0; i < cells; ++i) t[size_t(c)] += block[size_t(c * cells + i)];
  MPI_Allreduce(MPI_IN_PLACE, t.data(), kC, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  return t;
}

}  // namespace

TEST(RuntimeCpp, ConservedChannelsKeepTheirTotalsOverALeap) {
  using namespace leap::plugin;
  RuntimeConfig cfg;
  cfg.leap.conserve = {"v_x"};       // shifted
  cfg.leap.conserve_scaled = {"a"};  // scaled
  auto emulator = world_rank() == 0 ? std::make_shared<DriftEmulator>(0.8, 5.0) : nullptr;
  Runtime rt(MPI_COMM_WORLD, cfg, emulator, "conserve test");
  const Box b = box_of(world_rank(), world_size());
  describe_state(rt, b);
  rt.setup();
  const std::vector<float> frame = frame_block(3, b, LEAP_LAYOUT_CXY);
  const std::vector<double> before = totals(frame, b.cells());
  rt.observe(frame.data(), 0.75);
  std::vector<float> state = frame;
  const LeapOutcome o = rt.leap({}, 2, state.data());
  ASSERT_TRUE(o.accepted);
  const std::vector<double> after = totals(state, b.cells());
  // a and v_x: back to their totals (float32 state: relative 1e-6); v_y: the emulator's drift.
  EXPECT_NEAR(after[0] / before[0], 1.0, 1e-6);
  EXPECT_NEAR(after[1] / before[1], 1.0, 1e-6);
  const double cells = kNx * kNy;
  EXPECT_NEAR(after[2], 0.8 * before[2] + 5.0 * cells, 1e-6 * before[2]);
  // The change put back: the largest of |0.8 s + 5 n - s| / s over a and v_x.
  const double want = std::max(std::abs(-0.2 * before[0] + 5 * cells) / before[0],
                               std::abs(-0.2 * before[1] + 5 * cells) / before[1]);
  EXPECT_NEAR(o.conserved_change, want, 1e-6 * want);
  // a was scaled (the emulated field times one factor), v_x shifted (plus one constant).
  const int n = b.cells();
  if (n >= 2) {
    const double fa = state[0] / (0.8 * frame[0] + 5), fa1 = state[1] / (0.8 * frame[1] + 5);
    EXPECT_NEAR(fa, fa1, 1e-5);
    const double sx = state[size_t(n)] - (0.8 * frame[size_t(n)] + 5),
                 sx1 = state[size_t(n + 1)] - (0.8 * frame[size_t(n + 1)] + 5);
    EXPECT_NEAR(sx, sx1, 1e-2);
  }
  rt.finish();
}

TEST(RuntimeCpp, ConservedChannelsMustBeChannelsOfTheStateOnce) {
  using namespace leap::plugin;
  const Box b = box_of(world_rank(), world_size());
  for (const auto& [conserve, scaled, found] :
       std::vector<std::tuple<std::vector<std::string>, std::vector<std::string>, std::string>>{
           {{"v"}, {}, "'v'"}, {{"a"}, {"a"}, "'a' twice"}}) {
    RuntimeConfig cfg;
    cfg.leap.conserve = conserve;
    cfg.leap.conserve_scaled = scaled;
    auto emulator = world_rank() == 0 ? std::make_shared<DriftEmulator>(1.0, 0.0) : nullptr;
    Runtime rt(MPI_COMM_WORLD, cfg, emulator, "conserve.yaml");
    describe_state(rt, b);
    try {
      rt.setup();
      ADD_FAILURE() << "setup accepted " << found;
    } catch (const leap::InputError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("conserve.yaml"), std::string::npos) << what;
      EXPECT_NE(what.find("leap.conserve"), std::string::npos) << what;
      EXPECT_NE(what.find(found), std::string::npos) << what;
      if (scaled.empty()) {
        EXPECT_NE(what.find("channels of the state (a, v_x, v_y)"), std::string::npos) << what;
      }
    }
    EXPECT_FALSE(rt.is_setup());
  }
}

TEST_F(CApiRuntime, SeveralEmulatorRanksGiveEveryRankTheStoredFrame) {
  // Every rank an emulator (each serves itself), the first and the last, and one per node.
  std::string all;
  for (int r = 0; r < world_size(); ++r) all += (r ? ", " : "") + std::to_string(r);
  const std::string ends = world_size() > 1 ? "0, " + std::to_string(world_size() - 1) : "0";
  const std::vector<std::string> placements = {"  ranks: [" + all + "]\n", "  ranks: [" + ends + "]\n",
                                               "  per_node: true\n"};
  int k = 0;
  for (const auto& placement : placements) {
    SCOPED_TRACE(placement);
    const std::string text = "emulator:\n  kind: oracle\n  dataset: " + dataset_ + "\n  context: 2\n" +
                             placement + "leap:\n  members: 3\n";
    const std::string path = write_config(dir_, "placed" + std::to_string(k++) + ".yaml", text);
    for (int layout : {LEAP_LAYOUT_CXY, LEAP_LAYOUT_YXC}) {
      leap_runtime h = make(path, layout);
      const Box b = box_of(world_rank(), world_size());
      observe_and_leap(h, 5, 2, 3, b, layout);
      EXPECT_EQ(leap_runtime_destroy(h), LEAP_OK) << last_error();
    }
  }
}

namespace {

// Every member: the last context frame plus `offset` (a different offset on each emulator rank).
class OffsetEmulator final : public leap::plugin::Emulator {
 public:
  explicit OffsetEmulator(double offset) : offset_(offset) {}
  at::Tensor leap(const at::Tensor& context, const at::Tensor&, int64_t, int64_t members) override {
    ++calls;
    last_members = members;
    return (context[context.size(0) - 1] + offset_).unsqueeze(0).expand({members, -1, -1, -1}).clone();
  }
  int64_t context_frames() const override { return 1; }
  int calls = 0;
  int64_t last_members = -1;

 private:
  double offset_;
};

}  // namespace

TEST(RuntimeCpp, MembersAreSplitOverTheEmulatorRanksAndReducedOverAll) {
  using namespace leap::plugin;
  const int size = world_size(), rank = world_rank();
  RuntimeConfig cfg;
  cfg.emulator.ranks.clear();
  for (int r = 0; r < size; ++r) cfg.emulator.ranks.push_back(r);  // every rank an emulator
  const int M = 2 * size + 1;                                      // rank 0 takes one more
  cfg.leap.members = M;
  auto emulator = std::make_shared<OffsetEmulator>(double(rank + 1));
  Runtime rt(MPI_COMM_WORLD, cfg, emulator, "split test");
  const Box b = box_of(rank, size);
  describe_state(rt, b);
  rt.setup();
  const std::vector<float> frame = frame_block(2, b, LEAP_LAYOUT_CXY);
  rt.observe(frame.data(), 0.5);
  std::vector<float> state = frame;
  const LeapOutcome o = rt.leap({}, 1, state.data());
  ASSERT_TRUE(o.accepted);
  EXPECT_EQ(emulator->calls, 1);
  EXPECT_EQ(emulator->last_members, rank == 0 ? 3 : 2);
  // The members' offsets: 1 three times, then k + 1 twice for every other emulator rank k.
  std::vector<double> offsets = {1, 1, 1};
  for (int k = 1; k < size; ++k) offsets.insert(offsets.end(), 2, double(k + 1));
  double mean = 0, var = 0;
  for (double x : offsets) mean += x / M;
  for (double x : offsets) var += (x - mean) * (x - mean) / (M - 1);
  for (size_t i = 0; i < state.size(); ++i) ASSERT_NEAR(state[i], frame[i] + mean, 1e-3) << i;
  EXPECT_NEAR(o.absolute_spread, std::sqrt(var), 1e-9);
  rt.finish();
}

// ---- Solver guidance needs the caller's coarse solver (Runtime::set_coarse_grid, C++ only).

// The C and Fortran API never give a coarse grid: leap.guidance coarse is refused at setup, naming the
// file, the key and the routes that support it, before anything is recorded.
TEST_F(CApiRuntime, SolverGuidanceIsRefusedWithoutACoarseSolver) {
  const std::string rec = shared_dir("guided_record") + "/dataset";
  const std::string config =
      oracle_config("guided.yaml", 1, "leap:\n  guidance: coarse\nrecord:\n  dir: " + rec + "\n");
  leap_runtime h = 0;
  ASSERT_EQ(leap_runtime_create(MPI_COMM_WORLD, config.c_str(), &h), LEAP_OK) << last_error();
  const Box b = box_of(world_rank(), world_size());
  ASSERT_EQ(leap_runtime_add_field(h, "a", 1), LEAP_OK) << last_error();
  ASSERT_EQ(leap_runtime_add_field(h, "v", 2), LEAP_OK) << last_error();
  ASSERT_EQ(leap_runtime_set_box(h, kNx, kNy, b.x0, b.y0, b.xm, b.ym), LEAP_OK) << last_error();
  ASSERT_EQ(leap_runtime_record(h, 1), LEAP_OK) << last_error();
  expect_input_error(leap_runtime_setup(h),
                     {"leap_runtime_setup", config, "key 'leap.guidance'", "expected off",
                      "(LeapAttachment, the TS type leap, LeapTSAttach)", "found 'coarse'"});
  int ready = -1;
  ASSERT_EQ(leap_runtime_context_ready(h, &ready), LEAP_OK) << last_error();
  EXPECT_EQ(ready, 0);
  std::vector<float> block = frame_block(2, b, LEAP_LAYOUT_CXY);
  expect_input_error(leap_runtime_observe(h, data_or_null(block), 0.5), {"leap_runtime_observe", "setup"});
  EXPECT_EQ(leap_runtime_destroy(h), LEAP_OK) << last_error();
  MPI_Barrier(MPI_COMM_WORLD);
  EXPECT_FALSE(fs::exists(rec)) << "the refused runtime recorded into " << rec;
}

// In C++, a route that holds a coarse copy of its solver gives its grid before setup; without one
// (from the config or set_policy) setup refuses leap.guidance, and a grid of another factor than
// leap.coarse_factor is refused naming that key.
TEST(RuntimeCpp, SolverGuidanceNeedsTheCallersCoarseGrid) {
  using namespace leap::plugin;
  const int rank = world_rank();
  const Box b = box_of(rank, world_size());
  // The coarse grid (6 x 5 for the 12 x 10 state), all on rank 0: any decomposition tiles it.
  const leap::data::Block coarse{{0, 0}, {rank == 0 ? kNx / 2 : 0, rank == 0 ? kNy / 2 : 0}};
  const auto emulator = [rank] { return rank == 0 ? std::make_shared<DriftEmulator>(1.0, 0.0) : nullptr; };
  RuntimeConfig guided;
  guided.leap.policy.guidance = "coarse_only";
  guided.leap.policy.coarse_factor = 2;
  const auto expect_refused = [](Runtime& rt, const std::vector<std::string>& parts) {
    try {
      rt.setup();
      ADD_FAILURE() << "setup accepted solver guidance";
    } catch (const leap::InputError& e) {
      const std::string what = e.what();
      for (const auto& p : parts)
        EXPECT_NE(what.find(p), std::string::npos) << "'" << p << "' not in: " << what;
    }
    EXPECT_FALSE(rt.is_setup());
  };
  {
    Runtime rt(MPI_COMM_WORLD, guided, emulator(), "guided.yaml");
    describe_state(rt, b);
    expect_refused(rt, {"guided.yaml", "key 'leap.guidance'", "LeapTSAttach", "found 'coarse_only'"});
  }
  {
    const RuntimeConfig plain;  // guidance off
    Runtime rt(MPI_COMM_WORLD, plain, emulator(), "policy.yaml");
    rt.set_policy(guided.leap.policy);  // accepted: the refusal waits for setup
    describe_state(rt, b);
    expect_refused(rt, {"policy.yaml", "key 'leap.guidance'"});
  }
  {
    Runtime rt(MPI_COMM_WORLD, guided, emulator(), "guided.yaml");
    describe_state(rt, b);
    rt.set_coarse_grid(4, coarse);
    expect_refused(rt, {"guided.yaml", "key 'leap.coarse_factor'", "expected 4", "found 2"});
  }
  {
    Runtime rt(MPI_COMM_WORLD, guided, emulator(), "guided.yaml");
    describe_state(rt, b);
    EXPECT_THROW(rt.set_coarse_grid(1, coarse), leap::InputError);
    rt.set_coarse_grid(2, coarse);
    rt.setup();
    EXPECT_TRUE(rt.is_setup());
    EXPECT_THROW(rt.set_coarse_grid(2, coarse), leap::InputError);  // after setup
    rt.finish();
  }
}
