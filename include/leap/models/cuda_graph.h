// Replays a function of tensors from a CUDA graph: the first call with a given set of input shapes
// runs the function a few times on a side stream (warm-up: cuBLAS/cuDNN workspaces, allocator),
// captures one more run in a CUDA graph over static input buffers, and every call then copies its
// inputs into those buffers and replays the graph: one launch for the whole function, no host work
// or synchronisation per kernel. The function must be free of host synchronisation (no .item(), no
// copies from pageable host memory) and must draw no random numbers: pass noise in as an input.
//
// available() is false in a build without CUDA; calling a CudaGraphCall there throws Error.
#pragma once

#include <ATen/core/Tensor.h>

#include <functional>
#include <memory>
#include <vector>

namespace leap::models {

class CudaGraphCall {
 public:
  using Fn = std::function<std::vector<at::Tensor>(const std::vector<at::Tensor>& inputs)>;
  explicit CudaGraphCall(Fn fn, int warmup = 2);
  ~CudaGraphCall();
  CudaGraphCall(CudaGraphCall&&) noexcept;
  CudaGraphCall& operator=(CudaGraphCall&&) noexcept;

  // Inputs on one CUDA device (undefined tensors allowed: they are passed through as undefined).
  // Returns fresh tensors (copies of the graph's static outputs).
  std::vector<at::Tensor> operator()(const std::vector<at::Tensor>& inputs);

  // Graphs captured so far (one per distinct set of input shapes).
  int captures() const;
  static bool available();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace leap::models
