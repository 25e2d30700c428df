// `leap --version`: versions of LEAP and of every part of its stack, and whether CUDA is in.
#include <H5public.h>
#include <mpi.h>
#include <petscversion.h>
#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <sstream>

#include "commands.h"
#include "leap/version.h"

namespace leap::cli {

std::string version_report() {
  std::ostringstream s;
  s << "LEAP " << LEAP_VERSION << "\n";
  s << "  LibTorch " << TORCH_VERSION << "\n";
  s << "  PETSc    " << PETSC_VERSION_MAJOR << "." << PETSC_VERSION_MINOR << "." << PETSC_VERSION_SUBMINOR << "\n";
  char lib[MPI_MAX_LIBRARY_VERSION_STRING];
  int len = 0;
  MPI_Get_library_version(lib, &len);
  std::string mpi(lib, len);
  mpi = mpi.substr(0, mpi.find_first_of(",\n"));
  int major = 0, minor = 0;
  MPI_Get_version(&major, &minor);
  s << "  MPI      " << mpi << " (MPI " << major << "." << minor << ")\n";
  unsigned hmaj = 0, hmin = 0, hrel = 0;
  H5get_libversion(&hmaj, &hmin, &hrel);
  s << "  HDF5     " << hmaj << "." << hmin << "." << hrel << " (parallel)\n";
  s << "  Threads  " << at::get_num_threads()
    << " LibTorch thread(s) per rank (LEAP_NUM_THREADS; default: the node's cores / its ranks)\n";
  const bool device = LEAP_WITH_CUDA && torch::cuda::is_available();
  s << "  CUDA     " << (LEAP_WITH_CUDA ? "yes" : "no") << " (built " << (LEAP_WITH_CUDA ? "with" : "without")
    << " CUDA; " << (device ? std::to_string(torch::cuda::device_count()) + " device(s) visible" : "no device visible")
    << ")";
  return s.str();
}

}  // namespace leap::cli
