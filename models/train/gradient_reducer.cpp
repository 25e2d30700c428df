#include "leap/train/gradient_reducer.h"

#include <ATen/ATen.h>
#include <ATen/core/ivalue.h>
#include <c10/util/Exception.h>
#include <torch/csrc/distributed/c10d/Backend.hpp>
#include <torch/csrc/distributed/c10d/HashStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#include <torch/csrc/distributed/c10d/Work.hpp>
#include <torch/csrc/distributed/c10d/comm.hpp>
#include <torch/csrc/distributed/c10d/reducer.hpp>

#include <algorithm>
#include <string>
#include <utility>

#include "leap/error.h"

namespace leap::train {

namespace {

// A collective that has completed when it is returned (its future already holds the tensors).
class CompletedWork final : public c10d::Work {
 public:
  CompletedWork(std::vector<at::Tensor> tensors, c10d::OpType op)
      : c10d::Work(-1, op), tensors_(std::move(tensors)) {
    future_ = c10::make_intrusive<c10::ivalue::Future>(c10::ListType::create(c10::TensorType::get()));
    future_->markCompleted(c10::IValue(tensors_));
    finish();
  }
  bool isCompleted() override { return true; }
  bool isSuccess() const override { return true; }
  bool wait(std::chrono::milliseconds) override { return true; }
  c10::intrusive_ptr<c10::ivalue::Future> getFuture() override { return future_; }
  std::vector<at::Tensor> result() override { return tensors_; }

 private:
  std::vector<at::Tensor> tensors_;
  c10::intrusive_ptr<c10::ivalue::Future> future_;
};

MPI_Datatype mpi_type(const at::Tensor& t) {
  switch (t.scalar_type()) {
    case at::kFloat:
      return MPI_FLOAT;
    case at::kDouble:
      return MPI_DOUBLE;
    case at::kLong:
      return MPI_INT64_T;
    case at::kInt:
      return MPI_INT;
    default:
      throw Error("c10d MPI backend: tensors of type " + std::string(c10::toString(t.scalar_type())) +
                  " are not supported (float, double, int32, int64)");
  }
}

MPI_Op mpi_op(const c10d::ReduceOp& op) {
  switch (op.op_) {
    case c10d::ReduceOp::SUM:
      return MPI_SUM;
    case c10d::ReduceOp::MIN:
      return MPI_MIN;
    case c10d::ReduceOp::MAX:
      return MPI_MAX;
    case c10d::ReduceOp::PRODUCT:
      return MPI_PROD;
    default:
      throw Error("c10d MPI backend: this reduction is not supported (sum, min, max, product)");
  }
}

// LEAP's c10d backend over an MPI communicator (CPU tensors, contiguous or made so).
class MpiBackend final : public c10d::Backend {
 public:
  MpiBackend(MPI_Comm comm, int rank, int size) : c10d::Backend(rank, size), comm_(comm) {}
  const std::string getBackendName() const override { return "leap_mpi"; }

  c10::intrusive_ptr<c10d::Work> allreduce(std::vector<at::Tensor>& tensors,
                                           const c10d::AllreduceOptions& opts) override {
    for (auto& t : tensors) {
      check(t);
      ++calls;
      if (t.is_contiguous()) {
        MPI_Allreduce(MPI_IN_PLACE, t.data_ptr(), int(t.numel()), mpi_type(t), mpi_op(opts.reduceOp), comm_);
      } else {
        at::Tensor c = t.contiguous();
        MPI_Allreduce(MPI_IN_PLACE, c.data_ptr(), int(c.numel()), mpi_type(c), mpi_op(opts.reduceOp), comm_);
        t.copy_(c);
      }
    }
    return c10::make_intrusive<CompletedWork>(tensors, c10d::OpType::ALLREDUCE);
  }

  c10::intrusive_ptr<c10d::Work> broadcast(std::vector<at::Tensor>& tensors,
                                           const c10d::BroadcastOptions& opts) override {
    for (auto& t : tensors) {
      check(t);
      at::Tensor c = t.contiguous();
      MPI_Bcast(c.data_ptr(), int(c.numel()), mpi_type(c), int(opts.rootRank), comm_);
      if (!c.is_same(t)) t.copy_(c);
    }
    return c10::make_intrusive<CompletedWork>(tensors, c10d::OpType::BROADCAST);
  }

  c10::intrusive_ptr<c10d::Work> barrier(const c10d::BarrierOptions&) override {
    MPI_Barrier(comm_);
    return c10::make_intrusive<CompletedWork>(std::vector<at::Tensor>{}, c10d::OpType::BARRIER);
  }

  int64_t calls = 0;

 private:
  static void check(const at::Tensor& t) {
    if (!t.device().is_cpu())
      throw Error("c10d MPI backend: tensors on " + t.device().str() + " (this backend reduces CPU tensors)");
  }
  MPI_Comm comm_;
};

// Drops the reducer's one-time advice to turn find_unused_parameters off when a pass used every
// parameter (it is on by design here: see gradient_reducer.h); other warnings go to the handler in place.
class QuietUnusedSearch final : public c10::WarningHandler {
 public:
  QuietUnusedSearch() : next_(c10::WarningUtils::get_warning_handler()) {}
  void process(const c10::Warning& w) override {
    if (w.msg().find("find_unused_parameters=True was specified") != std::string::npos) return;
    if (next_ != nullptr) next_->process(w);
  }

 private:
  c10::WarningHandler* next_;
};

}  // namespace

struct GradientReducer::Impl {
  c10::intrusive_ptr<MpiBackend> backend;
  c10::intrusive_ptr<c10d::ProcessGroup> group;
  std::unique_ptr<c10d::Reducer> reducer;
  int64_t buckets = 0;
};

GradientReducer::GradientReducer(std::vector<at::Tensor> params, MPI_Comm comm, int64_t bucket_bytes)
    : impl_(std::make_unique<Impl>()) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  if (params.empty()) throw Error("GradientReducer: no parameters");
  Impl& m = *impl_;
  const size_t n = params.size();
  m.backend = c10::make_intrusive<MpiBackend>(comm, rank, size);
  m.group = c10::make_intrusive<c10d::ProcessGroup>(c10::make_intrusive<c10d::HashStore>(), rank, size);
  m.group->setBackend(c10::DeviceType::CPU, c10d::ProcessGroup::BackendType::CUSTOM, m.backend);
  m.group->setDefaultBackend(c10d::ProcessGroup::BackendType::CUSTOM);
  // Buckets in reverse order of the parameters, as DDP makes them: the reducer launches bucket k only
  // after buckets 0..k-1, and the backward pass produces the last layers' gradients first.
  const auto assignment =
      c10d::compute_bucket_assignment_by_size(params, {size_t(bucket_bytes)}, std::vector<bool>(n, false));
  std::vector<std::vector<size_t>> buckets = std::get<0>(assignment);
  std::reverse(buckets.begin(), buckets.end());
  m.buckets = int64_t(buckets.size());
  m.reducer = std::make_unique<c10d::Reducer>(
      std::move(params), std::move(buckets), m.group, std::vector<bool>(n, false), bucket_bytes,
      /*find_unused_parameters=*/true, /*gradient_as_bucket_view=*/false,
      std::unordered_map<size_t, std::string>{}, bucket_bytes,
      /*skip_all_reduce_unused_params=*/false, /*use_python_reducer=*/false, std::vector<int64_t>{});
}

GradientReducer::~GradientReducer() = default;

void GradientReducer::prepare_for_backward(const at::Tensor& output) {
  QuietUnusedSearch quiet;
  c10::WarningUtils::WarningHandlerGuard guard(&quiet);
  impl_->reducer->prepare_for_backward({output});
}

int64_t GradientReducer::allreduce_calls() const {
  return impl_->backend->calls;
}
int64_t GradientReducer::buckets() const {
  return impl_->buckets;
}

}  // namespace leap::train
