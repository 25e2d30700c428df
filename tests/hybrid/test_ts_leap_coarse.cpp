// Solver guidance in the TS type "leap" (-leap_guidance coarse|coarse_only): the coarse copy of the
// solver is the program's own integrator on its DMDA coarsened by DMCoarsen, built by the TS type itself.
//
// The program (advection_program.h: two coupled dofs u, v advected and diffused on a periodic 16 x 12
// DMDA, RK 3BS with a fixed step) runs 6 frames with -ts_type leap: 2 solver frames, then one leap of 4
// frames with -leap_guidance coarse_only -leap_coarse_factor 2 (its state is the coarse solver's last
// frame interpolated to the fine grid). The state after the leap must equal, to float32 round-off
// (relative 1e-6), the one made by hand on one rank: the solver's state after 2 frames restricted to
// 8 x 6 by 2 x 2 block means, the program's RK 3BS on DMCoarsen of its DMDA over the 4 frames,
// at::upsample_bilinear2d (align_corners false) back to 16 x 12. It must differ from the fine solver's
// state (relative > 1e-3: the leap is the coarse solver's, not the oracle's), and the -leap_summary must
// count 4 coarse frames. Grids that DMCoarsen cannot halve are refused at TSSetUp with a LEAP: message.
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
#include "leap/petsc/ts_leap.h"

namespace fs = std::filesystem;

namespace {

using leap::test::Rank;
using leap::test::ScopedOptions;
using namespace leap::test::coarse;

// How the program's TSs end their runs: the last step shortened to land on the final time.
constexpr TSExactFinalTimeOption kExactFinalTime = TS_EXACTFINALTIME_MATCHSTEP;
constexpr PetscInt kSteps = kSolverFrames + kLeapFrames;

fs::path Dir() {
  return leap::test::RankCountDir("leap_ts_leap_coarse");
}

class TSLeapCoarse : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_EQ(leap::petsc::LeapTSRegister(), 0);
    if (Rank() == 0) {
      fs::remove_all(Dir());
      fs::create_directories(Dir());
    }
    MPI_Barrier(PETSC_COMM_WORLD);
    // The oracle's file: the solver-only trajectory (the TS type needs an emulator; a coarse_only leap
    // does not ask it).
    ASSERT_EQ(WriteSolverTrajectory((Dir() / "oracle.hdf5").string(), kSteps, kExactFinalTime), 0);
    MPI_Barrier(PETSC_COMM_WORLD);
  }
  static void TearDownTestSuite() {
    MPI_Barrier(PETSC_COMM_WORLD);
    if (Rank() == 0) fs::remove_all(Dir());
  }

  static ScopedOptions::Options LeapOptions(const std::string& factor) {
    return {{"-ts_type", "leap"},
            {"-leap_inner_ts_type", "rk"},
            {"-ts_rk_type", "3bs"},
            {"-ts_adapt_type", "none"},
            {"-leap_oracle", (Dir() / "oracle.hdf5").string()},
            {"-leap_context", "1"},
            {"-leap_leap_frames", std::to_string(kLeapFrames)},
            {"-leap_solver_frames", std::to_string(kSolverFrames)},
            {"-leap_guidance", "coarse_only"},
            {"-leap_coarse_factor", factor}};
  }
};

TEST_F(TSLeapCoarse, CoarseOnlyLeapIsTheProgramsIntegratorOnTheCoarsenedDMDA) {
  at::Tensor expected, fine;
  ASSERT_EQ(ByHand(kExactFinalTime, kSteps, kSteps, &expected, &fine), 0);

  const fs::path summary = Dir() / "summary.json";
  auto options = LeapOptions(std::to_string(kFactor));
  options.push_back({"-leap_summary", summary.string()});
  ScopedOptions scoped(options);
  Program p;
  ASSERT_EQ(p.Create(PETSC_COMM_WORLD, kSteps, kExactFinalTime), 0);
  ASSERT_EQ(TSSetFromOptions(p.ts), 0);
  ASSERT_EQ(TSSolve(p.ts, p.u), 0);
  EXPECT_NEAR(p.ts->ptime, kSteps * kDt, 1e-12);

  std::vector<std::vector<float>> got;
  leap::data::Block block;
  ASSERT_EQ(p.Fields(&got, &block), 0);
  const double error = RelativeMaxDifference(got, block, expected);
  const double from_fine = RelativeMaxDifference(got, block, fine);
  if (Rank() == 0)
    std::printf("coarse_only leap vs by hand: relative max difference %.3g; vs the fine solver: %.3g\n",
                error, from_fine);
  EXPECT_LT(error, 1e-6) << "the coarse_only leap is not the coarse solver's state interpolated";
  EXPECT_GT(from_fine, 1e-3) << "the leap's state is the fine solver's: the coarse solver did not run";

  std::ifstream f(summary);
  const nlohmann::json j = nlohmann::json::parse(f);
  EXPECT_EQ(j.at("leaps_accepted").get<int>(), 1);
  EXPECT_EQ(j.at("steps_solver").get<int>(), kSolverFrames);
  EXPECT_EQ(j.at("steps_emulated").get<int>(), kLeapFrames);
  EXPECT_EQ(j.at("coarse_frames").get<int>(), kLeapFrames);
  EXPECT_GE(j.at("seconds").at("coarse").get<double>(), 0.0);
  EXPECT_EQ(j.at("policy").at("settings").at("guidance").get<std::string>(), "coarse_only");
  EXPECT_EQ(j.at("policy").at("settings").at("coarse_factor").get<int>(), kFactor);
}

// The first LEAP: message of a PETSc error.
PetscErrorCode KeepLeapMessage(MPI_Comm, int, const char*, const char*, PetscErrorCode n, PetscErrorType,
                               const char* mess, void* ctx) {
  auto* kept = static_cast<std::string*>(ctx);
  if (kept->empty() && mess && std::string(mess).rfind("LEAP:", 0) == 0) *kept = mess;
  return n;
}

// -leap_coarse_factor: 3 (DMCoarsen halves), 8 (does not divide the 12 points along y).
TEST_F(TSLeapCoarse, RefusesFactorsDMCoarsenCannotMake) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"3", "expected -leap_coarse_factor a power of 2, found 3"},
      {"8",
       "expected -leap_coarse_factor 8 to divide every axis of the DMDA, found the y axis of 12 points"}};
  for (const auto& [factor, message] : cases) {
    ScopedOptions scoped(LeapOptions(factor));
    Program p;
    ASSERT_EQ(p.Create(PETSC_COMM_WORLD, kSteps, kExactFinalTime), 0);
    ASSERT_EQ(TSSetFromOptions(p.ts), 0);
    std::string kept;
    PetscPushErrorHandler(KeepLeapMessage, &kept);
    const PetscErrorCode ierr = TSSetUp(p.ts);
    PetscPopErrorHandler();
    EXPECT_NE(ierr, 0) << "factor " << factor;
    EXPECT_NE(kept.find(message), std::string::npos) << "factor " << factor << ": " << kept;
  }
}

}  // namespace
