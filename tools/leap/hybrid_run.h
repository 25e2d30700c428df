// What `leap hybrid` and `leap study` share: the solver of a HybridConfig, the latent diffusion
// emulator loaded on rank 0 and checked against that solver, the -leap_* attach options, and one run
// of the case (solver-only or hybrid) from the held-out initial condition to the horizon.
#pragma once

#include <ATen/core/Tensor.h>
#include <mpi.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "leap/data/well_file.h"

#include "hybrid_config.h"
#include "leap/petsc/fluid_solver.h"
#include "leap/petsc/ts_attach.h"
#include "leap/plugin/emulator.h"

namespace leap::cli {

// Throws Error ("PETSc error N while WHAT") when ierr is non-zero.
void petsc_ok(PetscErrorCode ierr, const std::string& what);

// Every rank throws InputError with the lowest failing rank's problem (non-empty there), or none does.
// Collective.
void agree_on_problem(const std::string& problem);

// The solver of the config (its case section, the initial condition of `cfg.seed`). Collective.
std::unique_ptr<petsc::FluidSolver> make_hybrid_solver(const HybridConfig& cfg, const std::string& file,
                                                       const std::vector<std::string>& sets = {});

// The config overrides (--set) of the solver's copy `factor` times coarser per axis, for solver guidance
// (leap.guidance): nx/k, ny/k(, nz/k). InputError naming `file`'s leap.coarse_factor when k does not
// divide every axis or the case has no coarse copy (Rayleigh-Benard: its y points include both walls).
std::vector<std::string> coarse_solver_sets(const HybridConfig& cfg, int64_t factor, const std::string& file);

// The whole state [C, X, Y] or [C, X, Y, Z] (The Well's channels) on rank 0; undefined elsewhere.
// Collective.
at::Tensor gather_state(const petsc::FluidSolver& s);

// The latent diffusion emulator of two checkpoints for the solver of `cfg`, checked before anything
// runs: checkpoint files exist (every rank), and on rank 0 the emulator loads with the config's
// leap section and works on the solver's channels and parameters (theta). `rank0_checks` runs on
// rank 0 afterwards (e.g. that --out is writable). Any problem: InputError on every rank.
// Returns the emulator on rank 0, null elsewhere. Collective.
struct CheckedEmulator {
  std::shared_ptr<plugin::LatentDiffusionEmulator> emulator;  // rank 0 only
  std::vector<std::string> channels;                          // the solver's (every rank)
  uint64_t seed = 0;                                          // the emulator's seed on this rank
};
CheckedEmulator load_checked_emulator(const HybridConfig& cfg, const std::string& config_file,
                                      const std::string& ae, const std::string& emulator_ckpt,
                                      const std::function<void()>& rank0_checks = {});

// Hybrid-mode attach options from the config's leap section, overridden by PETSc's -leap_* options
// (the mode stays hybrid); the solver-only reference is the same with mode "off" and no emulator.
petsc::LeapAttachOptions hybrid_attach_options(const HybridConfig& cfg,
                                               const std::shared_ptr<plugin::Emulator>& emulator);
petsc::LeapAttachOptions solver_only_options(const petsc::LeapAttachOptions& hybrid);

struct RunResult {
  double wall = 0;          // seconds of the run (warm-up and set-up excluded)
  at::Tensor final_state;   // [C, X, Y(, Z)] on rank 0
  double final_time = 0;    // the solver's time at the end
  data::WellLayout layout;  // the solver's dataset name, axes, fields and parameters (no trajectories)
  plugin::HybridStats stats;
  std::vector<double> spreads, relative_spreads;
  std::vector<std::string> rejections;
  std::vector<petsc::LeapCheck> checks;
  int64_t leaps_suppressed = 0, check_frames = 0, leap_frames_final = 0, recorded_trajectories = 0;
  petsc::LeapAttachOptions options;
  nlohmann::json policy;  // the leap policy's summary: settings, counts by verdict, every record
};

// One run of the case over cfg.frames frames after the warm-up; in hybrid mode with solver guidance
// (attach.guidance) and no attach.coarse, the coarse copy of the solver is made here. `at_end`, when given,
// is called on every rank with the solver at the final time (collective), e.g. for a quantity of interest.
RunResult run_case(const HybridConfig& cfg, const std::string& config_file,
                   const petsc::LeapAttachOptions& attach,
                   const std::function<void(petsc::FluidSolver&)>& at_end = {});

}  // namespace leap::cli
