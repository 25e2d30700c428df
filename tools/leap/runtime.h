// Process set-up shared by the `leap` command: MPI, PETSc, LibTorch threads, logging.
#pragma once

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

 private:
  int rank_ = 0;
  int size_ = 1;
  bool mpi_owned_ = false;
};

// LibTorch intra-op threads: LEAP_NUM_THREADS, else the cores this rank may use (cores / ranks on
// the node, at least 1).
void configure_torch_threads();

}  // namespace leap::cli
