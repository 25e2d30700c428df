// leap::plugin::StateExchange under mpiexec: exact gather/scatter round trips for uneven and
// partly empty decompositions in every block layout, normalisation on the way, several emulator
// ranks (explicit and one per node), and bad arguments refused on every rank together.
#include <gtest/gtest.h>
#include <mpi.h>

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <set>
#include <string>
#include <tuple>

#include "exchange_test_support.h"
#include "leap/error.h"
#include "leap/plugin/state_exchange.h"

using leap::plugin::BlockLayout;
using leap::plugin::EmulatorRanks;
using leap::plugin::ExchangeOptions;
using leap::plugin::StateExchange;
using namespace leap::test;

namespace {

int64_t count_sum(int64_t local) {
  int64_t total = 0;
  MPI_Allreduce(&local, &total, 1, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
  return total;
}

// Gathers this rank's block, checks the full field on the emulator rank(s), scatters the field plus
// `emulator_offset(emulator rank)` back and checks this rank's block.
void round_trip(StateExchange& ex, int layout, float (*emulator_offset)(int) = nullptr) {
  const auto& b = ex.block();
  const std::vector<float> block = make_block_data(b, layout);
  std::vector<float> full;
  ex.gather(block, full);
  if (ex.is_emulator()) {
    ASSERT_EQ(int64_t(full.size()), kC * kNx * kNy);
    EXPECT_EQ(full_mismatches(full.data()), 0) << "on emulator rank " << world_rank();
    const float off = emulator_offset ? emulator_offset(world_rank()) : 0.5f;
    for (float& v : full) v += off;
  } else {
    EXPECT_TRUE(full.empty());
  }
  std::vector<float> back(block.size(), std::nanf(""));
  ex.scatter(full, back);
  const float off = emulator_offset ? emulator_offset(ex.emulator()) : 0.5f;
  EXPECT_EQ(back, make_block_data(b, layout, off)) << "on rank " << world_rank();
}

std::string round_trip_name(const ::testing::TestParamInfo<std::tuple<Decomposition, int>>& info) {
  static const char* layouts[] = {"cxy", "xyc", "yxc", "cyx"};
  return name(std::get<0>(info.param)) + "_" + layouts[std::get<1>(info.param)];
}

class RoundTrip : public ::testing::TestWithParam<std::tuple<Decomposition, int>> {};

TEST_P(RoundTrip, ExactForEveryLayout) {
  const auto [decomposition, layout] = GetParam();
  const auto block = block_of(decomposition, world_rank(), world_size());
  ExchangeOptions options;
  options.layout = BlockLayout(layout);
  StateExchange ex(MPI_COMM_WORLD, {kNx, kNy}, block, kC, options);
  EXPECT_EQ(ex.is_emulator(), world_rank() == 0);
  EXPECT_EQ(ex.emulator(), 0);
  EXPECT_EQ(ex.emulator_count(), 1);
  EXPECT_EQ(ex.group_size(), world_size());
  EXPECT_EQ(ex.block_size(), kC * block.count[0] * block.count[1]);
  round_trip(ex, layout);
  // The same exchange again (buffers are reused) with another layout set on this rank only.
  const int other = (layout + 1 + world_rank()) % 4;
  ex.set_layout(BlockLayout(other));
  round_trip(ex, other);
}

INSTANTIATE_TEST_SUITE_P(Decompositions, RoundTrip,
                         ::testing::Combine(::testing::Values(Decomposition::dims, Decomposition::sparse,
                                                              Decomposition::strips,
                                                              Decomposition::guillotine),
                                            ::testing::Values(0, 1, 2, 3)),
                         round_trip_name);

TEST(StateExchange, RawPointersAndNullWhereNothingIsOwned) {
  const auto block = block_of(Decomposition::sparse, world_rank(), world_size());
  StateExchange ex(MPI_COMM_WORLD, {kNx, kNy}, block, kC);
  std::vector<float> data = make_block_data(block, 0);
  std::vector<float> full(ex.is_emulator() ? size_t(ex.full_size()) : 0);
  ex.gather(data.empty() ? nullptr : data.data(), ex.is_emulator() ? full.data() : nullptr);
  if (ex.is_emulator()) {
    EXPECT_EQ(full_mismatches(full.data()), 0);
  }
  std::vector<float> back(data.size(), -1.f);
  ex.scatter(ex.is_emulator() ? full.data() : nullptr, back.empty() ? nullptr : back.data());
  EXPECT_EQ(back, data);
}

TEST(StateExchange, EmulatorOnTheLastRank) {
  const int last = world_size() - 1;
  ExchangeOptions options;
  options.emulators = EmulatorRanks::root(last);
  options.layout = BlockLayout::xyc;
  StateExchange ex(MPI_COMM_WORLD, {kNx, kNy}, block_of(Decomposition::dims, world_rank(), world_size()), kC,
                   options);
  EXPECT_EQ(ex.is_emulator(), world_rank() == last);
  EXPECT_EQ(ex.emulator(), last);
  round_trip(ex, 1);
}

// Several emulator ranks {0, size/2}: every one of them receives the full field, and each serves
// the contiguous range of ranks from itself up to the next one.
TEST(StateExchange, SeveralEmulatorRanksEachHoldTheFullField) {
  const int size = world_size(), rank = world_rank();
  ExchangeOptions options;
  options.emulators.ranks = size > 1 ? std::vector<int>{size / 2, 0} : std::vector<int>{0};
  const int serving = size > 1 && rank >= size / 2 ? size / 2 : 0;
  for (auto d : {Decomposition::dims, Decomposition::sparse, Decomposition::guillotine}) {
    SCOPED_TRACE(name(d));
    StateExchange ex(MPI_COMM_WORLD, {kNx, kNy}, block_of(d, rank, size), kC, options);
    EXPECT_EQ(ex.emulator(), serving);
    EXPECT_EQ(ex.is_emulator(), rank == serving);
    EXPECT_EQ(ex.emulator_count(), size > 1 ? 2 : 1);
    EXPECT_EQ(ex.group_size(), serving == 0 ? (size > 1 ? size / 2 : 1) : size - size / 2);
    // Each emulator adds its own offset before scattering: a rank gets its own emulator's field.
    round_trip(ex, 0, [](int emulator) { return 0.25f * float(emulator + 1); });
  }
}

// One emulator rank per node: the lowest rank on each node (on one machine: rank 0 for all).
TEST(StateExchange, OneEmulatorRankPerNode) {
  char host[MPI_MAX_PROCESSOR_NAME] = {};
  int len = 0;
  MPI_Get_processor_name(host, &len);
  std::vector<char> hosts(size_t(world_size()) * MPI_MAX_PROCESSOR_NAME);
  MPI_Allgather(host, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, hosts.data(), MPI_MAX_PROCESSOR_NAME, MPI_CHAR,
                MPI_COMM_WORLD);
  std::set<std::string> nodes;
  int lowest_on_my_node = -1;
  for (int r = 0; r < world_size(); ++r) {
    const std::string h(&hosts[size_t(r) * MPI_MAX_PROCESSOR_NAME]);
    nodes.insert(h);
    if (lowest_on_my_node < 0 && h == std::string(host)) lowest_on_my_node = r;
  }
  ExchangeOptions options;
  options.emulators = EmulatorRanks::one_per_node();
  options.layout = BlockLayout::yxc;
  StateExchange ex(MPI_COMM_WORLD, {kNx, kNy}, block_of(Decomposition::strips, world_rank(), world_size()),
                   kC, options);
  EXPECT_EQ(ex.emulator_count(), int(nodes.size()));
  EXPECT_EQ(count_sum(ex.is_emulator() ? 1 : 0), int64_t(nodes.size()));
  EXPECT_EQ(ex.emulator(), lowest_on_my_node);
  round_trip(ex, 2);
}

// gather() normalises on the emulator rank, scatter() denormalises: the round trip is exact to
// float tolerance, and the gathered field is the normalised field.
TEST(StateExchange, NormalisesOnTheWay) {
  leap::data::Normalizer norm;
  norm.mean = {5000.0, 9.5, -20000.0};
  norm.std = {3000.0, 0.1, 7000.0};
  norm.log = {false, true, false};
  ExchangeOptions options;
  options.normalizer = norm;
  options.layout = BlockLayout::xyc;
  const auto block = block_of(Decomposition::guillotine, world_rank(), world_size());
  StateExchange ex(MPI_COMM_WORLD, {kNx, kNy}, block, kC, options);
  const std::vector<float> data = make_block_data(block, 1);
  at::Tensor full = ex.gather(data.empty() ? nullptr : data.data());
  ASSERT_EQ(full.defined(), ex.is_emulator());
  if (ex.is_emulator()) {
    ASSERT_EQ(full.sizes().vec(), (std::vector<int64_t>{kC, kNx, kNy}));
    ASSERT_EQ(full.scalar_type(), at::kFloat);
    const float* f = full.data_ptr<float>();
    double worst = 0;
    for (int64_t c = 0; c < kC; ++c)
      for (int64_t x = 0; x < kNx; ++x)
        for (int64_t y = 0; y < kNy; ++y) {
          const double v = field_value(c, x, y);
          const double expected =
              ((norm.log[size_t(c)] ? std::log(v) : v) - norm.mean[size_t(c)]) / norm.std[size_t(c)];
          worst = std::max(worst, std::abs(f[(c * kNx + x) * kNy + y] - expected));
        }
    EXPECT_LT(worst, 1e-4);
  }
  std::vector<float> back(data.size(), std::nanf(""));
  // Double precision on the way back is accepted (converted to float32).
  ex.scatter(full.defined() ? full.to(at::kDouble) : full, back.empty() ? nullptr : back.data());
  for (size_t k = 0; k < data.size(); ++k) EXPECT_NEAR(back[k], data[k], 2e-5 * data[k]) << "element " << k;
}

// A bad argument on one rank fails the call on every rank; the others' message names that rank.
void expect_input_error_everywhere(const std::function<void()>& call, const std::string& needle) {
  std::string message;
  try {
    call();
  } catch (const leap::InputError& e) {
    message = e.what();
  }
  EXPECT_NE(message.find(needle), std::string::npos) << "message: '" << message << "'";
}

TEST(StateExchange, BadArgumentsFailOnEveryRank) {
  const int rank = world_rank(), size = world_size(), last = size - 1;
  const auto block = block_of(Decomposition::dims, rank, size);
  expect_input_error_everywhere([&] { StateExchange(MPI_COMM_WORLD, {0, kNy}, block, kC); }, "'nx'");
  expect_input_error_everywhere([&] { StateExchange(MPI_COMM_WORLD, {kNx, -2}, block, kC); }, "'ny'");
  expect_input_error_everywhere([&] { StateExchange(MPI_COMM_WORLD, {kNx, kNy}, block, 0); }, "'channels'");
  expect_input_error_everywhere([&] { StateExchange(MPI_COMM_NULL, {kNx, kNy}, block, kC); }, "'comm'");
  // Only the last rank is wrong.
  auto wide = block;
  if (rank == last) wide.count[0] = kNx + 1;
  expect_input_error_everywhere([&] { StateExchange(MPI_COMM_WORLD, {kNx, kNy}, wide, kC); }, "'xm'");
  if (size > 1)  // the failing rank is named where there are others
    expect_input_error_everywhere(
        [&] {
          StateExchange(MPI_COMM_WORLD, {kNx, kNy}, wide, kC);
        },
        "rank " + std::to_string(last) + ": ");
  auto shifted = block;
  if (rank == last) shifted.start[1] = kNy - shifted.count[1] + 1;
  expect_input_error_everywhere([&] { StateExchange(MPI_COMM_WORLD, {kNx, kNy}, shifted, kC); }, "'y0'");
  // The ranks disagree on the grid (rank 0 says one row more).
  if (size > 1)
    expect_input_error_everywhere(
        [&] {
          StateExchange(MPI_COMM_WORLD, {kNx, rank == 0 ? kNy + 1 : kNy}, block, kC);
        },
        "disagree");
  // Blocks that do not tile the grid: a hole, then an overlap of the same cell count.
  auto hole = block;
  if (rank == last) hole.count[1] = std::max<int64_t>(hole.count[1] - 1, 0);
  expect_input_error_everywhere([&] { StateExchange(MPI_COMM_WORLD, {kNx, kNy}, hole, kC); }, "'blocks'");
  if (size > 1) {
    // As many cells as the grid, but rank 1's strip moved onto rank 0's.
    auto strips = block_of(Decomposition::strips, rank, size);
    if (rank == 1) strips.start[1] = 0;
    expect_input_error_everywhere([&] { StateExchange(MPI_COMM_WORLD, {kNx, kNy}, strips, kC); }, "overlap");
  }
  leap::data::Normalizer two;
  two.mean = {0, 0};
  two.std = {1, 1};
  two.log = {false, false};
  ExchangeOptions with_two;
  with_two.normalizer = two;
  expect_input_error_everywhere(
      [&] {
        StateExchange(MPI_COMM_WORLD, {kNx, kNy}, block, kC, with_two);
      },
      "'normalizer'");
  ExchangeOptions outside;
  outside.emulators.ranks = {size};
  expect_input_error_everywhere(
      [&] {
        StateExchange(MPI_COMM_WORLD, {kNx, kNy}, block, kC, outside);
      },
      "'emulators'");

  // Per call: a null block on the last rank (which owns cells) or a wrong vector size.
  StateExchange ex(MPI_COMM_WORLD, {kNx, kNy}, block, kC);
  std::vector<float> data = make_block_data(block, 0), full(size_t(ex.full_size()));
  expect_input_error_everywhere([&] { ex.gather(rank == last ? nullptr : data.data(), full.data()); },
                                "'block'");
  expect_input_error_everywhere([&] { ex.scatter(full.data(), rank == last ? nullptr : data.data()); },
                                "'block'");
  expect_input_error_everywhere([&] { ex.gather(data.data(), rank == 0 ? nullptr : full.data()); }, "'full'");
  std::vector<float> short_block(rank == last ? data.size() + 1 : data.size());
  expect_input_error_everywhere([&] { ex.gather(short_block, full); }, "'block'");
  expect_input_error_everywhere([&] { ex.scatter(at::zeros({kC, kNx}), data.data()); }, "'full'");
  // The exchange still works after refused calls.
  round_trip(ex, 0);
}

}  // namespace
