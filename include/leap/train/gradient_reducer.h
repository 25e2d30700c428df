// Data-parallel gradient averaging through c10d, LibTorch's collective layer: LibTorch's DDP Reducer
// (buckets of gradients, each all-reduced as soon as the backward pass has produced it, then averaged)
// over a c10d process group whose backend is LEAP's MPI backend (the wheel's LibTorch is built without
// ProcessGroupMPI, and its Gloo headers are not shipped). CPU tensors; each bucket's all-reduce is a
// blocking MPI_Allreduce issued from the autograd hook that completes it, on the thread that called
// backward() (LibTorch runs a CPU backward pass there), so MPI_THREAD_FUNNELED suffices: the
// communication interleaves with the backward pass rather than running beside it.
//
// Each gradient is divided by the number of ranks as it is copied into its bucket, then the buckets
// are summed: the mean over the ranks (bitwise the same as summing then dividing on 2 ranks).
// Parameters that get no gradient in a pass, on some ranks or on all (not in the loss's autograd
// graph), never hang it: the reducer searches the graph before each pass (find_unused_parameters)
// and counts them as zeros in the mean; one that no rank used keeps an undefined .grad(), as on
// 1 rank.
//
//   GradientReducer reducer(params, comm);
//   reducer.prepare_for_backward(loss);
//   loss.backward();  // on return every param's .grad() is the mean over the ranks of comm
#pragma once

#include <ATen/core/Tensor.h>
#include <mpi.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace leap::train {

class GradientReducer {
 public:
  // Every rank of comm passes the same parameters (each requiring a gradient) in the same order.
  // bucket_bytes caps a bucket.
  GradientReducer(std::vector<at::Tensor> params, MPI_Comm comm, int64_t bucket_bytes = 25 << 20);
  ~GradientReducer();
  GradientReducer(const GradientReducer&) = delete;
  GradientReducer& operator=(const GradientReducer&) = delete;

  // Before each backward pass from `output` (the loss).
  void prepare_for_backward(const at::Tensor& output);
  // All-reduce calls made so far, for tests and logs: per backward pass, one per bucket and one of
  // the map of the parameters each rank used.
  int64_t allreduce_calls() const;
  int64_t buckets() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace leap::train
