// The four coupling routes make the same decisions (plugin/leap_policy): one scripted scenario runs
// through LeapAttachment (the frame driver of `leap hybrid` and `leap study`, over a FluidSolver), the
// TS type "leap", LeapTSAttach (post-step) and the runtime behind the C/Fortran API (a caller's own
// time loop with leap_runtime_due / attempt and an advance function for checks), on 1 and 3 ranks.
//
// The solver is a small PETSc program (advection_program.h: two coupled dofs u, v on a periodic DMDA,
// u kept positive, and TSSetFunctionDomainError refusing u <= 0). The emulator is an oracle replaying
// the program's own solver-only trajectory, with faults injected into some of its leaps (the oracle's
// leap N counted from 0): 1 NaN, 2 a negative u, 3 an offset of one standard deviation (a leap far
// from the solver), 4 an ensemble spread of 2 standard deviations. Policy: leaps of 4 frames after 2
// solver frames, 2 members, max_spread 0.5, every 3rd attempt checked with tolerance 0.05. Every
// route must give exactly this sequence of (frame, length, verdict, checked, passed, next length):
//   2: 4 accepted (checked, passes: the leap doubles to 8)   8: 8 not_finite
//   10: 8 admissibility                                      12: 8 check (fails: the solver's frames
//   22: 4 spread                                                 stand, the leap halves to 4)
//   24: 4 accepted                                           30: 4 accepted (checked, passes: 8)
//   36: 8 accepted
// and end, after 48 frames, on the solver-only state to float32 round-off (every accepted state is a
// float32 copy of it), each route on the others'.
#include <gtest/gtest.h>
#include <petsc/private/tsimpl.h>
#include <petscdmda.h>
#include <petscts.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "advection_program.h"
#include "leap/petsc/dmda_layout.h"
#include "leap/petsc/fluid_solver.h"
#include "leap/petsc/leap_petsc.h"
#include "leap/petsc/ts_attach.h"
#include "leap/petsc/ts_leap.h"
#include "leap/plugin/emulator.h"
#include "leap/plugin/runtime.h"

namespace fs = std::filesystem;

namespace {

using leap::test::Rank;
using leap::test::ScopedOptions;
using leap::test::Size;

constexpr PetscInt kNx = 24, kNy = 18;
constexpr PetscReal kDt = 0.01;
constexpr PetscInt kSteps = 48;        // every route's run
constexpr PetscInt kOracleSteps = 60;  // frames 0..60 in the oracle's file
constexpr PetscReal kOffset = 3;       // u = 3 + O(1) > 0
const std::vector<std::string> kFaults = {"1:nan", "2:negative:u", "3:offset:1", "4:spread:4"};

fs::path Dir() {
  return leap::test::RankCountDir("leap_conformance");
}

// One decision of the policy, as every route reports it.
using Decision = std::tuple<int64_t, int64_t, std::string, bool, bool, int64_t>;

std::vector<Decision> Expected() {
  return {{2, 4, "accepted", true, true, 8},         {8, 8, "not_finite", false, false, 8},
          {10, 8, "admissibility", false, false, 8}, {12, 8, "check", true, false, 4},
          {22, 4, "spread", false, false, 4},        {24, 4, "accepted", false, false, 4},
          {30, 4, "accepted", true, true, 8},        {36, 8, "accepted", false, false, 8}};
}

std::vector<Decision> FromRecords(const std::vector<leap::plugin::LeapRecord>& records) {
  std::vector<Decision> d;
  for (const auto& r : records)
    d.emplace_back(r.frame, r.frames, leap::plugin::to_string(r.verdict), r.checked, r.check_passed,
                   r.next_frames);
  return d;
}

// The "policy" object of a -leap_summary file.
std::vector<Decision> FromSummary(const fs::path& file) {
  std::ifstream f(file);
  const nlohmann::json j = nlohmann::json::parse(f);
  std::vector<Decision> d;
  for (const auto& r : j.at("policy").at("records")) {
    const bool checked = r.contains("check");
    d.emplace_back(r.at("frame").get<int64_t>(), r.at("frames").get<int64_t>(),
                   r.at("verdict").get<std::string>(), checked,
                   checked && r.at("check").at("passed").get<bool>(), r.at("next_frames").get<int64_t>());
  }
  return d;
}

std::string Show(const std::vector<Decision>& d) {
  std::ostringstream s;
  for (const auto& [frame, frames, verdict, checked, passed, next] : d)
    s << "\n  " << frame << ": " << frames << " " << verdict
      << (checked ? (passed ? " (check passed)" : " (check failed)") : "") << " -> " << next;
  return s.str();
}

// The program refuses a state with u <= 0 (its domain check; rank-local, as PETSc asks).
PetscErrorCode PositiveU(TS ts, PetscReal, Vec U, PetscBool* accept) {
  DM da;
  const PetscScalar*** u;
  PetscInt xs, ys, xm, ym;
  PetscFunctionBeginUser;
  PetscCall(TSGetDM(ts, &da));
  PetscCall(DMDAGetCorners(da, &xs, &ys, nullptr, &xm, &ym, nullptr));
  PetscCall(DMDAVecGetArrayDOFRead(da, U, &u));
  *accept = PETSC_TRUE;
  for (PetscInt j = ys; j < ys + ym; ++j)
    for (PetscInt i = xs; i < xs + xm; ++i)
      if (!(PetscRealPart(u[j][i][0]) > 0)) *accept = PETSC_FALSE;
  PetscCall(DMDAVecRestoreArrayDOFRead(da, U, &u));
  PetscFunctionReturn(0);
}

// The program: a 2-D DMDA, its state and a TS (RK 3BS, fixed step kDt, no adaptivity).
struct Program {
  leap::test::Advection physics;
  TS ts = nullptr;
  Vec u = nullptr;

  PetscErrorCode Create(PetscInt max_steps) {
    TSAdapt adapt;
    PetscFunctionBeginUser;
    PetscCall(DMDACreate2d(PETSC_COMM_WORLD, DM_BOUNDARY_PERIODIC, DM_BOUNDARY_PERIODIC, DMDA_STENCIL_STAR,
                           kNx, kNy, PETSC_DECIDE, PETSC_DECIDE, 2, 1, nullptr, nullptr, &physics.da));
    PetscCall(DMSetUp(physics.da));
    PetscCall(DMDASetFieldName(physics.da, 0, "u"));
    PetscCall(DMDASetFieldName(physics.da, 1, "v"));
    PetscCall(DMCreateGlobalVector(physics.da, &u));
    PetscCall(leap::test::AdvectionInitialState(physics.da, 0, kOffset, u));
    PetscCall(TSCreate(PETSC_COMM_WORLD, &ts));
    PetscCall(TSSetDM(ts, physics.da));
    PetscCall(TSSetProblemType(ts, TS_NONLINEAR));
    PetscCall(TSSetRHSFunction(ts, nullptr, leap::test::AdvectionRHS, &physics));
    PetscCall(TSSetFunctionDomainError(ts, PositiveU));
    PetscCall(TSSetType(ts, TSRK));
    PetscCall(TSRKSetType(ts, TSRK3BS));
    PetscCall(TSGetAdapt(ts, &adapt));
    PetscCall(TSAdaptSetType(adapt, TSADAPTNONE));
    PetscCall(TSSetTime(ts, 0.0));
    PetscCall(TSSetTimeStep(ts, kDt));
    PetscCall(TSSetMaxSteps(ts, max_steps));
    PetscCall(TSSetMaxTime(ts, 1e6));
    PetscCall(TSSetExactFinalTime(ts, TS_EXACTFINALTIME_MATCHSTEP));
    PetscCall(TSSetSolution(ts, u));
    PetscFunctionReturn(0);
  }

  ~Program() {
    TSDestroy(&ts);
    VecDestroy(&u);
    DMDestroy(&physics.da);
  }

  std::vector<PetscScalar> State() const {
    const PetscScalar* a;
    PetscInt n;
    VecGetLocalSize(u, &n);
    VecGetArrayRead(u, &a);
    std::vector<PetscScalar> s(a, a + n);
    VecRestoreArrayRead(u, &a);
    return s;
  }
};

// The program's solver-only trajectory, written frame by frame: the oracle's file.
PetscErrorCode WriteOracle(const fs::path& file, PetscInt steps, std::vector<PetscScalar>* final_state,
                           PetscInt final_step) {
  Program p;
  leap::test::TrajectoryFile out(file.string(), kNx, kNy);
  PetscFunctionBeginUser;
  PetscCall(p.Create(steps));
  PetscCall(TSSetUp(p.ts));
  PetscCall(out.Write(p.physics.da, 0, 0, p.u));
  for (PetscInt s = 1; s <= steps; ++s) {
    PetscCall(TSStep(p.ts));
    PetscCall(out.Write(p.physics.da, s, p.ts->ptime, p.u));
    if (s == final_step) *final_state = p.State();
  }
  out.Finish();
  PetscFunctionReturn(0);
}

double RelativeDifference(const std::vector<PetscScalar>& a, const std::vector<PetscScalar>& b) {
  double local[2] = {0, 0}, global[2];
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    local[0] += std::pow(PetscRealPart(a[i] - b[i]), 2);
    local[1] += std::pow(PetscRealPart(b[i]), 2);
  }
  MPI_Allreduce(local, global, 2, MPI_DOUBLE, MPI_SUM, PETSC_COMM_WORLD);
  return std::sqrt(global[0] / global[1]);
}

// ---------------------------------------------------------------- the program as a FluidSolver

class ProgramSolver final : public leap::petsc::FluidSolver {
 public:
  explicit ProgramSolver(Program* p) : p_(p) {}
  DM dm() const override { return p_->physics.da; }
  TS ts() const override { return p_->ts; }
  Vec solution() const override { return p_->u; }
  // One frame is one step: a step of t_end - t (kDt up to round-off) lands on t_end.
  PetscErrorCode Advance(PetscReal t_end) override {
    PetscReal t;
    PetscFunctionBeginUser;
    PetscCall(TSGetTime(p_->ts, &t));
    if (t_end - t <= 1e-12) PetscFunctionReturn(0);
    PetscCall(TSSetTimeStep(p_->ts, t_end - t));
    PetscCall(TSSetMaxTime(p_->ts, t_end));
    PetscCall(TSSetMaxSteps(p_->ts, PETSC_MAX_INT));
    PetscCall(TSSolve(p_->ts, p_->u));
    PetscFunctionReturn(0);
  }
  std::string dataset_name() const override { return "advection_diffusion"; }
  std::vector<leap::data::WellAxis> axes() const override {
    return {{"x", kNx, {}, "periodic"}, {"y", kNy, {}, "periodic"}};
  }
  std::vector<leap::data::WellField> well_fields() const override {
    std::vector<leap::data::WellField> f(2);
    f[0].name = "u";
    f[1].name = "v";
    for (auto& x : f) x.dim_varying = {true, true};
    return f;
  }
  std::vector<std::pair<std::string, double>> parameters() const override { return {}; }
  PetscErrorCode ExtractWellField(const std::string& name, std::vector<float>* out) const override {
    PetscFunctionBeginUser;
    PetscCall(leap::petsc::LeapDMDACopyToWellOrder(p_->physics.da, p_->u, {name == "u" ? 0 : 1}, out));
    PetscFunctionReturn(0);
  }
  PetscErrorCode InjectWellFields(const std::vector<std::vector<float>>& fields) override {
    PetscFunctionBeginUser;
    for (PetscInt c = 0; c < 2; ++c)
      PetscCall(leap::petsc::LeapDMDACopyFromWellOrder(p_->physics.da, fields[size_t(c)], {c}, p_->u));
    PetscFunctionReturn(0);
  }
  // Its physics: the program's own domain check, agreed by every rank.
  PetscErrorCode Admissible(PetscBool* ok, std::string* why) const override {
    PetscFunctionBeginUser;
    PetscCall(PositiveU(p_->ts, 0, p_->u, ok));
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, ok, 1, MPIU_BOOL, MPI_LAND, PETSC_COMM_WORLD));
    if (!*ok) *why = "u <= 0 somewhere";
    PetscFunctionReturn(0);
  }

 private:
  Program* p_;
};

// ---------------------------------------------------------------- the routes

class Conformance : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (Rank() == 0) {
      fs::remove_all(Dir());
      fs::create_directories(Dir());
    }
    MPI_Barrier(PETSC_COMM_WORLD);
    ASSERT_EQ(WriteOracle(Dir() / "oracle.hdf5", kOracleSteps, &reference_, kSteps), 0);
    std::string faults;
    for (const auto& f : kFaults) faults += (faults.empty() ? "\"" : ", \"") + f + "\"";
    if (Rank() == 0)
      std::ofstream(Dir() / "leap.yaml")
          << "emulator:\n  kind: oracle\n  dataset: " << (Dir() / "oracle.hdf5").string()
          << "\n  context: 1\n  faults: [" << faults
          << "]\nleap:\n  members: 2\n  leap_frames: 4\n  solver_frames: 2\n"
             "  max_spread: 0.5\n  check_every: 3\n  check_tolerance: 0.05\n";
    MPI_Barrier(PETSC_COMM_WORLD);
  }
  static void TearDownTestSuite() {
    MPI_Barrier(PETSC_COMM_WORLD);
    if (Rank() == 0) fs::remove_all(Dir());
  }

  // Every route's result against the script and the solver-only state.
  static void ExpectScript(const char* route, const std::vector<Decision>& got,
                           const std::vector<PetscScalar>& state, PetscReal time) {
    EXPECT_EQ(got, Expected()) << route << " decided:" << Show(got) << "\nexpected:" << Show(Expected());
    EXPECT_LT(RelativeDifference(state, reference_), 1e-6) << route;
    EXPECT_NEAR(time, kSteps * kDt, 1e-10) << route;
  }

  static std::shared_ptr<leap::plugin::Emulator> FaultyOracle() {
    auto oracle = std::make_shared<leap::plugin::TrajectoryOracle>((Dir() / "oracle.hdf5").string(), 0, 1);
    std::vector<leap::plugin::OracleFault> faults;
    for (const auto& f : kFaults) faults.push_back(leap::plugin::OracleFault::parse(f, "fault"));
    oracle->set_faults(faults);
    return oracle;
  }

  static std::vector<PetscScalar> reference_;
  static std::vector<PetscScalar> states_[4];
};

std::vector<PetscScalar> Conformance::reference_;
std::vector<PetscScalar> Conformance::states_[4];

TEST_F(Conformance, LeapAttachment) {
  Program p;
  ASSERT_EQ(p.Create(PETSC_MAX_INT), 0);
  ProgramSolver solver(&p);
  leap::petsc::LeapAttachOptions o;
  o.mode = "hybrid";
  o.leap_frames = 4;
  o.solver_frames = 2;
  o.frame_interval = kDt;
  o.members = 2;
  o.restore_conserved = PETSC_FALSE;
  o.max_spread = 0.5;
  o.check_every = 3;
  o.check_tolerance = 0.05;
  if (Rank() == 0) o.emulator = FaultyOracle();
  std::unique_ptr<leap::petsc::LeapAttachment> a;
  ASSERT_EQ(leap::petsc::LeapAttachCreate(&solver, o, &a), 0);
  ASSERT_EQ(a->Run(kSteps * kDt), 0);
  ExpectScript("LeapAttachment", FromRecords(a->policy().records()), p.State(), solver.time());
  states_[0] = p.State();
}

TEST_F(Conformance, TSTypeLeap) {
  ASSERT_EQ(leap::petsc::LeapTSRegister(), 0);
  const fs::path summary = Dir() / "ts_type.json";
  std::string faults;
  for (const auto& f : kFaults) faults += (faults.empty() ? "" : ",") + f;
  ScopedOptions options({{"-ts_type", "leap"},
                         {"-leap_inner_ts_type", "rk"},
                         {"-ts_rk_type", "3bs"},
                         {"-ts_adapt_type", "none"},
                         {"-leap_oracle", (Dir() / "oracle.hdf5").string()},
                         {"-leap_oracle_faults", faults},
                         {"-leap_context", "1"},
                         {"-leap_members", "2"},
                         {"-leap_leap_frames", "4"},
                         {"-leap_solver_frames", "2"},
                         {"-leap_max_spread", "0.5"},
                         {"-leap_check_every", "3"},
                         {"-leap_check_tolerance", "0.05"},
                         {"-leap_summary", summary.string()}});
  Program p;
  ASSERT_EQ(p.Create(kSteps), 0);
  ASSERT_EQ(TSSetFromOptions(p.ts), 0);
  ASSERT_EQ(TSSolve(p.ts, p.u), 0);
  PetscReal t;
  ASSERT_EQ(TSGetTime(p.ts, &t), 0);
  ExpectScript("TS type leap", FromSummary(summary), p.State(), t);
  states_[1] = p.State();
}

TEST_F(Conformance, LeapTSAttach) {
  const fs::path summary = Dir() / "post_step.json";
  ScopedOptions options("-leap_summary", summary.string());
  Program p;
  ASSERT_EQ(p.Create(kSteps), 0);
  ASSERT_EQ(LeapTSAttach(p.ts, p.physics.da, (Dir() / "leap.yaml").string().c_str()), 0);
  ASSERT_EQ(TSSolve(p.ts, p.u), 0);
  ASSERT_EQ(LeapTSDetach(p.ts), 0);
  PetscReal t;
  ASSERT_EQ(TSGetTime(p.ts, &t), 0);
  ExpectScript("LeapTSAttach", FromSummary(summary), p.State(), t);
  states_[2] = p.State();
}

// The caller's loop of the C/Fortran runtime (leap.h), through its C++ engine: the program steps its
// TS one frame at a time, observes, asks the policy, and advances its own TS for checks.
TEST_F(Conformance, Runtime) {
  Program p;
  ASSERT_EQ(p.Create(PETSC_MAX_INT), 0);
  ASSERT_EQ(TSSetUp(p.ts), 0);
  PetscInt xs, ys, xm, ym;
  ASSERT_EQ(DMDAGetCorners(p.physics.da, &xs, &ys, nullptr, &xm, &ym, nullptr), 0);
  const size_t n = size_t(2 * xm * ym);
  std::vector<float> block(n);
  auto read = [&](std::vector<float>* b) {  // the DMDA's own array: [y][x][dof], the yxc layout
    const PetscScalar* a;
    VecGetArrayRead(p.u, &a);
    for (size_t i = 0; i < n; ++i) (*b)[i] = float(PetscRealPart(a[i]));
    VecRestoreArrayRead(p.u, &a);
  };
  auto write = [&](const float* b) {
    PetscScalar* a;
    VecGetArray(p.u, &a);
    for (size_t i = 0; i < n; ++i) a[i] = PetscScalar(b[i]);
    VecRestoreArray(p.u, &a);
  };
  leap::plugin::Runtime rt(PETSC_COMM_WORLD, (Dir() / "leap.yaml").string());
  rt.add_field("u", 1);
  rt.add_field("v", 1);
  rt.set_box(kNx, kNy, xs, ys, xm, ym);
  rt.set_layout(leap::plugin::BlockLayout::yxc);
  leap::plugin::RuntimeSolver caller;
  caller.advance = [&](int64_t frames, float* b) {  // from the state in b, the program's own steps
    Vec saved;
    VecDuplicate(p.u, &saved);
    VecCopy(p.u, saved);
    const PetscReal t = p.ts->ptime;
    const PetscInt steps = p.ts->steps;
    write(b);
    TSRestartStep(p.ts);
    for (int64_t k = 0; k < frames; ++k) TSStep(p.ts);
    std::vector<float> out(n);
    read(&out);
    std::copy(out.begin(), out.end(), b);
    VecCopy(saved, p.u);
    VecDestroy(&saved);
    TSSetTime(p.ts, t);
    TSSetStepNumber(p.ts, steps);
    TSRestartStep(p.ts);
  };
  caller.admissible = [&](const float* b, std::string* why) {
    for (size_t i = 0; i < n; i += 2)
      if (!(b[i] > 0)) {
        *why = "u <= 0 somewhere";
        return false;
      }
    return true;
  };
  rt.set_solver(caller);
  rt.setup();
  int64_t frame = 0;
  read(&block);
  rt.observe(block.data(), 0);
  while (frame < kSteps) {
    if (rt.due(kSteps - frame)) {
      const leap::plugin::LeapRecord& r = rt.attempt({}, block.data());
      if (r.advanced()) {
        frame += r.frames;
        write(block.data());
        ASSERT_EQ(TSSetTime(p.ts, PetscReal(frame) * kDt), 0);
        ASSERT_EQ(TSSetStepNumber(p.ts, PetscInt(frame)), 0);
        ASSERT_EQ(TSRestartStep(p.ts), 0);
        rt.observe(block.data(), double(frame) * kDt);
        continue;
      }
    }
    ASSERT_EQ(TSStep(p.ts), 0);
    ++frame;
    read(&block);
    rt.observe(block.data(), double(frame) * kDt);
  }
  rt.finish();
  ExpectScript("runtime", FromRecords(rt.policy().records()), p.State(), p.ts->ptime);
  states_[3] = p.State();
}

TEST_F(Conformance, RoutesEndOnOneState) {
  const char* names[4] = {"LeapAttachment", "TS type leap", "LeapTSAttach", "runtime"};
  for (int a = 0; a < 4; ++a)
    for (int b = a + 1; b < 4; ++b) {
      if (states_[a].empty() || states_[b].empty()) continue;  // a failed route reported already
      EXPECT_LT(RelativeDifference(states_[a], states_[b]), 1e-6) << names[a] << " vs " << names[b];
    }
}

}  // namespace
