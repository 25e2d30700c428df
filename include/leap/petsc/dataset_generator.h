// Runs an ensemble of solver trajectories and writes them as datasets in The Well's schema, all
// ranks writing their own blocks collectively. Interrupted and started again, it goes on at the
// first unfinished trajectory; unfinished files keep a temporary name.
#pragma once

#include <mpi.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "leap/petsc/fluid_solver.h"

namespace leap::petsc {

// One output file: `trajectories` runs of one parameter combination.
struct GenerationItem {
  std::string file;          // path of the .hdf5 file
  std::string label;         // e.g. "train gamma=1.4 boundary=open", for the log
  int64_t trajectories = 1;
  int64_t seed_base = 0;     // trajectory k is seeded with seed_base + k
  std::vector<std::string> overrides;  // "key=value" settings of this item's solver (a sweep point)
};

struct GenerationSettings {
  int64_t frames = 20;          // frames per trajectory
  double frame_interval = 0.01;  // simulated time between frames
  double warmup = 0.0;          // simulated time before the first frame
  bool progress = true;         // progress bar on rank 0
};

// Builds the solver of one trajectory (throws leap::InputError / leap::Error on failure).
using SolverFactory = std::function<std::unique_ptr<FluidSolver>(const GenerationItem&, int64_t seed)>;

struct GenerationReport {
  int64_t files = 0;
  int64_t trajectories_total = 0;
  int64_t trajectories_run = 0;      // this invocation (the rest were already done)
  int64_t frames_written = 0;
  double solver_seconds = 0;
  double write_seconds = 0;
  double cell_updates = 0;           // cells x time steps, summed over trajectories run
};

GenerationReport GenerateDataset(MPI_Comm comm, const std::vector<GenerationItem>& items,
                                 const GenerationSettings& settings, const SolverFactory& factory);

}  // namespace leap::petsc
