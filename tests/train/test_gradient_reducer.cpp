// Data-parallel gradients through c10d (LibTorch's DDP Reducer over LEAP's MPI backend): on 1-3
// ranks, each rank's backward pass on its own batch leaves in every parameter's .grad() the mean
// over the ranks of the per-rank gradients, computed here on every rank from all the ranks' batches
// (the oracle), and equal to LEAP's MPI allreduce_gradients; small buckets make several all-reduces
// per pass, issued as the backward pass produces them.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <mpi.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>

#include "leap/train/data_parallel.h"
#include "leap/train/gradient_reducer.h"

using namespace leap;

namespace {

torch::nn::Sequential model() {
  at::manual_seed(3);  // the same weights on every rank
  return torch::nn::Sequential(torch::nn::Linear(6, 16), torch::nn::SiLU(), torch::nn::Linear(16, 16),
                               torch::nn::SiLU(), torch::nn::Linear(16, 2));
}

at::Tensor batch_of(int rank) {
  at::manual_seed(100 + rank);
  return at::randn({4, 6}, at::kDouble);
}

std::vector<at::Tensor> params_of(torch::nn::Sequential& m) {
  return m->parameters();
}

TEST(GradientReducer, MeanOverRanksDuringBackward) {
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  // Oracle: the mean of every rank's gradient, each computed here.
  auto oracle = model();
  oracle->to(at::kDouble);
  std::vector<at::Tensor> mean;
  for (int r = 0; r < size; ++r) {
    for (auto& p : oracle->parameters()) p.mutable_grad() = at::Tensor();
    oracle->forward(batch_of(r)).pow(2).sum().backward();
    const auto ps = oracle->parameters();
    for (size_t k = 0; k < ps.size(); ++k) {
      if (mean.size() <= k) mean.push_back(at::zeros_like(ps[k]));
      mean[k] += ps[k].grad() / double(size);
    }
  }
  // c10d: two passes (the reducer is reusable), buckets of about one layer.
  auto m = model();
  m->to(at::kDouble);
  train::GradientReducer reducer(params_of(m), MPI_COMM_WORLD, 16 * 16 * 8);
  EXPECT_GT(reducer.buckets(), 1);
  for (int pass = 0; pass < 2; ++pass) {
    for (auto& p : m->parameters()) p.mutable_grad() = at::Tensor();
    const at::Tensor loss = m->forward(batch_of(rank)).pow(2).sum();
    reducer.prepare_for_backward(loss);
    loss.backward();
    const auto ps = m->parameters();
    for (size_t k = 0; k < ps.size(); ++k)
      EXPECT_TRUE(at::allclose(ps[k].grad(), mean[k], 1e-12, 1e-12)) << "pass " << pass << " parameter " << k;
  }
  EXPECT_EQ(reducer.allreduce_calls(), 2 * reducer.buckets());
  // The same as the MPI path.
  auto plain = model();
  plain->to(at::kDouble);
  plain->forward(batch_of(rank)).pow(2).sum().backward();
  train::allreduce_gradients(plain->parameters(), MPI_COMM_WORLD);
  const auto a = plain->parameters(), b = m->parameters();
  // (allreduce_gradients reduces in float32.)
  for (size_t k = 0; k < a.size(); ++k) EXPECT_TRUE(at::allclose(a[k].grad(), b[k].grad(), 1e-6, 1e-6));
}

}  // namespace
