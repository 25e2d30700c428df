// The distributed VRMSE (metrics::vrmse_blocks, used by the hybrid controller's checks) equals the
// whole-field VRMSE of `leap evaluate` (metrics::vrmse, averaged over channels) on any number of
// ranks, each holding some rows of the field.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <mpi.h>

#include <vector>

#include "leap/metrics/vrmse.h"

namespace {

// The field [C, X, Y] of this test (the same on every rank), float32 like the exchanged blocks.
at::Tensor field(int64_t C, int64_t X, int64_t Y, double offset, int seed) {
  at::manual_seed(uint64_t(seed));
  return (offset + at::randn({C, X, Y}, at::kDouble)).to(at::kFloat);
}

// This rank's rows of f as [cells][C] (channel fastest); rows split as evenly as possible.
std::vector<float> my_cells(const at::Tensor& f, int rank, int size) {
  const int64_t X = f.size(1), lo = X * rank / size, hi = X * (rank + 1) / size;
  const at::Tensor part = f.narrow(1, lo, hi - lo).permute({1, 2, 0}).contiguous();
  return std::vector<float>(part.data_ptr<float>(), part.data_ptr<float>() + part.numel());
}

double distributed_vrmse(const at::Tensor& u, const at::Tensor& v) {
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const std::vector<float> a = my_cells(u, rank, size), b = my_cells(v, rank, size);
  const int64_t C = u.size(0);
  return leap::metrics::vrmse_blocks(
      a.data(), b.data(), int64_t(a.size()) / C, C, [](std::vector<double>& s) {
        MPI_Allreduce(MPI_IN_PLACE, s.data(), int(s.size()), MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
      });
}

}  // namespace

TEST(VrmseBlocks, EqualsTheWholeFieldVrmseOnEveryRankCount) {
  const at::Tensor u = field(3, 13, 8, 0.0, 1),
                   v = (u.to(at::kDouble) + 0.3 * field(3, 13, 8, 0.0, 2).to(at::kDouble)).to(at::kFloat);
  const double whole = leap::metrics::vrmse(u, v).mean().item<double>();
  EXPECT_NEAR(distributed_vrmse(u, v), whole, 1e-12 * whole);
  EXPECT_EQ(distributed_vrmse(u, u), 0.0);
}

TEST(VrmseBlocks, TwoPassesKeepASmallVarianceOnALargeMean) {
  // A field far from zero with a small spread (a density of 1e3 with 1e-2 fluctuations): the
  // variance comes from the deviations from the mean, as in the whole-field formula.
  const at::Tensor u = field(2, 16, 16, 0.0, 3).mul(1e-2).add(1e3), v = u.add(5e-3);
  const double whole = leap::metrics::vrmse(u, v).mean().item<double>();
  EXPECT_NEAR(distributed_vrmse(u, v), whole, 1e-9 * whole);
  EXPECT_GT(whole, 0.1);  // the variance is seen: about 5e-3 / 1e-2 = 0.5
}
