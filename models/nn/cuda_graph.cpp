#include "leap/models/cuda_graph.h"

#include <ATen/ATen.h>

#include <map>
#include <string>
#include <utility>

#include "leap/error.h"
#include "leap/version.h"

#if LEAP_WITH_CUDA
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <cuda_runtime_api.h>
#endif

namespace leap::models {

namespace {

// Key of a set of inputs: their shapes, types and devices (undefined inputs count too).
std::string signature(const std::vector<at::Tensor>& inputs) {
  std::string s;
  for (const auto& t : inputs) {
    if (!t.defined()) {
      s += "none;";
      continue;
    }
    s += c10::str(t.sizes(), c10::toString(t.scalar_type()), t.device(), ";");
  }
  return s;
}

}  // namespace

#if LEAP_WITH_CUDA

struct CudaGraphCall::Impl {
  struct Captured {
    std::unique_ptr<at::cuda::CUDAGraph> graph;
    std::vector<at::Tensor> inputs, outputs;
  };
  Fn fn;
  int warmup;
  std::map<std::string, Captured> graphs;

  Captured& capture(const std::vector<at::Tensor>& inputs) {
    at::Device device(at::kCUDA);
    for (const auto& t : inputs)
      if (t.defined()) {
        if (!t.is_cuda()) throw Error("CudaGraphCall: every input must be on a CUDA device");
        device = t.device();
      }
    c10::cuda::CUDAGuard device_guard(device);
    Captured c;
    for (const auto& t : inputs) c.inputs.push_back(t.defined() ? t.clone() : at::Tensor());
    const c10::cuda::CUDAStream side = c10::cuda::getStreamFromPool(false, device.index());
    if (cudaDeviceSynchronize() != cudaSuccess) throw Error("CudaGraphCall: cudaDeviceSynchronize failed");
    {
      c10::cuda::CUDAStreamGuard stream_guard(side);
      for (int i = 0; i < warmup; ++i) fn(c.inputs);
      side.synchronize();
      c.graph = std::make_unique<at::cuda::CUDAGraph>();
      c.graph->capture_begin();
      try {
        c.outputs = fn(c.inputs);
      } catch (...) {
        try {
          c.graph->capture_end();
        } catch (...) {
        }
        throw;
      }
      c.graph->capture_end();
      side.synchronize();
    }
    return graphs.emplace(signature(inputs), std::move(c)).first->second;
  }
};

CudaGraphCall::CudaGraphCall(Fn fn, int warmup) : impl_(std::make_unique<Impl>()) {
  impl_->fn = std::move(fn);
  impl_->warmup = warmup < 1 ? 1 : warmup;
}

std::vector<at::Tensor> CudaGraphCall::operator()(const std::vector<at::Tensor>& inputs) {
  auto it = impl_->graphs.find(signature(inputs));
  Impl::Captured& c = it != impl_->graphs.end() ? it->second : impl_->capture(inputs);
  for (size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i].defined()) c.inputs[i].copy_(inputs[i], /*non_blocking=*/true);
  c.graph->replay();
  std::vector<at::Tensor> out;
  out.reserve(c.outputs.size());
  for (const auto& t : c.outputs) out.push_back(t.defined() ? t.clone() : at::Tensor());
  return out;
}

int CudaGraphCall::captures() const { return int(impl_->graphs.size()); }

bool CudaGraphCall::available() { return true; }

#else  // no CUDA in this build

struct CudaGraphCall::Impl {
  Fn fn;
};

CudaGraphCall::CudaGraphCall(Fn fn, int) : impl_(std::make_unique<Impl>()) { impl_->fn = std::move(fn); }

std::vector<at::Tensor> CudaGraphCall::operator()(const std::vector<at::Tensor>& inputs) {
  (void)signature(inputs);
  throw Error("CUDA graphs need a build with CUDA (this LEAP was built without it)");
}

int CudaGraphCall::captures() const { return 0; }

bool CudaGraphCall::available() { return false; }

#endif

CudaGraphCall::~CudaGraphCall() = default;
CudaGraphCall::CudaGraphCall(CudaGraphCall&&) noexcept = default;
CudaGraphCall& CudaGraphCall::operator=(CudaGraphCall&&) noexcept = default;

}  // namespace leap::models
