// The C API of the state exchange (leap.h) under mpiexec: round trips through int handles (MPI_Comm
// and MPI_Fint entry points, every layout, one emulator per node), and the error path: bad
// arguments give LEAP_ERR_INPUT and a message naming the argument.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstring>
#include <string>
#include <vector>

#include "exchange_test_support.h"
#include "leap/leap.h"

using namespace leap::test;

namespace {

std::string last_error() { return leap_last_error(); }

// Creates (through `create`), round-trips a field in `layout`, destroys.
template <class Create>
void c_round_trip(Create create, Decomposition d, int layout) {
  const auto b = block_of(d, world_rank(), world_size());
  leap_exchange h = 0;
  ASSERT_EQ(create(b, &h), LEAP_OK) << last_error();
  EXPECT_GT(h, 0);
  EXPECT_EQ(last_error(), "");
  ASSERT_EQ(leap_exchange_set_layout(h, layout), LEAP_OK) << last_error();
  int emulator = -1;
  ASSERT_EQ(leap_exchange_is_emulator(h, &emulator), LEAP_OK) << last_error();
  const std::vector<float> block = make_block_data(b, layout);
  std::vector<float> full(emulator ? size_t(kC * kNx * kNy) : 0, -1.f);
  ASSERT_EQ(leap_exchange_gather(h, block.empty() ? nullptr : block.data(), emulator ? full.data() : nullptr), LEAP_OK)
      << last_error();
  if (emulator) {
    EXPECT_EQ(full_mismatches(full.data()), 0);
    for (float& v : full) v += 2.f;
  }
  std::vector<float> back(block.size(), -1.f);
  ASSERT_EQ(leap_exchange_scatter(h, emulator ? full.data() : nullptr, back.empty() ? nullptr : back.data()), LEAP_OK)
      << last_error();
  EXPECT_EQ(back, make_block_data(b, layout, 2.f));
  EXPECT_EQ(leap_exchange_destroy(h), LEAP_OK) << last_error();
}

TEST(CApiExchange, RoundTripEveryLayoutAndDecomposition) {
  for (auto d : {Decomposition::dims, Decomposition::sparse, Decomposition::strips, Decomposition::guillotine})
    for (int layout : {LEAP_LAYOUT_CXY, LEAP_LAYOUT_XYC, LEAP_LAYOUT_YXC, LEAP_LAYOUT_CYX}) {
      SCOPED_TRACE(name(d) + " layout " + std::to_string(layout));
      c_round_trip(
          [](const leap::data::Block& b, leap_exchange* h) {
            return leap_exchange_create(MPI_COMM_WORLD, int(kNx), int(kNy), int(b.start[0]), int(b.start[1]),
                                        int(b.count[0]), int(b.count[1]), int(kC), h);
          },
          d, layout);
    }
}

TEST(CApiExchange, FortranCommunicatorEntryPoints) {
  const MPI_Fint world = MPI_Comm_c2f(MPI_COMM_WORLD);
  c_round_trip(
      [world](const leap::data::Block& b, leap_exchange* h) {
        return leap_exchange_create_f(world, int(kNx), int(kNy), int(b.start[0]), int(b.start[1]), int(b.count[0]),
                                      int(b.count[1]), int(kC), h);
      },
      Decomposition::dims, LEAP_LAYOUT_XYC);
  c_round_trip(
      [world](const leap::data::Block& b, leap_exchange* h) {
        return leap_exchange_create_placed_f(world, int(kNx), int(kNy), int(b.start[0]), int(b.start[1]),
                                             int(b.count[0]), int(b.count[1]), int(kC), LEAP_EMULATORS_PER_NODE, h);
      },
      Decomposition::sparse, LEAP_LAYOUT_CYX);
}

TEST(CApiExchange, OneEmulatorPerNode) {
  c_round_trip(
      [](const leap::data::Block& b, leap_exchange* h) {
        return leap_exchange_create_placed(MPI_COMM_WORLD, int(kNx), int(kNy), int(b.start[0]), int(b.start[1]),
                                           int(b.count[0]), int(b.count[1]), int(kC), LEAP_EMULATORS_PER_NODE, h);
      },
      Decomposition::guillotine, LEAP_LAYOUT_YXC);
}

// `status` is LEAP_ERR_INPUT and the message names the function and the argument.
void expect_input_error(int status, const std::string& function, const std::string& argument) {
  const std::string m = last_error();
  EXPECT_EQ(status, LEAP_ERR_INPUT) << m;
  EXPECT_NE(m.find(function), std::string::npos) << m;
  EXPECT_NE(m.find("'" + argument + "'"), std::string::npos) << m;
}

TEST(CApiExchange, BadArgumentsAreInputErrorsNamingTheArgument) {
  const int rank = world_rank(), size = world_size();
  const auto b = block_of(Decomposition::dims, rank, size);
  const int x0 = int(b.start[0]), y0 = int(b.start[1]), xm = int(b.count[0]), ym = int(b.count[1]);
  const int nx = int(kNx), ny = int(kNy), nc = int(kC);
  leap_exchange h = 0;
  expect_input_error(leap_exchange_create(MPI_COMM_WORLD, -1, ny, x0, y0, xm, ym, nc, &h), "leap_exchange_create", "nx");
  expect_input_error(leap_exchange_create(MPI_COMM_WORLD, nx, 0, x0, y0, xm, ym, nc, &h), "leap_exchange_create", "ny");
  expect_input_error(leap_exchange_create(MPI_COMM_WORLD, nx, ny, x0, y0, xm, ym, 0, &h), "leap_exchange_create",
                     "channels");
  expect_input_error(leap_exchange_create(MPI_COMM_WORLD, nx, ny, nx, y0, xm, ym, nc, &h), "leap_exchange_create", "x0");
  expect_input_error(leap_exchange_create(MPI_COMM_WORLD, nx, ny, x0, y0, xm, -1, nc, &h), "leap_exchange_create", "ym");
  expect_input_error(leap_exchange_create(MPI_COMM_NULL, nx, ny, x0, y0, xm, ym, nc, &h), "leap_exchange_create", "comm");
  // NULL `out` on one rank only: refused on every rank.
  expect_input_error(leap_exchange_create(MPI_COMM_WORLD, nx, ny, x0, y0, xm, ym, nc, rank == size - 1 ? nullptr : &h),
                     "leap_exchange_create", "out");
  expect_input_error(leap_exchange_create_placed(MPI_COMM_WORLD, nx, ny, x0, y0, xm, ym, nc, 7, &h),
                     "leap_exchange_create_placed", "emulators");
  // The last rank owns nothing: a hole in the grid.
  expect_input_error(leap_exchange_create_f(MPI_Comm_c2f(MPI_COMM_WORLD), nx, ny, x0, y0, rank == size - 1 ? 0 : xm,
                                            ym, nc, &h),
                     "leap_exchange_create_f", "blocks");
  EXPECT_EQ(h, 0);  // no handle was made

  // Handles: unknown, then a live one with bad arguments, then destroyed.
  std::vector<float> block(size_t(nc * xm * ym), 1.f), full(size_t(nc * nx * ny));
  expect_input_error(leap_exchange_gather(12345, block.data(), full.data()), "leap_exchange_gather", "h");
  expect_input_error(leap_exchange_set_layout(-3, LEAP_LAYOUT_CXY), "leap_exchange_set_layout", "h");
  ASSERT_EQ(leap_exchange_create(MPI_COMM_WORLD, nx, ny, x0, y0, xm, ym, nc, &h), LEAP_OK) << last_error();
  expect_input_error(leap_exchange_set_layout(h, 4), "leap_exchange_set_layout", "layout");
  expect_input_error(leap_exchange_is_emulator(h, nullptr), "leap_exchange_is_emulator", "flag");
  expect_input_error(leap_exchange_gather(h, block.data(), rank == 0 ? nullptr : full.data()), "leap_exchange_gather",
                     "full");
  expect_input_error(leap_exchange_scatter(h, full.data(), rank == size - 1 ? nullptr : block.data()),
                     "leap_exchange_scatter", "block");
  EXPECT_EQ(leap_exchange_gather(h, block.data(), full.data()), LEAP_OK) << last_error();
  EXPECT_EQ(last_error(), "");
  EXPECT_EQ(leap_exchange_destroy(h), LEAP_OK);
  expect_input_error(leap_exchange_scatter(h, full.data(), block.data()), "leap_exchange_scatter", "h");
  EXPECT_NE(last_error().find("destroyed"), std::string::npos) << last_error();
  expect_input_error(leap_exchange_destroy(h), "leap_exchange_destroy", "h");
  EXPECT_EQ(leap_exchange_destroy(0), LEAP_OK);
}

TEST(CApiExchange, LastErrorCopyTruncatesLikeSnprintf) {
  leap_exchange h = 0;
  ASSERT_EQ(leap_exchange_create(MPI_COMM_WORLD, 0, 1, 0, 0, 0, 0, 1, &h), LEAP_ERR_INPUT);
  const std::string m = last_error();
  char small[8];
  std::memset(small, 'x', sizeof small);
  EXPECT_EQ(leap_last_error_copy(small, int(sizeof small)), int(m.size()));
  EXPECT_EQ(std::string(small), m.substr(0, 7));
  std::vector<char> big(m.size() + 1, 'x');
  EXPECT_EQ(leap_last_error_copy(big.data(), int(big.size())), int(m.size()));
  EXPECT_EQ(std::string(big.data()), m);
  EXPECT_EQ(leap_last_error_copy(nullptr, 0), int(m.size()));
}

}  // namespace
