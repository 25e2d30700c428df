// Private: an MPI communicator owned by one object (freed on destruction, movable, not copyable).
#pragma once

#include <mpi.h>

#include <utility>

namespace leap::plugin {

class OwnedComm {
 public:
  OwnedComm() = default;
  explicit OwnedComm(MPI_Comm comm) : comm_(comm) {}
  ~OwnedComm() { reset(); }
  OwnedComm(const OwnedComm&) = delete;
  OwnedComm& operator=(const OwnedComm&) = delete;
  OwnedComm(OwnedComm&& o) noexcept : comm_(std::exchange(o.comm_, MPI_COMM_NULL)) {}
  OwnedComm& operator=(OwnedComm&& o) noexcept {
    if (this != &o) {
      reset();
      comm_ = std::exchange(o.comm_, MPI_COMM_NULL);
    }
    return *this;
  }

  MPI_Comm get() const { return comm_; }
  bool null() const { return comm_ == MPI_COMM_NULL; }
  // Frees the communicator (collective over it; a no-op once MPI is finalized).
  void reset() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (comm_ != MPI_COMM_NULL && !finalized) MPI_Comm_free(&comm_);
    comm_ = MPI_COMM_NULL;
  }

 private:
  MPI_Comm comm_ = MPI_COMM_NULL;
};

}  // namespace leap::plugin
