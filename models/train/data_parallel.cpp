#include "leap/train/data_parallel.h"

#include <c10/core/GradMode.h>
#include <ATen/ATen.h>
#include <torch/autograd.h>

namespace leap::train {

void broadcast_parameters(const std::vector<at::Tensor>& tensors, MPI_Comm comm) {
  int size = 1;
  MPI_Comm_size(comm, &size);
  if (size == 1) return;
  c10::NoGradGuard guard;
  for (const auto& t : tensors) {
    at::Tensor host = t.detach().to(at::kCPU, at::kFloat).contiguous();
    MPI_Bcast(host.data_ptr<float>(), int(host.numel()), MPI_FLOAT, 0, comm);
    t.detach().copy_(host.to(t.device(), t.scalar_type()));
  }
}

void allreduce_gradients(const std::vector<at::Tensor>& params, MPI_Comm comm, int64_t bucket_bytes) {
  int size = 1;
  MPI_Comm_size(comm, &size);
  if (size == 1) return;
  c10::NoGradGuard guard;
  std::vector<at::Tensor> bucket;
  int64_t bytes = 0;
  auto flush = [&] {
    if (bucket.empty()) return;
    std::vector<at::Tensor> flat;
    for (const auto& p : bucket) {
      at::Tensor g = p.grad().defined() ? p.grad() : at::zeros_like(p);
      flat.push_back(g.detach().reshape({-1}).to(at::kCPU, at::kFloat));
    }
    at::Tensor buf = at::cat(flat).contiguous();
    MPI_Allreduce(MPI_IN_PLACE, buf.data_ptr<float>(), int(buf.numel()), MPI_FLOAT, MPI_SUM, comm);
    buf.div_(double(size));
    int64_t offset = 0;
    for (auto& p : bucket) {
      const int64_t n = p.numel();
      at::Tensor g = buf.narrow(0, offset, n).view(p.sizes()).to(p.device(), p.scalar_type());
      if (p.grad().defined()) {
        p.mutable_grad().copy_(g);
      } else {
        p.mutable_grad() = g.clone();
      }
      offset += n;
    }
    bucket.clear();
    bytes = 0;
  };
  for (const auto& p : params) {
    bucket.push_back(p);
    bytes += p.numel() * 4;
    if (bytes >= bucket_bytes) flush();
  }
  flush();
}

}  // namespace leap::train
