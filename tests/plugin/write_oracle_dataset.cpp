// Test fixture for the Fortran runtime test: writes DIR/oracle.hdf5, one trajectory of 16 frames of
// a 12 x 10 grid with fields a (scalar) and v (vector), value 1 + 360 s + 120 c + 10 x + y at frame
// s, channel c (a, v_x, v_y), cell (x, y), and DIR/runtime.yaml, a runtime config whose oracle
// replays it. Usage: write_oracle_dataset DIR (under mpiexec -n 1 or alone).
#include <mpi.h>

#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "leap/data/well_writer.h"

namespace {

constexpr int kNx = 12, kNy = 10, kSteps = 16;

float value(int s, int c, int x, int y) {
  return float(1 + 360 * s + 120 * c + 10 * x + y);
}

void write(const std::string& dir) {
  std::filesystem::create_directories(dir);
  const std::string path = (std::filesystem::absolute(dir) / "oracle.hdf5").string();
  leap::data::WellLayout L;
  L.dataset_name = "runtime_fixture";
  L.axes = {{"x", kNx, {}, "periodic"}, {"y", kNy, {}, "periodic"}};
  for (int i = 0; i < kNx; ++i) L.axes[0].coords.push_back(i + 0.5);
  for (int j = 0; j < kNy; ++j) L.axes[1].coords.push_back(j + 0.5);
  leap::data::WellField a, v;
  a.name = "a";
  a.order = 0;
  v.name = "v";
  v.order = 1;
  a.dim_varying = v.dim_varying = {true, true};
  L.fields = {a, v};
  L.n_trajectories = 1;
  L.n_steps = kSteps;
  for (int s = 0; s < kSteps; ++s) L.times.push_back(0.25 * s);
  const leap::data::Block block{{0, 0}, {kNx, kNy}};
  leap::data::WellWriter w(MPI_COMM_SELF, path, L);
  for (int s = 0; s < kSteps; ++s) {
    std::vector<float> fa, fv;
    for (int x = 0; x < kNx; ++x)
      for (int y = 0; y < kNy; ++y) {
        fa.push_back(value(s, 0, x, y));
        fv.push_back(value(s, 1, x, y));
        fv.push_back(value(s, 2, x, y));
      }
    w.write_frame(0, s, "a", fa.data(), block);
    w.write_frame(0, s, "v", fv.data(), block);
  }
  w.mark_complete(1);
  w.finish();
  const std::string config = (std::filesystem::path(dir) / "runtime.yaml").string();
  const std::string tmp = config + ".tmp";
  std::ofstream(tmp) << "emulator:\n  kind: oracle\n  dataset: " << path << "\n  context: 1\n";
  std::filesystem::rename(tmp, config);
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
