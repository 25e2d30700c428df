// Solver guidance in LeapTSAttach, the post-step route (-leap_guidance coarse|coarse_only): the coarse
// copy of the solver is the program's own integrator on its DMDA coarsened by DMCoarsen, built by the
// route from the unmodified program (coarse_ts.h, shared with the TS type leap).
//
// The program (advection_program.h: two coupled dofs u, v advected and diffused on a periodic 16 x 12
// DMDA, RK 3BS with a fixed step, the kind of program test_ts_post_step runs; its RHS takes its grid
// from the TS's DM) calls LeapTSAttach with an oracle config and runs 7 steps: 2 solver steps, then one
// leap of 4 frames with -leap_guidance coarse_only -leap_coarse_factor 2 (its state is the coarse
// solver's last frame interpolated to the fine grid), then the last step by the solver. The state the
// program's monitor sees at step 6 (the leap's) must equal, to float32 round-off (relative 1e-6), the
// one made by hand on one rank: the solver's state after 2 steps restricted to 8 x 6 by 2 x 2 block
// means (of its float32 copy), the program's RK 3BS on DMCoarsen of its DMDA over the 4 frames,
// at::upsample_bilinear2d (align_corners false) back to 16 x 12. It must differ from the fine solver's
// state (relative > 1e-3: the leap is the coarse solver's, not the oracle's), and the -leap_summary
// must count 4 coarse frames. DMDAs that DMCoarsen cannot coarsen by the factor are refused by
// LeapTSAttach with a LEAP: message, leaving the TS as it was.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <petsc/private/tsimpl.h>
#include <petscdmda.h>
#include <petscts.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "advection_program.h"
#include "coarse_program.h"
#include "leap/petsc/dmda_layout.h"
#include "leap/petsc/leap_petsc.h"

namespace fs = std::filesystem;

namespace {

using leap::test::Rank;
using leap::test::ScopedOptions;
using namespace leap::test::coarse;

// How the program's TSs end their runs: the last step taken whole, past the final time if it must.
constexpr TSExactFinalTimeOption kExactFinalTime = TS_EXACTFINALTIME_STEPOVER;
constexpr PetscInt kLeapEnd = kSolverFrames + kLeapFrames;  // the step the leap lands on
constexpr PetscInt kSteps = kLeapEnd + 1;                   // a leap leaves the last step to the solver

fs::path Dir() {
  return leap::test::RankCountDir("leap_ts_post_step_coarse");
}

// The state at step kLeapEnd, as the program's monitor sees it: this rank's block per dof in The
// Well's order [x][y].
struct Captured {
  DM da = nullptr;
  std::vector<std::vector<float>> fields;
};

PetscErrorCode CaptureLeapEnd(TS, PetscInt step, PetscReal, Vec u, void* ctx) {
  auto* c = static_cast<Captured*>(ctx);
  PetscFunctionBeginUser;
  if (step != kLeapEnd) PetscFunctionReturn(0);
  c->fields.resize(kDof);
  for (PetscInt d = 0; d < kDof; ++d)
    PetscCall(leap::petsc::LeapDMDACopyToWellOrder(c->da, u, {d}, &c->fields[size_t(d)]));
  PetscFunctionReturn(0);
}

// The first LEAP: message of a PETSc error.
PetscErrorCode KeepLeapMessage(MPI_Comm, int, const char*, const char*, PetscErrorCode n, PetscErrorType,
                               const char* mess, void* ctx) {
  auto* kept = static_cast<std::string*>(ctx);
  if (kept->empty() && mess && std::string(mess).rfind("LEAP:", 0) == 0) *kept = mess;
  return n;
}

class TSPostStepCoarse : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (Rank() == 0) {
      fs::remove_all(Dir());
      fs::create_directories(Dir());
    }
    MPI_Barrier(PETSC_COMM_WORLD);
    // The oracle's file: the solver-only trajectory (hybrid mode needs an emulator; a coarse_only leap
    // does not ask it).
    ASSERT_EQ(WriteSolverTrajectory((Dir() / "oracle.hdf5").string(), kSteps, kExactFinalTime), 0);
    if (Rank() == 0)
      std::ofstream(Dir() / "oracle.yaml")
          << "emulator:\n  kind: oracle\n  dataset: " << (Dir() / "oracle.hdf5").string()
          << "\n  context: 1\n";
    MPI_Barrier(PETSC_COMM_WORLD);
  }
  static void TearDownTestSuite() {
    MPI_Barrier(PETSC_COMM_WORLD);
    if (Rank() == 0) fs::remove_all(Dir());
  }

  static ScopedOptions::Options LeapOptions(const std::string& factor) {
    return {{"-leap_config", (Dir() / "oracle.yaml").string()},
            {"-leap_mode", "hybrid"},
            {"-leap_leap_frames", std::to_string(kLeapFrames)},
            {"-leap_solver_frames", std::to_string(kSolverFrames)},
            {"-leap_guidance", "coarse_only"},
            {"-leap_coarse_factor", factor}};
  }
};

TEST_F(TSPostStepCoarse, CoarseOnlyLeapIsTheProgramsIntegratorOnTheCoarsenedDMDA) {
  at::Tensor expected, fine;
  ASSERT_EQ(ByHand(kExactFinalTime, kSteps, kLeapEnd, &expected, &fine), 0);

  const fs::path summary = Dir() / "summary.json";
  auto options = LeapOptions(std::to_string(kFactor));
  options.push_back({"-leap_summary", summary.string()});
  ScopedOptions scoped(options);
  Captured captured;
  leap::data::Block block;
  LeapTSStats stats{};
  {
    Program p;
    ASSERT_EQ(p.Create(PETSC_COMM_WORLD, kSteps, kExactFinalTime), 0);
    captured.da = p.physics.da;
    ASSERT_EQ(TSMonitorSet(p.ts, CaptureLeapEnd, &captured, nullptr), 0);
    ASSERT_EQ(LeapTSAttach(p.ts, p.physics.da, nullptr), 0);  // the one line
    ASSERT_EQ(TSSolve(p.ts, p.u), 0);
    EXPECT_EQ(p.ts->steps, kSteps);
    EXPECT_NEAR(p.ts->ptime, kSteps * kDt, 1e-12);
    ASSERT_EQ(LeapTSGetStats(p.ts, &stats), 0);
    ASSERT_EQ(leap::petsc::LeapDMDAGetBlock(p.physics.da, &block), 0);
  }  // TSDestroy writes the summary
  EXPECT_EQ(stats.leaps, 1);
  EXPECT_EQ(stats.leaps_accepted, 1);
  EXPECT_EQ(stats.steps_emulated, kLeapFrames);
  ASSERT_EQ(captured.fields.size(), size_t(kDof)) << "the monitor never saw step " << kLeapEnd;

  const double error = RelativeMaxDifference(captured.fields, block, expected);
  const double from_fine = RelativeMaxDifference(captured.fields, block, fine);
  if (Rank() == 0)
    std::printf("coarse_only leap vs by hand: relative max difference %.3g; vs the fine solver: %.3g\n",
                error, from_fine);
  EXPECT_LT(error, 1e-6) << "the coarse_only leap is not the coarse solver's state interpolated";
  EXPECT_GT(from_fine, 1e-3) << "the leap's state is the fine solver's: the coarse solver did not run";

  std::ifstream f(summary);
  const nlohmann::json j = nlohmann::json::parse(f);
  EXPECT_EQ(j.at("route").get<std::string>(), "LeapTSAttach");
  EXPECT_EQ(j.at("leaps_accepted").get<int>(), 1);
  EXPECT_EQ(j.at("steps_emulated").get<int>(), kLeapFrames);
  EXPECT_EQ(j.at("coarse_frames").get<int>(), kLeapFrames);
  EXPECT_GE(j.at("seconds").at("coarse").get<double>(), 0.0);
  EXPECT_EQ(j.at("policy").at("settings").at("guidance").get<std::string>(), "coarse_only");
  EXPECT_EQ(j.at("policy").at("settings").at("coarse_factor").get<int>(), kFactor);
}

// What DMCoarsen cannot make is refused by LeapTSAttach, before the TS is touched: an axis that is not
// periodic, a factor that is not a power of 2 (3), a factor that does not divide an axis (8: y has 12).
TEST_F(TSPostStepCoarse, RefusesGridsDMCoarsenCannotMake) {
  struct Case {
    DMBoundaryType bx;
    std::string factor, message;
  };
  const std::vector<Case> cases = {
      {DM_BOUNDARY_NONE, "2",
       "LEAP: -leap_guidance coarse_only with LeapTSAttach coarsens the program's DMDA by DMCoarsen: "
       "expected "
       "every axis periodic, found the x axis NONE"},
      {DM_BOUNDARY_PERIODIC, "3",
       "with LeapTSAttach coarsens the program's DMDA by DMCoarsen, which halves "
       "each axis: expected -leap_coarse_factor a power of 2, found 3"},
      {DM_BOUNDARY_PERIODIC, "8",
       "expected -leap_coarse_factor 8 to divide every axis of the DMDA, found the y axis of 12 points"}};
  for (const auto& c : cases) {
    ScopedOptions scoped(LeapOptions(c.factor));
    Program p;
    ASSERT_EQ(p.Create(PETSC_COMM_WORLD, kSteps, kExactFinalTime, c.bx), 0);
    std::string kept;
    PetscPushErrorHandler(KeepLeapMessage, &kept);
    const PetscErrorCode ierr = LeapTSAttach(p.ts, p.physics.da, nullptr);
    PetscPopErrorHandler();
    EXPECT_NE(ierr, 0) << "factor " << c.factor;
    EXPECT_NE(kept.find(c.message), std::string::npos) << "factor " << c.factor << ": " << kept;
    EXPECT_EQ(p.ts->poststep, nullptr) << "a refused LeapTSAttach installed its post-step";
    LeapTSStats stats{};
    PetscPushErrorHandler(PetscReturnErrorHandler, nullptr);
    EXPECT_NE(LeapTSGetStats(p.ts, &stats), 0) << "a refused LeapTSAttach left its context on the TS";
    PetscPopErrorHandler();
  }
}

}  // namespace
