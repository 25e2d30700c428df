// Test fixture for the Fortran runtime test: writes DIR/oracle.hdf5, one trajectory of 16 frames of
// a 12 x 10 grid with fields a (scalar) and v (vector), value 1 + 360 s + 120 c + 10 x + y at frame
// s, channel c (a, v_x, v_y), cell (x, y), and DIR/runtime.yaml, a runtime config whose oracle
// replays it, and DIR/policy.yaml, the same with every leap checked (test_fortran_policy).
// Usage: write_oracle_dataset DIR (under mpiexec -n 1 or alone).
#include <mpi.h>

#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "oracle_dataset.h"

namespace {

void write(const std::string& dir) {
  std::filesystem::create_directories(dir);
  const std::string path = (std::filesystem::absolute(dir) / "oracle.hdf5").string();
  leap::test::write_oracle_dataset(MPI_COMM_SELF, path, "runtime_fixture", 0, 0, leap::test::kOracleNx,
                                   leap::test::kOracleNy);
  const std::string config = (std::filesystem::path(dir) / "runtime.yaml").string();
  const std::string tmp = config + ".tmp";
  std::ofstream(tmp) << "emulator:\n  kind: oracle\n  dataset: " << path << "\n  context: 1\n";
  std::filesystem::rename(tmp, config);
  // The leap policy's check protocol (test_fortran_policy): every attempt checked.
  const std::string policy = (std::filesystem::path(dir) / "policy.yaml").string();
  std::ofstream(policy + ".tmp") << "emulator:\n  kind: oracle\n  dataset: " << path
                                 << "\n  context: 1\nleap:\n  leap_frames: 2\n  solver_frames: 1\n"
                                    "  check_every: 1\n  check_tolerance: 1.0e-6\n  max_leap_frames: 8\n";
  std::filesystem::rename(policy + ".tmp", policy);
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int status = 0;
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (argc != 2) {
    std::cerr << "usage: write_oracle_dataset DIR\n";
    status = 2;
  } else if (rank == 0) {
    try {
      write(argv[1]);
    } catch (const std::exception& e) {
      std::cerr << "write_oracle_dataset: " << e.what() << "\n";
      status = 1;
    }
  }
  MPI_Finalize();
  return status;
}
