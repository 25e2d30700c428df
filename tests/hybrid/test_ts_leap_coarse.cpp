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
#include "leap/petsc/dmda_layout.h"
#include "leap/petsc/ts_leap.h"

namespace fs = std::filesystem;

namespace {

using leap::test::Rank;
using leap::test::ScopedOptions;

constexpr PetscInt kNx = 16, kNy = 12, kDof = 2;
constexpr PetscInt kFactor = 2;
constexpr PetscReal kDt = 0.01;
constexpr PetscInt kSolverFrames = 2, kLeapFrames = 4;
constexpr PetscInt kSteps = kSolverFrames + kLeapFrames;
constexpr PetscReal kOffset = 3;

fs::path Dir() {
  return leap::test::RankCountDir("leap_ts_leap_coarse");
}

// The program's RHS on the grid of the TS's own DM (the coarse TS's is the coarsened DMDA): a program
// whose functions take their grid from the TS's DM runs unchanged on the coarse grid.
PetscErrorCode RHSOnItsDM(TS ts, PetscReal t, Vec U, Vec F, void* ctx) {
  leap::test::Advection a = *static_cast<const leap::test::Advection*>(ctx);
  PetscFunctionBeginUser;
  PetscCall(TSGetDM(ts, &a.da));
  PetscCall(leap::test::AdvectionRHS(ts, t, U, F, &a));
  PetscFunctionReturn(0);
}

// The program's integrator (RK 3BS, fixed step kDt) on `da` with state `u`.
PetscErrorCode CreateTS(DM da, leap::test::Advection* physics, Vec u, PetscInt max_steps, TS* ts) {
  TSAdapt adapt;
  PetscFunctionBeginUser;
  PetscCall(TSCreate(PetscObjectComm((PetscObject)da), ts));
  PetscCall(TSSetDM(*ts, da));
  PetscCall(TSSetProblemType(*ts, TS_NONLINEAR));
  PetscCall(TSSetRHSFunction(*ts, nullptr, RHSOnItsDM, physics));
  PetscCall(TSSetType(*ts, TSRK));
  PetscCall(TSRKSetType(*ts, TSRK3BS));
  PetscCall(TSGetAdapt(*ts, &adapt));
  PetscCall(TSAdaptSetType(adapt, TSADAPTNONE));
  PetscCall(TSSetTime(*ts, 0.0));
  PetscCall(TSSetTimeStep(*ts, kDt));
  PetscCall(TSSetMaxSteps(*ts, max_steps));
  PetscCall(TSSetMaxTime(*ts, 1e6));
  PetscCall(TSSetExactFinalTime(*ts, TS_EXACTFINALTIME_MATCHSTEP));
  PetscCall(TSSetSolution(*ts, u));
  PetscFunctionReturn(0);
}

// The program on `comm`: a periodic 2-D DMDA with dofs u, v, its initial state and TS.
struct Program {
  leap::test::Advection physics;
  TS ts = nullptr;
  Vec u = nullptr;

  PetscErrorCode Create(MPI_Comm comm, PetscInt max_steps) {
    PetscFunctionBeginUser;
    PetscCall(DMDACreate2d(comm, DM_BOUNDARY_PERIODIC, DM_BOUNDARY_PERIODIC, DMDA_STENCIL_STAR, kNx, kNy,
                           PETSC_DECIDE, PETSC_DECIDE, kDof, 1, nullptr, nullptr, &physics.da));
    PetscCall(DMSetUp(physics.da));
    PetscCall(DMDASetFieldName(physics.da, 0, "u"));
    PetscCall(DMDASetFieldName(physics.da, 1, "v"));
    PetscCall(DMCreateGlobalVector(physics.da, &u));
    PetscCall(leap::test::AdvectionInitialState(physics.da, 0, kOffset, u));
    PetscCall(CreateTS(physics.da, &physics, u, max_steps, &ts));
    PetscFunctionReturn(0);
  }

  ~Program() {
    TSDestroy(&ts);
    VecDestroy(&u);
    DMDestroy(&physics.da);
  }

  // This rank's block as [dof][x][y] (The Well's order per field) and its box.
  PetscErrorCode Fields(std::vector<std::vector<float>>* fields, leap::data::Block* block) const {
    PetscFunctionBeginUser;
    fields->resize(kDof);
    for (PetscInt d = 0; d < kDof; ++d)
      PetscCall(leap::petsc::LeapDMDACopyToWellOrder(physics.da, u, {d}, &(*fields)[size_t(d)]));
    PetscCall(leap::petsc::LeapDMDAGetBlock(physics.da, block));
    PetscFunctionReturn(0);
  }
};

// The whole state of a DMDA on PETSC_COMM_SELF as a [dof, x, y] double tensor.
at::Tensor WholeState(DM da, Vec u) {
  PetscInt nx, ny;
  DMDAGetInfo(da, nullptr, &nx, &ny, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
              nullptr, nullptr);
  at::Tensor t = at::empty({kDof, nx, ny}, at::kDouble);
  auto a = t.accessor<double, 3>();
  const PetscScalar* v;
  VecGetArrayRead(u, &v);
  for (PetscInt j = 0; j < ny; ++j)  // the DMDA's order: [y][x][dof]
    for (PetscInt i = 0; i < nx; ++i)
      for (PetscInt d = 0; d < kDof; ++d) a[d][i][j] = PetscRealPart(v[(j * nx + i) * kDof + d]);
  VecRestoreArrayRead(u, &v);
  return t;
}

void SetWholeState(DM da, const at::Tensor& state, Vec u) {
  PetscInt nx, ny;
  DMDAGetInfo(da, nullptr, &nx, &ny, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
              nullptr, nullptr);
  auto a = state.accessor<double, 3>();
  PetscScalar* v;
  VecGetArray(u, &v);
  for (PetscInt j = 0; j < ny; ++j)
    for (PetscInt i = 0; i < nx; ++i)
      for (PetscInt d = 0; d < kDof; ++d) v[(j * nx + i) * kDof + d] = a[d][i][j];
  VecRestoreArray(u, &v);
}

// By hand, on this rank alone: the solver's state after kSolverFrames frames (float32, as the controller
// observes it), restricted by kFactor x kFactor block means, the program's integrator on DMCoarsen of its
// DMDA over kLeapFrames frames, interpolated bilinearly to the fine grid. Also the fine solver's state
// after kSteps frames. Both [dof, x, y].
PetscErrorCode ByHand(at::Tensor* coarse_leap, at::Tensor* fine) {
  Program p;
  DM cda = nullptr;
  Vec cu = nullptr;
  TS cts = nullptr;
  PetscFunctionBeginUser;
  PetscCall(p.Create(PETSC_COMM_SELF, kSteps));
  PetscCall(TSSetUp(p.ts));
  for (PetscInt s = 0; s < kSolverFrames; ++s) PetscCall(TSStep(p.ts));
  const at::Tensor observed = WholeState(p.physics.da, p.u).to(at::kFloat).to(at::kDouble);
  const at::Tensor restricted =
      observed.reshape({kDof, kNx / kFactor, kFactor, kNy / kFactor, kFactor}).mean({2, 4}).to(at::kFloat);
  for (PetscInt s = kSolverFrames; s < kSteps; ++s) PetscCall(TSStep(p.ts));
  *fine = WholeState(p.physics.da, p.u);

  PetscCall(DMCoarsen(p.physics.da, PETSC_COMM_SELF, &cda));
  PetscCall(DMCreateGlobalVector(cda, &cu));
  SetWholeState(cda, restricted.to(at::kDouble), cu);
  PetscCall(CreateTS(cda, &p.physics, cu, kLeapFrames, &cts));
  PetscCall(TSSetTime(cts, PetscReal(kSolverFrames) * kDt));
  PetscCall(TSSetUp(cts));
  for (PetscInt s = 0; s < kLeapFrames; ++s) PetscCall(TSStep(cts));
  const at::Tensor last = WholeState(cda, cu).to(at::kFloat).to(at::kDouble).unsqueeze(0);
  *coarse_leap = at::upsample_bilinear2d(last, {kNx, kNy}, /*align_corners=*/false).squeeze(0).to(at::kFloat);
  PetscCall(TSDestroy(&cts));
  PetscCall(VecDestroy(&cu));
  PetscCall(DMDestroy(&cda));
  PetscFunctionReturn(0);
}

// max |a - ref| / max |ref| over the whole grid: each rank compares its block of `got` with `ref`.
double RelativeMaxDifference(const std::vector<std::vector<float>>& got, const leap::data::Block& block,
                             const at::Tensor& ref) {
  const at::Tensor ref64 = ref.to(at::kDouble);
  auto r = ref64.accessor<double, 3>();
  double m[2] = {0, 0};
  for (int64_t d = 0; d < kDof; ++d)
    for (int64_t i = 0; i < block.count[0]; ++i)
      for (int64_t j = 0; j < block.count[1]; ++j) {
        const double want = r[d][block.start[0] + i][block.start[1] + j];
        const double have = got[size_t(d)][size_t(i * block.count[1] + j)];
        m[0] = std::max(m[0], std::abs(have - want));
        m[1] = std::max(m[1], std::abs(want));
      }
  MPI_Allreduce(MPI_IN_PLACE, m, 2, MPI_DOUBLE, MPI_MAX, PETSC_COMM_WORLD);
  return m[0] / m[1];
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
    Program p;
    ASSERT_EQ(p.Create(PETSC_COMM_WORLD, kSteps), 0);
    ASSERT_EQ(TSSetUp(p.ts), 0);
    {
      leap::test::TrajectoryFile out((Dir() / "oracle.hdf5").string(), kNx, kNy);
      ASSERT_EQ(out.Write(p.physics.da, 0, 0, p.u), 0);
      for (PetscInt s = 1; s <= kSteps; ++s) {
        ASSERT_EQ(TSStep(p.ts), 0);
        ASSERT_EQ(out.Write(p.physics.da, s, p.ts->ptime, p.u), 0);
      }
      out.Finish();
    }
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
  ASSERT_EQ(ByHand(&expected, &fine), 0);

  const fs::path summary = Dir() / "summary.json";
  auto options = LeapOptions(std::to_string(kFactor));
  options.push_back({"-leap_summary", summary.string()});
  ScopedOptions scoped(options);
  Program p;
  ASSERT_EQ(p.Create(PETSC_COMM_WORLD, kSteps), 0);
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
    ASSERT_EQ(p.Create(PETSC_COMM_WORLD, kSteps), 0);
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
