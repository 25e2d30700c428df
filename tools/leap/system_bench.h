// How the costs of a hybrid run grow with the grid, on the job's ranks (collective over
// MPI_COMM_WORLD; `leap bench --parts exchange,solver,hybrid --sizes 128,256,512` under mpiexec).
// For every grid side S (an S x S Euler case as in examples/euler2d/hybrid-small.yaml: periodic,
// a multi-quadrant Riemann problem of seed 1000, frames every 0.015; with case euler3d an S x S x S
// periodic octant problem of seed 1000 as in examples/euler3d/hybrid-small.yaml, 6 channels):
//   exchange  plugin::StateExchange over MPI_COMM_WORLD with the solver's own DMDA blocks and its
//             channels (5), block layout xyc as the hybrid controller uses: gather (blocks -> the
//             [C, X, Y] field on rank 0) and scatter (back), each the median over `iters` calls
//             after `warmup` (a call's time is the slowest rank's, from a barrier), ms and the
//             effective rate C * X * Y * 4 bytes / time.
//   solver    the solver advanced `warmup` untimed frames, then `iters` timed frames: wall per frame,
//             time steps per frame (one step = one SSP-RK3 step, three flux evaluations) and cell
//             updates/s = cells * steps / wall, in total and per rank.
//   hybrid    the same horizon (`frames`) solver-only and hybrid, both run for real: the
//             solver-only run (timed frame by frame) is recorded, then `leap hybrid`'s production
//             driver (petsc::LeapAttachment::Run: the leap policy's schedule with leaps of
//             `leap_frames` frames after `solver_frames` solver frames, the gathers, the injection,
//             conservation and scatter, the solver frames) runs the same case with the trajectory
//             oracle (plugin::TrajectoryOracle on the recording) as its emulator, timed as a whole.
//             The model's cost is measured apart, because random weights would wreck the state:
//             time_emulator_leap (model_bench.h), `leap hybrid`'s LatentDiffusionEmulator::leap with
//             random-weight models of `scale` on rank 0 on `device` (encode -> EmulationEngine::rollout
//             -> decode; 3-D models for euler3d, time_emulator_leap's 3-D scales).
//             hybrid wall = driver wall - oracle seconds + accepted leaps * (model leap);
//             speed-up = solver-only / hybrid. The run's policy summary (its decisions) is reported.
// Results on rank 0 (other ranks get an empty object): {"system": config, "results": [...]} with
// one object per (part, size).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace leap::cli {

struct SystemBenchOptions {
  std::vector<std::string> parts{"exchange", "solver", "hybrid"};
  std::vector<int> sizes{128, 256, 512};
  std::string case_name = "euler2d";
  std::string scale = "small";  // the leap's models (model_bench.h)
  std::string device = "cpu";   // where the leap runs
  int64_t frames = 20;          // hybrid horizon (hybrid-small.yaml)
  int64_t leap_frames = 6;
  int64_t solver_frames = 4;
  int64_t context = 2;
  int64_t members = 1;
  double frame_interval = 0.015;
  int warmup = 2;
  int iters = 5;
  bool progress = true;
};

// Why a size does not suit the parts for the case (see leap_resolution_problem), or "".
std::string system_bench_size_problem(int size, const std::string& case_name);

// Collective over MPI_COMM_WORLD. Throws InputError (on every rank) for bad options.
nlohmann::json run_system_bench(const SystemBenchOptions& options);

// A plain-text table of the results: one row per (part, size).
std::string system_bench_table(const nlohmann::json& results);

}  // namespace leap::cli
