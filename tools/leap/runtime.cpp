#include "runtime.h"

#include <mpi.h>
#include <petscsys.h>
#include <ATen/Parallel.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <thread>

#include "leap/error.h"

namespace leap::cli {

void ensure_openmp_environment(int argc, char** argv) {
  (void)argc;
  if (std::getenv("OMP_WAIT_POLICY") || std::getenv("LEAP_NO_REEXEC")) return;
  setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
  setenv("LEAP_NO_REEXEC", "1", 1);
  execv("/proc/self/exe", argv);  // on failure, go on with the environment as it is
}

Runtime::Runtime(int* argc, char*** argv, const std::vector<std::string>& petsc_args) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    int provided = 0;
    MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
    mpi_owned_ = true;
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  // PETSc reads its options from PETSC_OPTIONS and from the command line after "--"; the rest of
  // the command line belongs to CLI11.
  std::vector<std::string> storage{(*argc > 0 ? (*argv)[0] : "leap")};
  storage.insert(storage.end(), petsc_args.begin(), petsc_args.end());
  std::vector<char*> pargv;
  for (auto& a : storage) pargv.push_back(a.data());
  pargv.push_back(nullptr);
  int pargc = int(storage.size());
  char** pargv_ptr = pargv.data();
  PetscInitialize(&pargc, &pargv_ptr, nullptr, nullptr);
}

Runtime::~Runtime() {
  PetscFinalize();
  if (mpi_owned_) MPI_Finalize();
}

void configure_torch_threads() {
  int threads = 0;
  if (const char* env = std::getenv("LEAP_NUM_THREADS"); env && *env) {
    char* end = nullptr;
    const long v = std::strtol(env, &end, 10);
    if (*end != '\0' || v < 1 || v > 4096)
      throw InputError("environment", "LEAP_NUM_THREADS", "an integer from 1 to 4096", env);
    threads = int(v);
  }
  if (threads <= 0) {
    int local = 1;
    MPI_Comm node;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
    MPI_Comm_size(node, &local);
    MPI_Comm_free(&node);
    const int cores = int(std::thread::hardware_concurrency());
    threads = cores / (local > 0 ? local : 1);
    if (threads < 1) threads = 1;
  }
  at::set_num_threads(threads);
}

}  // namespace leap::cli
