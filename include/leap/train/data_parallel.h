// Data-parallel training over MPI: identical initial weights (broadcast from rank 0) and gradients
// averaged every step with bucketed MPI_Allreduce (tensors on a GPU are staged through the host).
#pragma once

#include <ATen/core/Tensor.h>
#include <mpi.h>

#include <vector>

namespace leap::train {

void broadcast_parameters(const std::vector<at::Tensor>& tensors, MPI_Comm comm);
// Averages the .grad() of `params` over `comm` (missing gradients count as zeros).
void allreduce_gradients(const std::vector<at::Tensor>& params, MPI_Comm comm, int64_t bucket_bytes = 16 << 20);

}  // namespace leap::train
