// A PETSc program as a user writes one (errors go up through PetscCall and end main), coupled to
// LEAP by one of its routes, for the rank-failure tests (rank_failure.sh): a fault injected on one
// rank (LEAP_FAULT, leap/util/fault_injection.h) must end the whole job in bounded time with that
// rank's message, never leave the other ranks waiting.
//
//   fault_program oracle DIR    writes DIR/oracle.hdf5 (the program's own trajectory) and DIR/leap.yaml
//   fault_program ROUTE DIR     runs the program with ROUTE and that oracle as its emulator:
//     ts_leap   the TS type leap (-ts_type leap -leap_oracle ...)
//     attach    LeapTSAttach (post-step) with DIR/leap.yaml
//     runtime   the C API's runtime (leap.h) in the program's own time loop
//     record    the TSTrajectory recorder (-ts_trajectory_type leap -leap_out DIR/rec)
// The program (tests/hybrid/advection_program.h) is two coupled dofs advected on a periodic DMDA.
#include <petsc/private/tsimpl.h>
#include <petscdmda.h>
#include <petscts.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "../hybrid/advection_program.h"
#include "leap/leap.h"
#include "leap/petsc/leap_petsc.h"
#include "leap/petsc/trajectory_recorder.h"
#include "leap/petsc/ts_leap.h"

namespace fs = std::filesystem;

namespace {

constexpr PetscInt kNx = 16, kNy = 12, kSteps = 30;
constexpr PetscReal kDt = 0.01;

struct Program {
  leap::test::Advection physics;
  TS ts = nullptr;
  Vec u = nullptr;
  ~Program() {
    TSDestroy(&ts);
    VecDestroy(&u);
    DMDestroy(&physics.da);
  }
  PetscErrorCode Create(PetscInt max_steps) {
    TSAdapt adapt;
    PetscFunctionBeginUser;
    PetscCall(DMDACreate2d(PETSC_COMM_WORLD, DM_BOUNDARY_PERIODIC, DM_BOUNDARY_PERIODIC, DMDA_STENCIL_STAR,
                           kNx, kNy, PETSC_DECIDE, PETSC_DECIDE, 2, 1, nullptr, nullptr, &physics.da));
    PetscCall(DMSetUp(physics.da));
    PetscCall(DMDASetFieldName(physics.da, 0, "u"));
    PetscCall(DMDASetFieldName(physics.da, 1, "v"));
    PetscCall(DMCreateGlobalVector(physics.da, &u));
    PetscCall(leap::test::AdvectionInitialState(physics.da, 0, 3, u));
    PetscCall(TSCreate(PETSC_COMM_WORLD, &ts));
    PetscCall(TSSetDM(ts, physics.da));
    PetscCall(TSSetProblemType(ts, TS_NONLINEAR));
    PetscCall(TSSetRHSFunction(ts, nullptr, leap::test::AdvectionRHS, &physics));
    PetscCall(TSSetType(ts, TSRK));
    PetscCall(TSGetAdapt(ts, &adapt));
    PetscCall(TSAdaptSetType(adapt, TSADAPTNONE));
    PetscCall(TSSetTimeStep(ts, kDt));
    PetscCall(TSSetMaxSteps(ts, max_steps));
    PetscCall(TSSetMaxTime(ts, 1e6));
    PetscCall(TSSetExactFinalTime(ts, TS_EXACTFINALTIME_MATCHSTEP));
    PetscCall(TSSetSolution(ts, u));
    PetscFunctionReturn(0);
  }
};

PetscErrorCode WriteOracle(const fs::path& dir) {
  Program p;
  PetscFunctionBeginUser;
  {
    leap::test::TrajectoryFile out((dir / "oracle.hdf5").string(), kNx, kNy);
    PetscCall(p.Create(2 * kSteps));
    PetscCall(TSSetUp(p.ts));
    PetscCall(out.Write(p.physics.da, 0, 0, p.u));
    for (PetscInt s = 1; s <= 2 * kSteps; ++s) {
      PetscCall(TSStep(p.ts));
      PetscCall(out.Write(p.physics.da, s, p.ts->ptime, p.u));
    }
    out.Finish();
  }
  if (leap::test::Rank() == 0)
    std::ofstream(dir / "leap.yaml")
        << "emulator:\n  kind: oracle\n  dataset: " << (dir / "oracle.hdf5").string()
        << "\n  context: 1\nleap:\n  members: 2\n  leap_frames: 3\n  solver_frames: 2\n";
  PetscFunctionReturn(0);
}

// A failed C API call ends the program as PetscCall does: the message, then an error up to main.
#define LeapCall(call)                                                                             \
  do {                                                                                             \
    if ((call) != LEAP_OK) SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "LEAP: %s", leap_last_error()); \
  } while (0)

PetscErrorCode RunRuntime(const fs::path& dir) {
  Program p;
  leap_runtime rt = 0;
  PetscInt xs, ys, xm, ym;
  PetscFunctionBeginUser;
  PetscCall(p.Create(PETSC_MAX_INT));
  PetscCall(TSSetUp(p.ts));
  PetscCall(DMDAGetCorners(p.physics.da, &xs, &ys, nullptr, &xm, &ym, nullptr));
  std::vector<float> block(size_t(2 * xm * ym));
  auto read = [&]() -> PetscErrorCode {
    const PetscScalar* a;
    PetscFunctionBeginUser;
    PetscCall(VecGetArrayRead(p.u, &a));
    for (size_t i = 0; i < block.size(); ++i) block[i] = float(PetscRealPart(a[i]));
    PetscCall(VecRestoreArrayRead(p.u, &a));
    PetscFunctionReturn(0);
  };
  LeapCall(leap_runtime_create(PETSC_COMM_WORLD, (dir / "leap.yaml").c_str(), &rt));
  LeapCall(leap_runtime_add_field(rt, "u", 1));
  LeapCall(leap_runtime_add_field(rt, "v", 1));
  LeapCall(leap_runtime_set_box(rt, int(kNx), int(kNy), int(xs), int(ys), int(xm), int(ym)));
  LeapCall(leap_runtime_set_layout(rt, LEAP_LAYOUT_YXC));
  LeapCall(leap_runtime_setup(rt));
  PetscCall(read());
  LeapCall(leap_runtime_observe(rt, block.data(), 0));
  for (PetscInt frame = 0; frame < kSteps;) {
    int due = 0, frames = 0;
    LeapCall(leap_runtime_due(rt, int(kSteps - frame), &due, nullptr));
    if (due) {
      LeapCall(leap_runtime_attempt(rt, nullptr, 0, block.data(), &frames, nullptr));
      if (frames > 0) {
        PetscScalar* a;
        frame += frames;
        PetscCall(VecGetArray(p.u, &a));
        for (size_t i = 0; i < block.size(); ++i) a[i] = block[i];
        PetscCall(VecRestoreArray(p.u, &a));
        PetscCall(TSSetTime(p.ts, PetscReal(frame) * kDt));
        PetscCall(TSRestartStep(p.ts));
        LeapCall(leap_runtime_observe(rt, block.data(), double(frame) * kDt));
        continue;
      }
    }
    PetscCall(TSStep(p.ts));
    ++frame;
    PetscCall(read());
    LeapCall(leap_runtime_observe(rt, block.data(), double(frame) * kDt));
  }
  LeapCall(leap_runtime_destroy(rt));
  PetscFunctionReturn(0);
}

PetscErrorCode Run(const std::string& route, const fs::path& dir) {
  PetscFunctionBeginUser;
  if (route == "oracle") PetscCall(WriteOracle(dir));
  if (route == "runtime") PetscCall(RunRuntime(dir));
  if (route == "ts_leap" || route == "attach" || route == "record") {
    Program p;
    PetscCall(p.Create(kSteps));
    if (route == "ts_leap") {
      PetscCall(PetscOptionsSetValue(nullptr, "-ts_type", "leap"));
      PetscCall(PetscOptionsSetValue(nullptr, "-leap_inner_ts_type", "rk"));
      PetscCall(PetscOptionsSetValue(nullptr, "-leap_oracle", (dir / "oracle.hdf5").c_str()));
      PetscCall(PetscOptionsSetValue(nullptr, "-leap_leap_frames", "3"));
      PetscCall(PetscOptionsSetValue(nullptr, "-leap_solver_frames", "2"));
      PetscCall(PetscOptionsSetValue(nullptr, "-leap_members", "2"));
    }
    if (route == "record") {
      PetscCall(PetscOptionsSetValue(nullptr, "-ts_save_trajectory", nullptr));
      PetscCall(PetscOptionsSetValue(nullptr, "-ts_trajectory_type", "leap"));
      PetscCall(PetscOptionsSetValue(nullptr, "-leap_out", (dir / "rec").c_str()));
    }
    PetscCall(TSSetFromOptions(p.ts));
    if (route == "attach") PetscCall(LeapTSAttach(p.ts, p.physics.da, (dir / "leap.yaml").c_str()));
    PetscCall(TSSolve(p.ts, p.u));
    if (route == "attach") PetscCall(LeapTSDetach(p.ts));
  }
  PetscFunctionReturn(0);
}

}  // namespace

int main(int argc, char** argv) {
  PetscCall(PetscInitialize(&argc, &argv, nullptr, nullptr));
  PetscCheck(argc == 3, PETSC_COMM_WORLD, PETSC_ERR_ARG_WRONG, "usage: fault_program ROUTE DIR");
  PetscCall(leap::petsc::LeapTSRegister());
  PetscCall(leap::petsc::LeapTSTrajectoryRegister());
  PetscCall(Run(argv[1], argv[2]));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "fault_program %s: done\n", argv[1]));
  PetscCall(PetscFinalize());
  return 0;
}
