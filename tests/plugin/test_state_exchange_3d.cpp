// leap::plugin::StateExchange on 3-D grids under mpiexec: exact gather/scatter round trips of a
// [C, X, Y, Z] field for uneven, slab and partly empty decompositions in every block layout (each
// layout's element order written out here, independently of block_strides), with one, the last
// and several emulator ranks; normalisation over a 3-D field; the [C, X, Y, Z] tensor calls; and
// 3-D argument errors refused on every rank together.
#include <gtest/gtest.h>
#include <mpi.h>

#include <ATen/ATen.h>

#include <cmath>
#include <functional>
#include <string>
#include <tuple>
#include <vector>

#include "exchange_test_support.h"
#include "leap/error.h"
#include "leap/plugin/state_exchange.h"

using leap::plugin::BlockLayout;
using leap::plugin::EmulatorRanks;
using leap::plugin::ExchangeOptions;
using leap::plugin::StateExchange;
using leap::test::split;
using leap::test::world_rank;
using leap::test::world_size;

namespace {

constexpr int64_t kX = 7, kY = 6, kZ = 5, kChannels = 3;

// Exact in float32, positive, distinct per (c, x, y, z).
float value(int64_t c, int64_t x, int64_t y, int64_t z) {
  return float(100000 * c + 1000 * x + 100 * y + z + 1);
}

leap::data::Block box(int64_t x0, int64_t y0, int64_t z0, int64_t xm, int64_t ym, int64_t zm) {
  leap::data::Block b;
  b.start = {x0, y0, z0};
  b.count = {xm, ym, zm};
  return b;
}

enum class Split3 { dims, slabs, sparse };

// dims: MPI_Dims_create's 3-D process grid (uneven splits); slabs: z slabs of growing thickness,
// the last rank's possibly empty; sparse: odd ranks own nothing, even ranks split y.
leap::data::Block block_of(Split3 d, int rank, int size) {
  int64_t s[3] = {0, 0, 0}, c[3] = {kX, kY, kZ};
  switch (d) {
    case Split3::dims: {
      int p[3] = {0, 0, 0};
      MPI_Dims_create(size, 3, p);
      const int coords[3] = {rank / (p[1] * p[2]), rank / p[2] % p[1], rank % p[2]};
      for (int a = 0; a < 3; ++a) split(c[a], p[a], coords[a], &s[a], &c[a]);
      break;
    }
    case Split3::slabs: {
      const int64_t total = int64_t(size) * (size + 1) / 2;
      s[2] = kZ * (int64_t(rank) * (rank + 1) / 2) / total;
      c[2] = kZ * (int64_t(rank + 1) * (rank + 2) / 2) / total - s[2];
      break;
    }
    case Split3::sparse:
      if (rank % 2 == 1) return box(0, 0, 0, kX, 0, kZ);
      split(kY, (size + 1) / 2, rank / 2, &s[1], &c[1]);
      break;
  }
  return box(s[0], s[1], s[2], c[0], c[1], c[2]);
}

// Element of channel c, local cell (i, j, l) in a block of xm x ym x zm cells, by the layouts'
// definitions (state_exchange.h): cxy [C][x][y][z], xyc [x][y][z][C], yxc [z][y][x][C], cyx [C][z][y][x].
size_t element(int layout, int64_t c, int64_t i, int64_t j, int64_t l, int64_t xm, int64_t ym, int64_t zm) {
  switch (layout) {
    case 0:
      return size_t(((c * xm + i) * ym + j) * zm + l);
    case 1:
      return size_t(((i * ym + j) * zm + l) * kChannels + c);
    case 2:
      return size_t(((l * ym + j) * xm + i) * kChannels + c);
    default:
      return size_t(((c * zm + l) * ym + j) * xm + i);
  }
}

std::vector<float> block_data(const leap::data::Block& b, int layout, float offset = 0) {
  const int64_t xm = b.count[0], ym = b.count[1], zm = b.count[2];
  std::vector<float> v(size_t(kChannels * xm * ym * zm));
  for (int64_t c = 0; c < kChannels; ++c)
    for (int64_t i = 0; i < xm; ++i)
      for (int64_t j = 0; j < ym; ++j)
        for (int64_t l = 0; l < zm; ++l)
          v[element(layout, c, i, j, l, xm, ym, zm)] =
              value(c, b.start[0] + i, b.start[1] + j, b.start[2] + l) + offset;
  return v;
}

int64_t full_mismatches(const std::vector<float>& full) {
  int64_t bad = 0;
  for (int64_t c = 0; c < kChannels; ++c)
    for (int64_t x = 0; x < kX; ++x)
      for (int64_t y = 0; y < kY; ++y)
        for (int64_t z = 0; z < kZ; ++z)
          bad += full[size_t(((c * kX + x) * kY + y) * kZ + z)] != value(c, x, y, z);
  return bad;
}

using Param =
    std::tuple<Split3, int, int>;  // decomposition, layout, emulators (0 root, 1 last, 2 every other)

class RoundTrip3D : public ::testing::TestWithParam<Param> {};

TEST_P(RoundTrip3D, ExactForEveryLayout) {
  const auto [d, layout, placement] = GetParam();
  const int rank = world_rank(), size = world_size();
  ExchangeOptions o;
  o.layout = BlockLayout(layout);
  if (placement == 1) o.emulators = EmulatorRanks::root(size - 1);
  if (placement == 2) {
    o.emulators.ranks.clear();
    for (int r = 0; r < size; r += 2) o.emulators.ranks.push_back(r);
  }
  const auto b = block_of(d, rank, size);
  StateExchange ex(MPI_COMM_WORLD, {kX, kY, kZ}, b, kChannels, o);
  EXPECT_EQ(ex.grid(), (std::vector<int64_t>{kX, kY, kZ}));
  EXPECT_EQ(ex.full_size(), kChannels * kX * kY * kZ);
  const std::vector<float> mine = block_data(b, layout);
  std::vector<float> full;
  ex.gather(mine, full);
  if (ex.is_emulator()) {
    ASSERT_EQ(int64_t(full.size()), kChannels * kX * kY * kZ);
    EXPECT_EQ(full_mismatches(full), 0) << "on emulator rank " << rank;
    const float offset = 0.5f + float(rank);  // each emulator hands its group its own field
    for (float& v : full) v += offset;
  }
  std::vector<float> back;
  ex.scatter(full, back);
  EXPECT_EQ(back, block_data(b, layout, 0.5f + float(ex.emulator()))) << "on rank " << rank;
}

std::string param_name(const ::testing::TestParamInfo<Param>& info) {
  static const char* splits[] = {"dims", "slabs", "sparse"};
  static const char* layouts[] = {"cxy", "xyc", "yxc", "cyx"};
  static const char* placements[] = {"root", "last", "several"};
  return std::string(splits[int(std::get<0>(info.param))]) + "_" + layouts[std::get<1>(info.param)] + "_" +
         placements[std::get<2>(info.param)];
}

INSTANTIATE_TEST_SUITE_P(Decompositions, RoundTrip3D,
                         ::testing::Combine(::testing::Values(Split3::dims, Split3::slabs, Split3::sparse),
                                            ::testing::Values(0, 1, 2, 3), ::testing::Values(0, 1, 2)),
                         param_name);

TEST(StateExchange3D, StridesAgreeWithTheLayoutDefinitions) {
  for (int layout = 0; layout < 4; ++layout) {
    const auto s = leap::plugin::block_strides(BlockLayout(layout), kChannels, 4, 3, 2);
    for (int64_t c = 0; c < kChannels; ++c)
      for (int64_t i = 0; i < 4; ++i)
        for (int64_t j = 0; j < 3; ++j)
          for (int64_t l = 0; l < 2; ++l)
            ASSERT_EQ(size_t(c * s[0] + i * s[1] + j * s[2] + l * s[3]), element(layout, c, i, j, l, 4, 3, 2))
                << "layout " << layout;
    // With one z cell, the first three are the 2-D strides.
    const auto s3 = leap::plugin::block_strides(BlockLayout(layout), kChannels, 4, 3, 1);
    const auto s2 = leap::plugin::block_strides(BlockLayout(layout), kChannels, 4, 3);
    EXPECT_EQ(s3[0], s2[0]);
    EXPECT_EQ(s3[1], s2[1]);
    EXPECT_EQ(s3[2], s2[2]);
  }
}

class TensorsAndNormalisation : public ::testing::TestWithParam<int> {};

// A 3-D dataset's normaliser (spatial_dims 3) and a 2-D one (it normalises per channel just the same).
TEST_P(TensorsAndNormalisation, GatherNormalisesScatterDenormalises) {
  leap::data::Normalizer norm;
  norm.mean = {50000.0, 11.5, -20000.0};
  norm.std = {30000.0, 0.2, 7000.0};
  norm.log = {false, true, false};
  norm.spatial_dims = GetParam();
  ExchangeOptions o;
  o.normalizer = norm;
  o.layout = BlockLayout::yxc;  // a 3-D DMDA's own array
  const auto b = block_of(Split3::dims, world_rank(), world_size());
  StateExchange ex(MPI_COMM_WORLD, {kX, kY, kZ}, b, kChannels, o);
  const std::vector<float> mine = block_data(b, 2);
  at::Tensor full = ex.gather(mine.empty() ? nullptr : mine.data());
  ASSERT_EQ(full.defined(), ex.is_emulator());
  if (ex.is_emulator()) {
    ASSERT_EQ(full.sizes().vec(), (std::vector<int64_t>{kChannels, kX, kY, kZ}));
    double worst = 0;
    const auto a = full.accessor<float, 4>();
    for (int64_t c = 0; c < kChannels; ++c)
      for (int64_t x = 0; x < kX; ++x)
        for (int64_t y = 0; y < kY; ++y)
          for (int64_t z = 0; z < kZ; ++z) {
            const double v = value(c, x, y, z);
            const double want =
                ((norm.log[size_t(c)] ? std::log(v) : v) - norm.mean[size_t(c)]) / norm.std[size_t(c)];
            worst = std::max(worst, std::abs(a[c][x][y][z] - want));
          }
    EXPECT_LT(worst, 1e-4);
  }
  std::vector<float> back(mine.size(), std::nanf(""));
  ex.scatter(full.defined() ? full.to(at::kDouble) : full, back.empty() ? nullptr : back.data());
  for (size_t k = 0; k < mine.size(); ++k) EXPECT_NEAR(back[k], mine[k], 2e-5 * mine[k]) << "element " << k;
  // A 2-D-shaped tensor is refused on every rank.
  std::string message;
  try {
    ex.scatter(ex.is_emulator() ? at::zeros({kChannels, kX, kY * kZ}) : at::Tensor(),
               back.empty() ? nullptr : back.data());
  } catch (const leap::InputError& e) {
    message = e.what();
  }
  EXPECT_NE(message.find("'full'"), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(StateExchange3D, TensorsAndNormalisation, ::testing::Values(3, 2));

void expect_everywhere(const std::function<void()>& call, const std::string& needle) {
  std::string message;
  try {
    call();
  } catch (const leap::InputError& e) {
    message = e.what();
  }
  EXPECT_NE(message.find(needle), std::string::npos) << "message: '" << message << "'";
}

TEST(StateExchange3D, BadArgumentsFailOnEveryRank) {
  const int rank = world_rank(), size = world_size(), last = size - 1;
  const auto b = block_of(Split3::dims, rank, size);
  expect_everywhere([&] { StateExchange(MPI_COMM_WORLD, {kX, kY, 0}, b, kChannels); }, "'nz'");
  expect_everywhere([&] { StateExchange(MPI_COMM_WORLD, {kX}, b, kChannels); }, "1-D grid");
  expect_everywhere([&] { StateExchange(MPI_COMM_WORLD, {kX, kY, kZ, 2}, b, kChannels); }, "4-D grid");
  // A 2-D block on a 3-D grid (on the last rank only), and a 3-D block on a 2-D grid.
  auto flat = b;
  if (rank == last) {
    flat.start.pop_back();
    flat.count.pop_back();
  }
  expect_everywhere([&] { StateExchange(MPI_COMM_WORLD, {kX, kY, kZ}, flat, kChannels); }, "3-D block");
  expect_everywhere([&] { StateExchange(MPI_COMM_WORLD, {kX, kY}, b, kChannels); }, "2-D block");
  auto deep = b;
  if (rank == last) deep.start[2] = kZ - deep.count[2] + 1;
  expect_everywhere([&] { StateExchange(MPI_COMM_WORLD, {kX, kY, kZ}, deep, kChannels); }, "'z0'");
  if (rank == last) deep = b, deep.count[2] = kZ + 1;
  expect_everywhere([&] { StateExchange(MPI_COMM_WORLD, {kX, kY, kZ}, deep, kChannels); }, "'zm'");
  if (size > 1) {
    // The ranks disagree on nz (rank 0 says one layer more): refused, naming both grids.
    expect_everywhere(
        [&] {
          StateExchange(MPI_COMM_WORLD, {kX, kY, rank == 0 ? kZ + 1 : kZ}, b, kChannels);
        },
        "disagree");
    // The last rank's slab (the thickest) moved to z = 0: as many cells as the grid, some twice.
    auto slabs = block_of(Split3::slabs, rank, size);
    if (rank == last) slabs.start[2] = 0;
    expect_everywhere([&] { StateExchange(MPI_COMM_WORLD, {kX, kY, kZ}, slabs, kChannels); }, "overlap");
  }
  // A hole: the last rank owns one z layer less.
  auto hole = b;
  if (rank == last) hole.count[2] = std::max<int64_t>(hole.count[2] - 1, 0);
  expect_everywhere([&] { StateExchange(MPI_COMM_WORLD, {kX, kY, kZ}, hole, kChannels); }, "'blocks'");
}

}  // namespace
