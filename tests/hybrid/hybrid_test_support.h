// Helpers of the hybrid-run tests: a reference Euler trajectory written to a Well file by the
// solver itself (frame by frame, as a hybrid run lands on frames), and comparisons of distributed
// states. Euler's conserved totals and admissibility are the solver's own (EulerSolver), not copies.
#pragma once

#include <gtest/gtest.h>
#include <petscvec.h>

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "euler2d/euler_solver.h"
#include "leap/data/well_writer.h"
#include "leap/petsc/ts_attach.h"

namespace leap::hybrid::test {

constexpr double kFrameInterval = 0.01;

inline euler2d::EulerConfig PeriodicQuadrants32(int64_t seed = 7) {
  euler2d::EulerConfig cfg;
  cfg.nx = 32;
  cfg.ny = 32;
  cfg.boundary = "periodic";
  cfg.initial_condition = "quadrants";
  cfg.seed = seed;
  return cfg;
}

// A file name of this run (collective: rank 0's process id, so that two test suites running at the
// same time on one machine do not write each other's files).
inline std::string TempPath(const std::string& stem) {
  int size = 1;
  MPI_Comm_size(PETSC_COMM_WORLD, &size);
  long pid = long(getpid());
  MPI_Bcast(&pid, 1, MPI_LONG, 0, PETSC_COMM_WORLD);
  return (std::filesystem::temp_directory_path() /
          (stem + "_np" + std::to_string(size) + "_" + std::to_string(pid) + ".hdf5"))
      .string();
}

// Runs `solver` from its initial condition over `frames` frames (Advance to every frame time) and
// writes frames 0..frames to `path`. Collective. The solver ends at the last frame: it is the
// solver-only run a hybrid run is compared with.
inline void WriteReferenceTrajectory(petsc::FluidSolver& solver, int64_t frames, const std::string& path) {
  data::WellLayout L;
  L.dataset_name = solver.dataset_name();
  L.axes = solver.axes();
  L.fields = solver.well_fields();
  L.parameters = solver.parameters();
  L.n_trajectories = 1;
  L.n_steps = frames + 1;
  for (int64_t k = 0; k <= frames; ++k) L.times.push_back(double(k) * kFrameInterval);
  data::Block block;
  ASSERT_EQ(solver.GetBlock(&block), 0);
  data::WellWriter writer(PETSC_COMM_WORLD, path, L);
  for (int64_t k = 0; k <= frames; ++k) {
    if (k > 0) {
      ASSERT_EQ(solver.Advance(PetscReal(k) * kFrameInterval), 0);
    }
    for (const auto& f : L.fields) {
      std::vector<float> buf;
      ASSERT_EQ(solver.ExtractWellField(f.name, &buf), 0);
      writer.write_frame(0, k, f.name, buf.data(), block);
    }
  }
  writer.mark_complete(1);
  writer.finish();
}

// ||a - b|| / ||b|| over the whole distributed vectors (2-norm). Collective.
inline double RelativeDifference(Vec a, Vec b) {
  Vec d;
  PetscReal nd = 0, nb = 0;
  VecDuplicate(a, &d);
  VecWAXPY(d, -1.0, b, a);
  VecNorm(d, NORM_2, &nd);
  VecNorm(b, NORM_2, &nb);
  VecDestroy(&d);
  return double(nd / nb);
}

}  // namespace leap::hybrid::test
