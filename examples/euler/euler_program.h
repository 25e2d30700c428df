// The program around an Euler solver (leap-euler2d, leap-euler3d): reads -leap_config (the solver's
// YAML config) and -leap_t_end, creates the solver, prints its description and the conserved totals
// at the start and the end, advances to t_end, and reports the throughput in cell updates per second
// (of wall time, per rank, and per CPU second of rank 0: the rate of one core, even on a busy
// machine). Exit status: 0 success, 2 bad input (one line naming the file and key), 1 other failure.
#pragma once

#include <petscsys.h>

#include <ctime>
#include <exception>
#include <functional>
#include <iostream>
#include <memory>
#include <string>

#include "leap/config/load.h"
#include "leap/error.h"

namespace leap::euler {

// The program's own options (listed by -help): -leap_config FILE, -leap_t_end T.
inline PetscErrorCode ReadEulerProgramOptions(const char* name, char* path, size_t len, PetscBool* has_config,
                                              PetscReal* t_end, PetscBool* has_t_end) {
  PetscFunctionBeginUser;
  PetscOptionsBegin(PETSC_COMM_WORLD, nullptr, "Euler program options", name);
  PetscCall(PetscOptionsString("-leap_config", "YAML config of the case (EulerConfig)", name, path, path, len,
                               has_config));
  PetscCall(PetscOptionsReal("-leap_t_end", "end time (overrides t_end of the config)", name, *t_end, t_end,
                             has_t_end));
  PetscOptionsEnd();
  PetscFunctionReturn(0);
}

// `describe` gives the line printed after "NAME: " once the solver exists (grid, domain, options).
template <class Solver, class Config>
int RunEulerProgram(int argc, char** argv, const char* name, const char* help,
                    const std::function<std::string(const Solver&, const Config&)>& describe) {
  if (PetscInitialize(&argc, &argv, nullptr, help)) return 1;
  int rank = 0, size = 1;
  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  MPI_Comm_size(PETSC_COMM_WORLD, &size);
  const auto check = [](PetscErrorCode ierr, const char* what) {
    if (ierr) throw Error(std::string(what) + " failed (PETSc error " + std::to_string(int(ierr)) + ")");
  };
  int status = 0;
  try {
    char path[PETSC_MAX_PATH_LEN] = "";
    PetscBool has_config = PETSC_FALSE, has_t_end = PETSC_FALSE;
    PetscReal t_end = 0;
    check(ReadEulerProgramOptions(name, path, sizeof(path), &has_config, &t_end, &has_t_end),
          "reading the options");
    Config cfg = has_config ? config::load_config<Config>(path) : Config{};
    if (has_t_end) {
      if (!(t_end >= 0))
        throw InputError("option -leap_t_end: expected a value >= 0, found " + std::to_string(t_end));
      cfg.t_end = t_end;
    }
    std::unique_ptr<Solver> solver;
    check(Solver::Create(PETSC_COMM_WORLD, cfg, &solver), "creating the solver");
    PetscPrintf(PETSC_COMM_WORLD, "%s: %s, %d rank(s)\n", name, describe(*solver, cfg).c_str(), size);
    const auto print_state = [&](const char* label) {
      typename Solver::Totals totals;
      PetscReal rho_min, p_min;
      check(solver->ConservedTotals(&totals), "the conserved totals");
      check(solver->MinDensityPressure(&rho_min, &p_min), "the minimum density and pressure");
      std::string momentum;
      for (size_t k = 1; k + 1 < totals.size(); ++k) {
        char v[32];
        std::snprintf(v, sizeof v, "%.15e", double(totals[k]));
        momentum += (momentum.empty() ? "" : ", ") + std::string(v);
      }
      PetscPrintf(PETSC_COMM_WORLD,
                  "%-6s t = %.6f  steps = %" PetscInt_FMT
                  "  mass = %.15e  momentum = (%s)  energy = %.15e  "
                  "min density = %.6e  min pressure = %.6e\n",
                  label, double(solver->time()), solver->steps(), double(totals.front()), momentum.c_str(),
                  double(totals.back()), double(rho_min), double(p_min));
    };
    print_state("start");
    PetscLogDouble t0, t1;
    PetscTime(&t0);
    const std::clock_t cpu0 = std::clock();  // this process's CPU time
    check(solver->Advance(cfg.t_end), "advancing the solver");
    const double cpu = double(std::clock() - cpu0) / CLOCKS_PER_SEC;
    PetscTime(&t1);
    print_state("end");
    double updates = double(solver->steps());  // cells x steps
    for (const auto& a : solver->axes()) updates *= double(a.size);
    PetscPrintf(PETSC_COMM_WORLD,
                "wall %.3f s, cpu %.3f s (rank 0): %.4g cell updates per second, %.4g per rank, %.4g per CPU "
                "second of a rank\n",
                double(t1 - t0), cpu, updates / double(t1 - t0), updates / double(t1 - t0) / size,
                updates / size / cpu);
  } catch (const std::exception& e) {
    if (rank == 0) std::cerr << name << ": " << e.what() << "\n";
    status = exit_code_for(e);
  }
  if (PetscFinalize()) return 1;
  return status;
}

}  // namespace leap::euler
