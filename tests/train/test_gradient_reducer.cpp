// Data-parallel gradients through c10d (LibTorch's DDP Reducer over LEAP's MPI backend): on 1-3
// ranks, each rank's backward pass on its own batch leaves in every parameter's .grad() the mean
// over the ranks of the per-rank gradients, computed here on every rank from all the ranks' batches
// (the oracle), and equal to LEAP's MPI allreduce_gradients; small buckets make several all-reduces
// per pass, and the last layers' ones are issued before the first layer's gradient exists (during
// the backward pass, not after it). A parameter that some ranks (or all) leave out of the loss
// neither hangs the pass nor skews the mean (zeros from the ranks that did not use it; undefined when
// no rank did); a pass from a non-finite loss (a step the trainer skips) leaves the reducer ready for
// the next one.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <mpi.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <limits>

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
    // The first layer's weight is the last gradient the pass produces: by then the buckets of the
    // later layers have been all-reduced.
    const int64_t before = reducer.allreduce_calls();
    int64_t at_first_layer = -1;
    at::Tensor w0 = m->parameters()[0];
    const unsigned hook = w0.register_hook([&](const at::Tensor& g) {
      at_first_layer = reducer.allreduce_calls() - before;
      return g;
    });
    loss.backward();
    w0.remove_hook(hook);
    EXPECT_GE(at_first_layer, reducer.buckets() - 1) << "pass " << pass;
    const auto ps = m->parameters();
    for (size_t k = 0; k < ps.size(); ++k)
      EXPECT_TRUE(at::allclose(ps[k].grad(), mean[k], 1e-12, 1e-12)) << "pass " << pass << " parameter " << k;
  }
  // One all-reduce per bucket and one of the map of used parameters, per pass.
  EXPECT_EQ(reducer.allreduce_calls(), 2 * (reducer.buckets() + 1));
  // The same as the MPI path.
  auto plain = model();
  plain->to(at::kDouble);
  plain->forward(batch_of(rank)).pow(2).sum().backward();
  train::allreduce_gradients(plain->parameters(), MPI_COMM_WORLD);
  const auto a = plain->parameters(), b = m->parameters();
  // (allreduce_gradients reduces in float32.)
  for (size_t k = 0; k < a.size(); ++k) EXPECT_TRUE(at::allclose(a[k].grad(), b[k].grad(), 1e-6, 1e-6));
}

// A network with a layer that only rank 0 uses and one that no rank uses.
struct BranchyImpl : torch::nn::Module {
  BranchyImpl() {
    at::manual_seed(5);
    a = register_module("a", torch::nn::Linear(6, 8));
    rank0_only = register_module("rank0_only", torch::nn::Linear(8, 8));
    unused = register_module("unused", torch::nn::Linear(8, 8));
    b = register_module("b", torch::nn::Linear(8, 2));
    to(at::kDouble);
  }
  at::Tensor forward(const at::Tensor& x, int rank) {
    at::Tensor h = at::silu(a->forward(x));
    if (rank == 0) h = h + rank0_only->forward(h);
    return b->forward(h);
  }
  torch::nn::Linear a{nullptr}, rank0_only{nullptr}, unused{nullptr}, b{nullptr};
};
TORCH_MODULE(Branchy);

TEST(GradientReducer, ParametersWithoutGradientNeitherHangNorSkewTheMean) {
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  Branchy oracle;
  std::vector<at::Tensor> mean;
  for (int r = 0; r < size; ++r) {
    oracle->zero_grad();
    oracle->forward(batch_of(r), r).pow(2).sum().backward();
    const auto ps = oracle->parameters();
    for (size_t k = 0; k < ps.size(); ++k) {
      if (mean.size() <= k) mean.push_back(at::zeros_like(ps[k]));
      if (ps[k].grad().defined()) mean[k] += ps[k].grad() / double(size);
    }
  }
  Branchy m;
  train::GradientReducer reducer(m->parameters(), MPI_COMM_WORLD, 8 * 8 * 8);
  EXPECT_GT(reducer.buckets(), 1);
  for (int pass = 0; pass < 3; ++pass) {
    m->zero_grad();
    const at::Tensor loss = m->forward(batch_of(rank), rank).pow(2).sum();
    reducer.prepare_for_backward(loss);
    loss.backward();
    const auto ps = m->parameters();
    for (size_t k = 0; k < ps.size(); ++k) {
      const bool unused = ps[k].is_same(m->unused->weight) || ps[k].is_same(m->unused->bias);
      if (unused) {
        EXPECT_FALSE(ps[k].grad().defined()) << "pass " << pass << " parameter " << k;
      } else {
        ASSERT_TRUE(ps[k].grad().defined()) << "pass " << pass << " parameter " << k;
        EXPECT_TRUE(at::allclose(ps[k].grad(), mean[k], 1e-12, 1e-12))
            << "pass " << pass << " parameter " << k;
      }
    }
  }
}

TEST(GradientReducer, NonFiniteLossLeavesTheReducerReady) {
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  auto plain = model();
  plain->to(at::kDouble);
  plain->forward(batch_of(rank)).pow(2).sum().backward();
  train::allreduce_gradients(plain->parameters(), MPI_COMM_WORLD);
  auto m = model();
  m->to(at::kDouble);
  train::GradientReducer reducer(params_of(m), MPI_COMM_WORLD, 16 * 16 * 8);
  for (int pass = 0; pass < 2; ++pass) {
    for (auto& p : m->parameters()) p.mutable_grad() = at::Tensor();
    at::Tensor loss = m->forward(batch_of(rank)).pow(2).sum();
    if (pass == 0 && rank == size - 1) loss = loss * std::numeric_limits<double>::quiet_NaN();
    reducer.prepare_for_backward(loss);
    loss.backward();
    const auto a = plain->parameters(), b = m->parameters();
    for (size_t k = 0; k < a.size(); ++k) {
      if (pass == 0)  // the last rank's NaN reaches every rank: all skip the step
        EXPECT_TRUE(b[k].grad().isnan().all().item<bool>()) << "parameter " << k;
      else
        EXPECT_TRUE(at::allclose(a[k].grad(), b[k].grad(), 1e-6, 1e-6)) << "parameter " << k;
    }
  }
  EXPECT_EQ(reducer.allreduce_calls(), 2 * (reducer.buckets() + 1));
}

}  // namespace
