// Failing together (leap/plugin/collective_error.h), on 1 to 3 ranks: every rank learns the lowest
// failing rank's message and kind; ranks holding different inputs are refused on every rank with a
// message naming rank 0 and the first rank that differs.
#include <gtest/gtest.h>
#include <mpi.h>

#include <string>

#include "exchange_test_support.h"
#include "leap/error.h"
#include "leap/plugin/collective_error.h"

using namespace leap;

namespace {

int Rank() {
  return test::world_rank();
}
int Size() {
  return test::world_size();
}

TEST(CollectiveError, TheLowestFailingRanksMessageReachesEveryRank) {
  EXPECT_EQ(plugin::first_problem(MPI_COMM_WORLD, ""), "");
  const int last = Size() - 1;
  const std::string got =
      plugin::first_problem(MPI_COMM_WORLD, Rank() >= last ? "bad " + std::to_string(Rank()) : "");
  EXPECT_EQ(got, Size() > 1 ? "rank " + std::to_string(last) + ": bad " + std::to_string(last) : "bad 0");
  // Kinds travel: an InputError stays one on every rank, anything else becomes an Error.
  std::exception_ptr local;
  if (Rank() == last) local = std::make_exception_ptr(InputError("input problem"));
  EXPECT_THROW(plugin::agree_on_failure(MPI_COMM_WORLD, local), InputError);
  local = Rank() == last ? std::make_exception_ptr(std::runtime_error("other")) : nullptr;
  try {
    plugin::agree_on_failure(MPI_COMM_WORLD, local);
    ADD_FAILURE() << "no failure";
  } catch (const InputError&) {
    ADD_FAILURE() << "a runtime_error became an InputError";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("other"), std::string::npos);
  }
}

TEST(CollectiveError, RanksHoldingDifferentInputsAreRefusedNamingBoth) {
  EXPECT_NO_THROW(plugin::agree_on_same_input(MPI_COMM_WORLD, "frames: 8\n", "run.yaml"));
  if (Size() < 2) GTEST_SKIP() << "needs 2 ranks";
  const int last = Size() - 1;
  const std::string text = Rank() == last ? "frames: 9\n" : "frames: 8\n";
  try {
    plugin::agree_on_same_input(MPI_COMM_WORLD, text, "run.yaml");
    ADD_FAILURE() << "different configs on rank 0 and rank " << last << " were accepted";
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("run.yaml"), std::string::npos) << m;
    EXPECT_NE(m.find("rank 0 and rank " + std::to_string(last)), std::string::npos) << m;
  }
}

}  // namespace
