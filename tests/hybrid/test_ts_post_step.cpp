// LeapTSAttach (leap/petsc/leap_petsc.h): LEAP added to a small PETSc program by one line, on 1, 2
// and 4 ranks. The program integrates a coupled 2-D advection-diffusion of two dofs (u, v) on a
// periodic 32 x 24 DMDA with a fixed step and the FSAL Runge-Kutta TSRK3BS (whose first stage reuses
// the previous step's last one unless the step restarts), and has its own post-step and monitor.
// Its solver-only trajectories, written to Well files by the program's own monitor, serve as
// oracle emulators: a hybrid run must end on the solver-only state to float32 round-off, at the
// same time and step, with the program's post-step called on every solver step; poor emulators
// must be refused without changing the solver's result; record mode must write the frames; misuse
// must be a PETSc error with a "LEAP:" message that leaves the TS as it was.
#include <gtest/gtest.h>
#include <petsc/private/tsimpl.h>
#include <petscdmda.h>
#include <petscdmshell.h>
#include <petscts.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "advection_program.h"
#include "leap/data/well_file.h"
#include "leap/data/well_writer.h"
#include "leap/petsc/dmda_layout.h"
#include "leap/petsc/leap_petsc.h"

namespace fs = std::filesystem;

namespace {

using leap::test::Rank;
using leap::test::ScopedOptions;
using leap::test::Size;
using leap::test::TrajectoryFile;

constexpr PetscInt kNx = 32, kNy = 24;
constexpr PetscReal kDt = 0.008;
constexpr PetscInt kOracleSteps = 40;  // frames 0..40 in every oracle file
constexpr PetscInt kLeap = 4, kSolver = 3;
constexpr PetscReal kNever = 1e6;  // a max time that does not end the run

fs::path Dir() {
  return leap::test::RankCountDir("leap_ts_post_step");
}

// ---------------------------------------------------------------- the program

// The program's application context.
struct Program {
  leap::test::Advection physics;  // the equations (the RHS's context)
  DM& da = physics.da;
  PetscInt halve_dt_after = -1;     // its post-step halves the step after this step number
  std::vector<PetscInt> poststeps;  // ts->steps at each call of its post-step
  std::vector<PetscInt> monitored;  // steps its monitor saw
  std::vector<PetscReal> monitored_times;
  std::vector<TrajectoryFile*> files;  // written by its monitor
};

PetscErrorCode ProgramPostStep(TS ts) {
  Program* p = nullptr;
  PetscInt step;
  PetscReal dt;
  PetscFunctionBeginUser;
  PetscCall(TSGetApplicationContext(ts, &p));
  PetscCall(TSGetStepNumber(ts, &step));
  p->poststeps.push_back(step);
  if (step == p->halve_dt_after) {
    PetscCall(TSGetTimeStep(ts, &dt));
    PetscCall(TSSetTimeStep(ts, dt / 2));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode ProgramMonitor(TS, PetscInt step, PetscReal t, Vec u, void* ctx) {
  Program* p = static_cast<Program*>(ctx);
  PetscFunctionBeginUser;
  if (step < 0) PetscFunctionReturn(0);
  p->monitored.push_back(step);
  p->monitored_times.push_back(t);
  for (TrajectoryFile* f : p->files) PetscCall(f->Write(p->da, step, t, u));
  PetscFunctionReturn(0);
}

enum class Attach { none, before_poststep, after_poststep, attach_then_detach };

struct RunSpec {
  PetscReal phase = 0;
  PetscInt max_steps = 21;
  PetscReal max_time = kNever;
  PetscInt halve_dt_after = -1;
  Attach attach = Attach::none;
  const char* config = nullptr;  // LeapTSAttach's argument
  std::vector<std::pair<std::string, std::string>> options;
  std::vector<TrajectoryFile*> files;
};

struct RunResult {
  PetscErrorCode attach_error = 0;
  std::vector<PetscScalar> state;  // this rank's part of the final solution
  PetscReal time = 0;
  PetscInt step = 0;
  std::vector<PetscInt> poststeps, monitored;
  std::vector<PetscReal> monitored_times;
  LeapTSStats stats{};
  bool poststep_is_programs = false;  // ts->poststep after the run
};

// The program: create, (attach,) solve, destroy. Collective.
PetscErrorCode RunProgram(const RunSpec& spec, RunResult* r) {
  Program p;
  TS ts;
  Vec U;
  TSAdapt adapt;
  PetscFunctionBeginUser;
  ScopedOptions options(spec.options);
  PetscCall(DMDACreate2d(PETSC_COMM_WORLD, DM_BOUNDARY_PERIODIC, DM_BOUNDARY_PERIODIC, DMDA_STENCIL_STAR, kNx,
                         kNy, PETSC_DECIDE, PETSC_DECIDE, 2, 1, nullptr, nullptr, &p.da));
  PetscCall(DMSetUp(p.da));
  PetscCall(DMDASetFieldName(p.da, 0, "u"));
  PetscCall(DMDASetFieldName(p.da, 1, "v"));
  p.halve_dt_after = spec.halve_dt_after;
  p.files = spec.files;
  PetscCall(DMCreateGlobalVector(p.da, &U));
  PetscCall(leap::test::AdvectionInitialState(p.da, spec.phase, 0, U));
  PetscCall(TSCreate(PETSC_COMM_WORLD, &ts));
  PetscCall(TSSetDM(ts, p.da));
  PetscCall(TSSetApplicationContext(ts, &p));
  PetscCall(TSSetProblemType(ts, TS_NONLINEAR));
  PetscCall(TSSetRHSFunction(ts, nullptr, leap::test::AdvectionRHS, &p.physics));
  PetscCall(TSSetType(ts, TSRK));
  PetscCall(TSRKSetType(ts, TSRK3BS));  // FSAL: a changed state must restart the step
  PetscCall(TSGetAdapt(ts, &adapt));
  PetscCall(TSAdaptSetType(adapt, TSADAPTNONE));
  PetscCall(TSSetTime(ts, 0.0));
  PetscCall(TSSetTimeStep(ts, kDt));
  PetscCall(TSSetMaxSteps(ts, spec.max_steps));
  PetscCall(TSSetMaxTime(ts, spec.max_time));
  PetscCall(TSSetExactFinalTime(ts, TS_EXACTFINALTIME_STEPOVER));
  PetscCall(TSMonitorSet(ts, ProgramMonitor, &p, nullptr));
  if (spec.attach != Attach::after_poststep) PetscCall(TSSetPostStep(ts, ProgramPostStep));
  if (spec.attach != Attach::none) {
    // The one line a user adds.
    r->attach_error = LeapTSAttach(ts, p.da, spec.config);
    if (r->attach_error) {
      PetscCall(TSDestroy(&ts));
      PetscCall(VecDestroy(&U));
      PetscCall(DMDestroy(&p.da));
      PetscFunctionReturn(0);
    }
  }
  if (spec.attach == Attach::after_poststep) PetscCall(TSSetPostStep(ts, ProgramPostStep));
  if (spec.attach == Attach::attach_then_detach) PetscCall(LeapTSDetach(ts));
  PetscCall(TSSolve(ts, U));
  PetscCall(TSGetTime(ts, &r->time));
  PetscCall(TSGetStepNumber(ts, &r->step));
  r->poststep_is_programs = ts->poststep == ProgramPostStep;
  if (spec.attach != Attach::none) PetscCall(LeapTSGetStats(ts, &r->stats));
  {
    const PetscScalar* a;
    PetscInt n;
    PetscCall(VecGetLocalSize(U, &n));
    PetscCall(VecGetArrayRead(U, &a));
    r->state.assign(a, a + n);
    PetscCall(VecRestoreArrayRead(U, &a));
  }
  r->poststeps = p.poststeps;
  r->monitored = p.monitored;
  r->monitored_times = p.monitored_times;
  PetscCall(TSDestroy(&ts));  // finishes LEAP (recording, summary) through the composed container
  PetscCall(VecDestroy(&U));
  PetscCall(DMDestroy(&p.da));
  PetscFunctionReturn(0);
}

// ||a - b|| / ||b|| over all ranks.
double RelativeDifference(const std::vector<PetscScalar>& a, const std::vector<PetscScalar>& b) {
  double s[2] = {0, 0};
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    const double d = double(PetscRealPart(a[i] - b[i]));
    s[0] += d * d;
    s[1] += double(PetscRealPart(b[i] * b[i]));
  }
  if (a.size() != b.size()) s[0] = std::numeric_limits<double>::infinity();
  MPI_Allreduce(MPI_IN_PLACE, s, 2, MPI_DOUBLE, MPI_SUM, PETSC_COMM_WORLD);
  return std::sqrt(s[0] / s[1]);
}

void WriteText(const fs::path& path, const std::string& text) {
  if (Rank() == 0) {
    std::ofstream f(path, std::ios::trunc);
    f << text;
  }
  MPI_Barrier(PETSC_COMM_WORLD);
}

std::string OracleConfig(const fs::path& dataset, int context) {
  std::ostringstream s;
  s << "emulator:\n  kind: oracle\n  dataset: " << dataset.string() << "\n  context: " << context << "\n";
  return s.str();
}

// The steps TSSolve's monitors see in a run with leaps from the given steps (each by kLeap): the
// state a leap starts from was replaced in the post-step, before the next monitor call, so the
// monitors see 0 .. s-1, then s + kLeap (the emulated state), and so on.
// The steps a monitor sees in a run of `last` steps with leaps from the steps `leaps_from`, of
// kLeap steps each or of the `lengths` given.
std::vector<PetscInt> StepsWithLeaps(PetscInt last, const std::vector<PetscInt>& leaps_from,
                                     const std::vector<PetscInt>& lengths = {}) {
  std::vector<PetscInt> steps;
  for (PetscInt s = 0; s <= last; ++s) {
    const auto it = std::find(leaps_from.begin(), leaps_from.end(), s);
    if (it != leaps_from.end()) s += lengths.empty() ? kLeap : lengths[size_t(it - leaps_from.begin())];
    steps.push_back(s);
  }
  return steps;
}

// ---------------------------------------------------------------- the fixture

class TSPostStep : public ::testing::Test {
 protected:
  // Oracle files, written once by the program's own monitor in solver-only runs:
  //   a.hdf5     the trajectory of the test runs (phase 0, fixed step)
  //   a_inf.hdf5 the same with +inf in u at every step = 1 (mod 3)
  //   b.hdf5     another trajectory (phase 0.25)
  //   c.hdf5     phase 0 with the step halved after step 10
  //   d.hdf5     a nearby trajectory (phase 2e-6): within the oracle's tolerance of a's states, but
  //              not equal to them (a leap far from the solver in check mode)
  static void SetUpTestSuite() {
    if (Rank() == 0) {
      fs::remove_all(Dir());
      fs::create_directories(Dir());
    }
    MPI_Barrier(PETSC_COMM_WORLD);
    RunResult r;
    {
      TrajectoryFile a((Dir() / "a.hdf5").string(), kNx, kNy, false),
          a_inf((Dir() / "a_inf.hdf5").string(), kNx, kNy, true);
      RunSpec spec;
      spec.max_steps = kOracleSteps;
      spec.files.push_back(&a);
      spec.files.push_back(&a_inf);
      ASSERT_EQ(RunProgram(spec, &r), 0);
      a.Finish();
      a_inf.Finish();
    }
    {
      TrajectoryFile b((Dir() / "b.hdf5").string(), kNx, kNy, false);
      RunSpec spec;
      spec.phase = 0.25;
      spec.max_steps = kOracleSteps;
      spec.files.push_back(&b);
      ASSERT_EQ(RunProgram(spec, &r), 0);
      b.Finish();
    }
    {
      TrajectoryFile c((Dir() / "c.hdf5").string(), kNx, kNy, false);
      RunSpec spec;
      spec.max_steps = kOracleSteps;
      spec.halve_dt_after = 10;
      spec.files.push_back(&c);
      ASSERT_EQ(RunProgram(spec, &r), 0);
      c.Finish();
    }
    {
      TrajectoryFile d((Dir() / "d.hdf5").string(), kNx, kNy, false);
      RunSpec spec;
      spec.phase = 2e-6;
      spec.max_steps = kOracleSteps;
      spec.files.push_back(&d);
      ASSERT_EQ(RunProgram(spec, &r), 0);
      d.Finish();
    }
    WriteText(Dir() / "oracle_a.yaml", OracleConfig(Dir() / "a.hdf5", 2));
    WriteText(Dir() / "oracle_d.yaml", OracleConfig(Dir() / "d.hdf5", 2));
    WriteText(Dir() / "oracle_a_inf.yaml", OracleConfig(Dir() / "a_inf.hdf5", 2));
    WriteText(Dir() / "oracle_b.yaml", OracleConfig(Dir() / "b.hdf5", 2));
    WriteText(Dir() / "oracle_c.yaml", OracleConfig(Dir() / "c.hdf5", 2));
  }

  static void TearDownTestSuite() {
    MPI_Barrier(PETSC_COMM_WORLD);
    if (Rank() == 0) fs::remove_all(Dir());
  }

  static std::string Config(const char* name) { return (Dir() / name).string(); }

  static RunSpec Hybrid(const std::string& config, PetscInt max_steps) {
    RunSpec spec;
    spec.max_steps = max_steps;
    spec.attach = Attach::before_poststep;
    spec.options = {{"-leap_config", config},
                    {"-leap_mode", "hybrid"},
                    {"-leap_leap_frames", std::to_string(kLeap)},
                    {"-leap_solver_frames", std::to_string(kSolver)}};
    return spec;
  }
};

// ---------------------------------------------------------------- hybrid runs

TEST_F(TSPostStep, HybridRunEndsOnTheSolverOnlyState) {
  RunSpec ref_spec;
  ref_spec.max_steps = 21;
  RunResult ref;
  ASSERT_EQ(RunProgram(ref_spec, &ref), 0);
  ASSERT_EQ(ref.step, 21);
  ASSERT_EQ(ref.poststeps.size(), 21u);

  const fs::path summary = Dir() / "summary.json";
  PetscLogEvent gather = -1, emulate = -1, scatter = -1;
  PetscEventPerfInfo before[3] = {}, after[3] = {};
  ASSERT_EQ(PetscLogDefaultBegin(), 0);

  RunSpec spec = Hybrid(Config("oracle_a.yaml"), 21);
  const std::string config = Config("oracle_a.yaml");
  spec.options.erase(spec.options.begin());  // the config comes as LeapTSAttach's argument
  spec.config = config.c_str();
  spec.options.push_back({"-leap_summary", summary.string()});
  // Events exist once LEAP registered them (an attachment in SetUpTestSuite did not): look them up
  // after a first attach, through a run; compare the counts of a second run.
  RunResult hyb;
  ASSERT_EQ(RunProgram(spec, &hyb), 0);
  ASSERT_EQ(hyb.attach_error, 0);
  ASSERT_EQ(PetscLogEventGetId("LeapGather", &gather), 0);
  ASSERT_EQ(PetscLogEventGetId("LeapEmulate", &emulate), 0);
  ASSERT_EQ(PetscLogEventGetId("LeapScatter", &scatter), 0);
  const PetscLogEvent events[3] = {gather, emulate, scatter};
  for (int e = 0; e < 3; ++e) ASSERT_EQ(PetscLogEventGetPerfInfo(PETSC_DETERMINE, events[e], &before[e]), 0);
  RunResult again;
  ASSERT_EQ(RunProgram(spec, &again), 0);
  for (int e = 0; e < 3; ++e) ASSERT_EQ(PetscLogEventGetPerfInfo(PETSC_DETERMINE, events[e], &after[e]), 0);

  // Leaps from step 3 to 7 and from 10 to 14; none from 17 (it would reach max_steps = 21, leaving
  // TSSolve no step to end on).
  EXPECT_EQ(hyb.stats.mode, 2);
  EXPECT_EQ(hyb.stats.leaps, 2);
  EXPECT_EQ(hyb.stats.leaps_accepted, 2);
  EXPECT_EQ(hyb.stats.leaps_rejected, 0);
  EXPECT_EQ(hyb.stats.steps_emulated, 2 * kLeap);
  EXPECT_EQ(hyb.stats.steps_solver, 21 - 2 * kLeap);
  EXPECT_EQ(hyb.stats.context_restarts, 0);
  EXPECT_NEAR(hyb.stats.frame_dt, kDt, 1e-12);
  // The same step and time as the solver-only run, and its state to float32 round-off (the
  // emulated states are float32); not bit for bit: the leaps did replace the state.
  EXPECT_EQ(hyb.step, ref.step);
  EXPECT_NEAR(hyb.time, ref.time, 1e-12);
  const double diff = RelativeDifference(hyb.state, ref.state);
  EXPECT_LT(diff, 2e-6);
  EXPECT_GT(diff, 0.0);
  // The program's post-step ran once after every solver step (never for an emulated one), seeing
  // the step the solver had just taken; its monitor saw every state once, the emulated ones included.
  const std::vector<PetscInt> monitored = StepsWithLeaps(21, {3, 10});
  EXPECT_EQ(hyb.monitored, monitored);
  std::vector<PetscInt> solver_steps;
  for (PetscInt s = 1; s <= 21; ++s)
    if (!((s > 3 && s <= 7) || (s > 10 && s <= 14))) solver_steps.push_back(s);
  EXPECT_EQ(hyb.poststeps, solver_steps);
  EXPECT_EQ(PetscInt(hyb.poststeps.size()), hyb.stats.steps_solver);
  // LEAP observed every state the monitors saw and, in its post-step, the states leaps started from.
  EXPECT_EQ(hyb.stats.observations, PetscInt(monitored.size()) + hyb.stats.leaps_accepted);
  EXPECT_EQ(hyb.stats.observations, 16);
  for (size_t k = 0; k < hyb.monitored.size(); ++k)
    EXPECT_NEAR(hyb.monitored_times[k], PetscReal(hyb.monitored[k]) * kDt, 1e-12) << "state " << k;
  EXPECT_FALSE(hyb.poststep_is_programs)
      << "while attached, the post-step slot is LEAP's (chaining the program's)";
  // A second identical run gives the identical result; -log_view's events counted its work.
  EXPECT_EQ(RelativeDifference(again.state, hyb.state), 0.0);
  EXPECT_EQ(after[0].count - before[0].count, hyb.stats.observations);  // LeapGather: observations
  EXPECT_EQ(after[1].count - before[1].count, 2);                       // LeapEmulate: leaps
  EXPECT_EQ(after[2].count - before[2].count, 2);                       // LeapScatter: accepted
  // -leap_summary.
  std::ifstream f(summary);
  std::stringstream text;
  text << f.rdbuf();
  EXPECT_NE(text.str().find("\"leaps_accepted\": 2"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("\"steps_solver\": 13"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("\"step\": 21"), std::string::npos) << text.str();
}

TEST_F(TSPostStep, LeapsStopShortOfMaxTime) {
  // max_time 20.5 dt: the solver-only run ends with step 21 at t = 21 dt. A leap from step 17 would
  // land on 21 dt, past max_time, which TSSolve would not notice; LEAP must not take it.
  RunSpec ref_spec;
  ref_spec.max_steps = 1000;
  ref_spec.max_time = 20.5 * kDt;
  RunResult ref, hyb;
  ASSERT_EQ(RunProgram(ref_spec, &ref), 0);
  ASSERT_EQ(ref.step, 21);
  RunSpec spec = Hybrid(Config("oracle_a.yaml"), 1000);
  spec.max_time = 20.5 * kDt;
  ASSERT_EQ(RunProgram(spec, &hyb), 0);
  ASSERT_EQ(hyb.attach_error, 0);
  EXPECT_EQ(hyb.stats.leaps_accepted, 2);
  EXPECT_EQ(hyb.step, ref.step);
  EXPECT_NEAR(hyb.time, ref.time, 1e-12);
  EXPECT_LT(RelativeDifference(hyb.state, ref.state), 2e-6);
  EXPECT_EQ(hyb.monitored, StepsWithLeaps(21, {3, 10}));
}

TEST_F(TSPostStep, ProgramPostStepSetAfterAttachIsChained) {
  RunSpec ref_spec;
  RunResult ref, hyb;
  ASSERT_EQ(RunProgram(ref_spec, &ref), 0);
  RunSpec spec = Hybrid(Config("oracle_a.yaml"), 21);
  spec.attach = Attach::after_poststep;  // TSSetPostStep after LeapTSAttach
  ASSERT_EQ(RunProgram(spec, &hyb), 0);
  ASSERT_EQ(hyb.attach_error, 0);
  EXPECT_EQ(hyb.stats.leaps_accepted, 2);
  EXPECT_EQ(PetscInt(hyb.poststeps.size()), 21 - 2 * kLeap);
  EXPECT_EQ(hyb.poststeps.size(), size_t(hyb.stats.steps_solver));
  EXPECT_EQ(hyb.step, ref.step);
  EXPECT_LT(RelativeDifference(hyb.state, ref.state), 2e-6);
}

TEST_F(TSPostStep, StepSizeChangeRestartsTheContext) {
  // The program halves the step after step 10 (in its post-step, before LEAP's). At step 10 LEAP
  // must not leap (the next step is not a frame of the old size), at 11 the context restarts with
  // frames of dt/2, at 12 it is full again (context 2): leaps 3 -> 7, 12 -> 16, 19 -> 23.
  RunSpec ref_spec;
  ref_spec.max_steps = 30;
  ref_spec.halve_dt_after = 10;
  RunResult ref, hyb;
  ASSERT_EQ(RunProgram(ref_spec, &ref), 0);
  RunSpec spec = Hybrid(Config("oracle_c.yaml"), 30);  // -leap_config, LeapTSAttach(ts, da, NULL)
  spec.halve_dt_after = 10;
  ASSERT_EQ(RunProgram(spec, &hyb), 0);
  ASSERT_EQ(hyb.attach_error, 0);
  EXPECT_EQ(hyb.stats.leaps_accepted, 3);
  EXPECT_EQ(hyb.stats.context_restarts, 1);
  EXPECT_NEAR(hyb.stats.frame_dt, kDt / 2, 1e-12);
  EXPECT_EQ(hyb.monitored, StepsWithLeaps(30, {3, 12, 19}));
  EXPECT_EQ(hyb.step, ref.step);
  EXPECT_NEAR(hyb.time, ref.time, 1e-12);
  EXPECT_NEAR(hyb.time, 20 * kDt, 1e-12);
  EXPECT_LT(RelativeDifference(hyb.state, ref.state), 2e-6);
}

// ---------------------------------------------------------------- check mode

TEST_F(TSPostStep, CheckModeStepsTheTSItselfAndAdaptsTheLeap) {
  RunSpec ref_spec;
  ref_spec.max_steps = kOracleSteps;
  RunResult ref;
  ASSERT_EQ(RunProgram(ref_spec, &ref), 0);
  // Every leap checked, tolerance far above float32 round-off: every check passes and the leap
  // length doubles up to 4 x leap_frames: 3 -> 7 (4), 10 -> 18 (8), 21 -> 37 (16).
  {
    const fs::path summary = Dir() / "check_pass.json";
    RunSpec spec = Hybrid(Config("oracle_a.yaml"), kOracleSteps);
    spec.options.push_back({"-leap_check_every", "1"});
    spec.options.push_back({"-leap_check_tolerance", "1e-2"});
    spec.options.push_back({"-leap_summary", summary.string()});
    RunResult hyb;
    ASSERT_EQ(RunProgram(spec, &hyb), 0);
    ASSERT_EQ(hyb.attach_error, 0);
    EXPECT_EQ(hyb.stats.leaps, 3);
    EXPECT_EQ(hyb.stats.leaps_accepted, 3);
    EXPECT_EQ(hyb.stats.steps_emulated, 4 + 8 + 16);
    EXPECT_EQ(hyb.stats.steps_checked, 4 + 8 + 16);
    EXPECT_EQ(hyb.stats.steps_solver, kOracleSteps - 28);
    EXPECT_EQ(hyb.monitored, StepsWithLeaps(kOracleSteps, {3, 10, 21}, {4, 8, 16}));
    EXPECT_EQ(PetscInt(hyb.poststeps.size()), hyb.stats.steps_solver)
        << "the checks' steps are not post-steps";
    EXPECT_EQ(hyb.step, ref.step);
    EXPECT_NEAR(hyb.time, ref.time, 1e-12);
    EXPECT_LT(RelativeDifference(hyb.state, ref.state), 2e-6);
    std::ifstream f(summary);
    std::stringstream text;
    text << f.rdbuf();
    EXPECT_NE(text.str().find("\"policy\": {"), std::string::npos) << text.str();
    EXPECT_NE(text.str().find("\"leap_frames_final\":16"), std::string::npos) << text.str();
  }
  // The nearby trajectory's oracle with a tolerance below its distance: every check fails, the TS's
  // own steps stand (the solver-only state, bit for bit), and the leap shortens to 1.
  {
    RunSpec spec = Hybrid(Config("oracle_d.yaml"), kOracleSteps);
    spec.options.push_back({"-leap_check_every", "1"});
    spec.options.push_back({"-leap_check_tolerance", "1e-9"});
    RunResult hyb;
    ASSERT_EQ(RunProgram(spec, &hyb), 0);
    ASSERT_EQ(hyb.attach_error, 0);
    EXPECT_EQ(hyb.stats.leaps_accepted, 0);
    EXPECT_EQ(hyb.stats.leaps_rejected, hyb.stats.leaps);
    EXPECT_EQ(hyb.stats.steps_emulated, 0);
    EXPECT_EQ(hyb.stats.steps_solver, kOracleSteps);
    EXPECT_EQ(hyb.stats.steps_checked + PetscInt(hyb.poststeps.size()), kOracleSteps);
    EXPECT_EQ(hyb.step, ref.step);
    EXPECT_NEAR(hyb.time, ref.time, 1e-12);  // t + L dt, not a sum of L steps: to round-off
    EXPECT_EQ(RelativeDifference(hyb.state, ref.state), 0.0) << "failed checks keep the TS's own result";
  }
  // Check mode with bad settings is refused with the option's name.
  {
    RunSpec spec = Hybrid(Config("oracle_a.yaml"), kOracleSteps);
    spec.options.push_back({"-leap_check_every", "1"});
    spec.options.push_back({"-leap_min_leap_frames", "9"});
    RunResult hyb;
    PetscPushErrorHandler(PetscReturnErrorHandler, nullptr);  // every rank returns the error
    const PetscErrorCode ierr = RunProgram(spec, &hyb);
    PetscPopErrorHandler();
    ASSERT_EQ(ierr, 0);
    EXPECT_NE(hyb.attach_error, 0);
  }
  // So is solver guidance on a grid DMCoarsen cannot coarsen by the factor (16 does not divide the 24
  // points along y), at attach time, before the TS is touched. (Solver guidance itself, the coarse
  // solver against the same made by hand: test_ts_post_step_coarse.cpp.)
  {
    RunSpec spec = Hybrid(Config("oracle_a.yaml"), kOracleSteps);
    spec.options.push_back({"-leap_guidance", "coarse"});
    spec.options.push_back({"-leap_coarse_factor", "16"});
    RunResult hyb;
    PetscPushErrorHandler(PetscReturnErrorHandler, nullptr);
    const PetscErrorCode ierr = RunProgram(spec, &hyb);
    PetscPopErrorHandler();
    ASSERT_EQ(ierr, 0);
    EXPECT_NE(hyb.attach_error, 0);
  }
}

// ---------------------------------------------------------------- poor emulators

TEST_F(TSPostStep, NonFiniteLeapsAreRefused) {
  // Attempts at steps 3, 6, ..., 18 (each refusal waits solver_frames again; 21 + 4 >= 24) target
  // steps 7, 10, ..., 22, all holding +inf in the oracle file: every leap is refused.
  RunSpec ref_spec;
  ref_spec.max_steps = 24;
  RunResult ref, hyb;
  ASSERT_EQ(RunProgram(ref_spec, &ref), 0);
  ASSERT_EQ(RunProgram(Hybrid(Config("oracle_a_inf.yaml"), 24), &hyb), 0);
  ASSERT_EQ(hyb.attach_error, 0);
  EXPECT_EQ(hyb.stats.leaps, 6);
  EXPECT_EQ(hyb.stats.leaps_accepted, 0);
  EXPECT_EQ(hyb.stats.leaps_rejected, 6);
  EXPECT_EQ(hyb.stats.emulator_failures, 0);
  EXPECT_EQ(hyb.stats.steps_solver, 24);
  EXPECT_EQ(hyb.poststeps.size(), 24u);
  EXPECT_EQ(hyb.step, 24);
  EXPECT_EQ(hyb.time, ref.time);
  EXPECT_EQ(RelativeDifference(hyb.state, ref.state), 0.0) << "a refused leap changes nothing";
}

TEST_F(TSPostStep, EmulatorOffItsTrajectoryIsRefused) {
  // The oracle of another trajectory finds no stored frame near the state: the emulator fails
  // (collectively), and LEAP refuses the leap and goes on solving.
  RunSpec ref_spec;
  ref_spec.max_steps = 24;
  RunResult ref, hyb;
  ASSERT_EQ(RunProgram(ref_spec, &ref), 0);
  ASSERT_EQ(RunProgram(Hybrid(Config("oracle_b.yaml"), 24), &hyb), 0);
  ASSERT_EQ(hyb.attach_error, 0);
  EXPECT_EQ(hyb.stats.leaps, 6);
  EXPECT_EQ(hyb.stats.leaps_rejected, 6);
  EXPECT_EQ(hyb.stats.emulator_failures, 6);
  EXPECT_EQ(hyb.stats.leaps_accepted, 0);
  EXPECT_EQ(hyb.step, 24);
  EXPECT_EQ(RelativeDifference(hyb.state, ref.state), 0.0);
}

// ---------------------------------------------------------------- record, off, detach

TEST_F(TSPostStep, RecordModeWritesEveryState) {
  const fs::path dir = Dir() / "recording";
  WriteText(Dir() / "record.yaml", "emulator:\n  kind: none\nrecord:\n  dir: " + dir.string() +
                                       "\n  name: rec\n  frames_per_trajectory: 8\n");
  RunSpec ref_spec;
  ref_spec.max_steps = 24;
  RunResult ref, rec;
  ASSERT_EQ(RunProgram(ref_spec, &ref), 0);
  RunSpec spec;
  spec.max_steps = 24;
  spec.attach = Attach::before_poststep;
  const std::string config = Config("record.yaml");
  spec.config = config.c_str();
  spec.options = {{"-leap_mode", "record"}};
  ASSERT_EQ(RunProgram(spec, &rec), 0);
  ASSERT_EQ(rec.attach_error, 0);
  // States 0..24: three trajectories of 8 (the 25th state is a shorter rest, dropped).
  EXPECT_EQ(rec.stats.mode, 1);
  EXPECT_EQ(rec.stats.observations, 25);
  EXPECT_EQ(rec.stats.trajectories_recorded, 3);
  EXPECT_EQ(rec.stats.leaps, 0);
  EXPECT_EQ(rec.poststeps.size(), 24u);
  EXPECT_EQ(RelativeDifference(rec.state, ref.state), 0.0) << "recording changes nothing";
  // TSDestroy finished the recording; the frames are the program's own (file a.hdf5), bit for bit.
  const fs::path ds = dir / "leap_runtime";  // the dataset (runtime config dataset_name) in the collection
  EXPECT_TRUE(fs::is_regular_file(ds / "stats.yaml"));
  EXPECT_FALSE(fs::exists(ds / "data" / "train" / "rec_3.hdf5"));
  const leap::data::WellFile reference((Dir() / "a.hdf5").string());
  for (int k = 0; k < 3; ++k) {
    const leap::data::WellFile f((ds / "data" / "train" / ("rec_" + std::to_string(k) + ".hdf5")).string());
    ASSERT_EQ(f.layout().n_steps, 8);
    ASSERT_EQ(f.layout().channel_names(), (std::vector<std::string>{"u", "v"}));
    for (int64_t s = 0; s < 8; ++s) {
      EXPECT_NEAR(f.layout().times[size_t(s)], double(8 * k + s) * kDt, 1e-7);  // float32 times
      EXPECT_EQ(f.read_state(0, s), reference.read_state(0, 8 * k + s))
          << "trajectory " << k << " frame " << s;
    }
  }
  MPI_Barrier(PETSC_COMM_WORLD);
}

TEST_F(TSPostStep, OffModeAndDetachLeaveTheProgramAlone) {
  RunSpec ref_spec;
  RunResult ref, off, detached;
  ASSERT_EQ(RunProgram(ref_spec, &ref), 0);
  RunSpec spec = Hybrid(Config("oracle_a.yaml"), 21);
  spec.options[1].second = "off";
  ASSERT_EQ(RunProgram(spec, &off), 0);
  ASSERT_EQ(off.attach_error, 0);
  EXPECT_EQ(off.stats.mode, 0);
  EXPECT_EQ(off.stats.observations, 0);
  EXPECT_TRUE(off.poststep_is_programs);
  EXPECT_EQ(off.poststeps.size(), 21u);
  EXPECT_EQ(RelativeDifference(off.state, ref.state), 0.0);

  spec = Hybrid(Config("oracle_a.yaml"), 21);
  spec.attach = Attach::attach_then_detach;
  ASSERT_EQ(RunProgram(spec, &detached), 0);
  ASSERT_EQ(detached.attach_error, 0);
  EXPECT_TRUE(detached.poststep_is_programs);
  EXPECT_EQ(detached.stats.observations, 0);
  EXPECT_EQ(detached.stats.leaps, 0);
  EXPECT_EQ(detached.poststeps.size(), 21u);
  EXPECT_EQ(RelativeDifference(detached.state, ref.state), 0.0);
}

// ---------------------------------------------------------------- misuse

// The message of the last PETSc error raised.
std::string LastErrorMessage() {
  char* specific = nullptr;
  PetscErrorMessage(0, nullptr, &specific);
  return specific ? std::string(specific) : std::string();
}

TEST_F(TSPostStep, MisuseIsAPetscErrorWithAMessage) {
  const std::string oracle = Config("oracle_a.yaml");
  WriteText(Dir() / "none.yaml", "emulator:\n  kind: none\n");
  const std::string none = Config("none.yaml");
  PetscPushErrorHandler(PetscReturnErrorHandler, nullptr);
  TS ts = nullptr;
  ASSERT_EQ(TSCreate(PETSC_COMM_WORLD, &ts), 0);
  const auto expect_error = [&](PetscErrorCode ierr, const std::string& part) {
    EXPECT_NE(ierr, 0) << part;
    const std::string message = LastErrorMessage();
    EXPECT_EQ(message.rfind("LEAP: ", 0), 0u) << message;
    EXPECT_NE(message.find(part), std::string::npos) << message;
    EXPECT_EQ(ts->numbermonitors, 0) << "a failed LeapTSAttach installs nothing (" << part << ")";
    EXPECT_EQ(ts->poststep, nullptr) << part;
  };

  // Not a DMDA: a DMShell given, or a TS without TSSetDM (which has a shell DM).
  DM shell = nullptr;
  ASSERT_EQ(DMShellCreate(PETSC_COMM_WORLD, &shell), 0);
  expect_error(LeapTSAttach(ts, shell, oracle.c_str()),
               "needs a 2-D or 3-D DMDA; the DM given is of type shell");
  expect_error(LeapTSAttach(ts, nullptr, oracle.c_str()), "TSSetDM");
  ASSERT_EQ(DMDestroy(&shell), 0);
  // A 1-D DMDA.
  DM line = nullptr;
  ASSERT_EQ(DMDACreate1d(PETSC_COMM_WORLD, DM_BOUNDARY_PERIODIC, 64, 2, 1, nullptr, &line), 0);
  ASSERT_EQ(DMSetUp(line), 0);
  expect_error(LeapTSAttach(ts, line, oracle.c_str()), "this DMDA is 1-D");
  ASSERT_EQ(DMDestroy(&line), 0);

  DM da = nullptr;
  ASSERT_EQ(DMDACreate2d(PETSC_COMM_WORLD, DM_BOUNDARY_PERIODIC, DM_BOUNDARY_PERIODIC, DMDA_STENCIL_STAR, kNx,
                         kNy, PETSC_DECIDE, PETSC_DECIDE, 2, 1, nullptr, nullptr, &da),
            0);
  ASSERT_EQ(DMSetUp(da), 0);
  // No config at all, a config that does not exist, bad options.
  expect_error(LeapTSAttach(ts, da, nullptr), "no runtime config");
  expect_error(LeapTSAttach(ts, da, (Dir() / "missing.yaml").string().c_str()), "missing.yaml");
  {
    ScopedOptions o("-leap_mode", "fast");
    expect_error(LeapTSAttach(ts, da, oracle.c_str()),
                 "-leap_mode: expected off, record or hybrid, found 'fast'");
  }
  {
    ScopedOptions o("-leap_leap_frames", "0");
    expect_error(LeapTSAttach(ts, da, oracle.c_str()), "-leap_leap_frames");
  }
  // Hybrid without an emulator; record without a directory.
  expect_error(LeapTSAttach(ts, da, none.c_str()), "needs an emulator");
  {
    ScopedOptions o("-leap_mode", "record");
    expect_error(LeapTSAttach(ts, da, none.c_str()), "needs record.dir");
  }
  // DMDA fields that are not the emulator's channels (unnamed: dof_0, dof_1; the oracle has u, v).
  expect_error(LeapTSAttach(ts, da, oracle.c_str()), "dof_0");
  // Stats of a TS never attached.
  LeapTSStats stats;
  EXPECT_NE(LeapTSGetStats(ts, &stats), 0);
  EXPECT_NE(LastErrorMessage().find("LeapTSAttach was not called"), std::string::npos);
  PetscPopErrorHandler();

  // With the fields named as the emulator's, the same call succeeds; detaching twice is harmless.
  ASSERT_EQ(DMDASetFieldName(da, 0, "u"), 0);
  ASSERT_EQ(DMDASetFieldName(da, 1, "v"), 0);
  ASSERT_EQ(LeapTSAttach(ts, da, oracle.c_str()), 0);
  EXPECT_EQ(ts->numbermonitors, 1);
  ASSERT_EQ(LeapTSAttach(ts, da, oracle.c_str()), 0);  // re-attached: still one monitor
  EXPECT_EQ(ts->numbermonitors, 1);
  ASSERT_EQ(LeapTSDetach(ts), 0);
  EXPECT_EQ(ts->poststep, nullptr);
  ASSERT_EQ(LeapTSDetach(ts), 0);
  ASSERT_EQ(TSDestroy(&ts), 0);
  ASSERT_EQ(DMDestroy(&da), 0);
}

}  // namespace
