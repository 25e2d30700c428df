#include "runtime.h"

#include <mpi.h>
#include <petscsys.h>
#include <ATen/Parallel.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>

#include "leap/data/well_writer.h"
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
  MPI_Comm_dup(MPI_COMM_WORLD, &end_comm_);
  // A file size limit (ulimit -f) must fail a write with EFBIG, which LEAP reports naming the file,
  // rather than kill the process with SIGXFSZ before it can say anything.
  std::signal(SIGXFSZ, SIG_IGN);
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
  if (!ended_) all_ranks_ended(-1);  // PETSc's and MPI's finalisation are collective
  MPI_Comm_free(&end_comm_);
  PetscFinalize();
  if (mpi_owned_) MPI_Finalize();
}

bool Runtime::all_ranks_ended(double seconds) {
  MPI_Request request;
  MPI_Ibarrier(end_comm_, &request);
  const double start = MPI_Wtime();
  for (int done = 0;;) {
    MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    if (done) return ended_ = true;
    if (seconds >= 0 && MPI_Wtime() - start > seconds) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

int Runtime::fail(const std::exception& e) {
  const int code = exit_code_for(e);
  double grace = 10;
  if (const char* env = std::getenv("LEAP_FAIL_GRACE_SECONDS"); env && *env) {
    char* end = nullptr;
    const double v = std::strtod(env, &end);
    if (*end == '\0' && v >= 0) grace = v;
  }
  // A file the failure left open (a write failed, e.g. on a full disk, and so did its close):
  // HDF5 would close it again at MPI_Finalize and crash (HDF5 1.10). The command ends here instead.
  auto end = [&] {
    if (data::open_hdf5_files() > 0) {
      std::cerr.flush();
      std::_Exit(code);
    }
    return code;
  };
  // A failure every rank learned together: rank 0 reports it once, and every rank ends.
  if (size_ == 1 || is_agreed(e)) {
    if (rank_ == 0) std::cerr << "leap: " << e.what() << std::endl;
    return end();
  }
  // This rank's own failure: ends the command normally if the others stop too (they failed the
  // same way, e.g. the same bad argument, or were done), else the job.
  if (all_ranks_ended(grace)) {
    if (rank_ == 0 || code != 2) std::cerr << "leap: " << e.what() << std::endl;
    return end();
  }
  std::cerr << "leap: rank " << rank_ << ": " << e.what() << "\nleap: rank " << rank_
            << ": the other ranks did not stop within " << grace << " s: aborting the job" << std::endl;
  MPI_Abort(MPI_COMM_WORLD, code);
  return code;
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
