// Process set-up shared by the `leap` command: MPI, PETSc, LibTorch threads, logging.
#pragma once

#include <mpi.h>

#include <exception>
#include <string>
#include <vector>

namespace leap::cli {

// Before anything else: puts OMP_WAIT_POLICY=PASSIVE in the environment (re-executing once, since the
// OpenMP runtime reads it when loaded) unless the user set it.
void ensure_openmp_environment(int argc, char** argv);

// Owns MPI and PETSc for the life of the command.
class Runtime {
 public:
  // `petsc_args`: PETSc's command line (what follows "--"), given to PetscInitialize so that
  // start-up options such as -log_view take effect.
  Runtime(int* argc, char*** argv, const std::vector<std::string>& petsc_args);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;
  int rank() const { return rank_; }
  int size() const { return size_; }

  // A command that failed with `e` on this rank: returns the exit status (2 bad input, 1 otherwise)
  // after rank 0 printed the message when the failure was agreed by every rank
  // (leap::AgreedFailure), or when every rank ends within a grace period (the others failed the
  // same way, or were done). When they do not (this rank alone failed while the others wait in a
  // collective call), prints "rank R: message" and ends the whole job with MPI_Abort, so that no
  // rank waits forever. Grace: LEAP_FAIL_GRACE_SECONDS, default 10.
  int fail(const std::exception& e);

 private:
  // Every rank announces that it has ended (MPI_Ibarrier on a communicator of its own, so it never
  // matches a collective of the command); true when all have within `seconds` (< 0: no limit).
  bool all_ranks_ended(double seconds);

  int rank_ = 0;
  int size_ = 1;
  bool mpi_owned_ = false;
  MPI_Comm end_comm_ = MPI_COMM_NULL;
  bool ended_ = false;
};

// LibTorch intra-op threads: LEAP_NUM_THREADS, else the cores this rank may use (cores / ranks on
// the node, at least 1).
void configure_torch_threads();

}  // namespace leap::cli
