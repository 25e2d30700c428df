// Hybrid runs of the 3-D Euler solver (examples/euler3d) through LeapAttachment on 1 and 3 ranks,
// with the exact solver trajectory as the emulator (TrajectoryOracle over a 3-D Well file): the
// hybrid run lands where the solver-only run lands, to float32 round-off of the injected frames;
// a leap made inadmissible (a negative pressure in one cell) is refused by the 3-D solver's own
// admissibility and leaves the solver's result bit for bit; perturbed leaps get their conserved
// totals (mass, three momenta, energy) back exactly.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>

#include "euler3d/euler_solver.h"
#include "hybrid_test_support.h"
#include "leap/petsc/ts_attach.h"
#include "leap/plugin/emulator.h"

using namespace leap;
using namespace leap::hybrid::test;

namespace {

constexpr int64_t kFrames = 12;
enum Channel { kEnergy = 0, kDensity = 1, kPressure = 2, kMomentumX = 3, kMomentumY = 4, kMomentumZ = 5 };

int Rank() {
  int rank = 0;
  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  return rank;
}

euler3d::EulerConfig Octants(const std::string& injection = "pressure") {
  euler3d::EulerConfig cfg;
  cfg.nx = 12;
  cfg.ny = 10;
  cfg.nz = 8;
  cfg.initial_condition = "octants";
  cfg.seed = 5;
  cfg.injection = injection;
  return cfg;
}

class EditedOracle final : public plugin::Emulator {
 public:
  EditedOracle(std::shared_ptr<plugin::TrajectoryOracle> oracle, std::function<void(at::Tensor&)> edit)
      : oracle_(std::move(oracle)), edit_(std::move(edit)) {}
  at::Tensor leap(const at::Tensor& context, const at::Tensor& theta, int64_t frames,
                  int64_t members) override {
    at::Tensor out = oracle_->leap(context, theta, frames, members).clone();
    edit_(out);
    return out;
  }
  int64_t context_frames() const override { return oracle_->context_frames(); }

 private:
  std::shared_ptr<plugin::TrajectoryOracle> oracle_;
  std::function<void(at::Tensor&)> edit_;
};

class HybridEuler3D : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = TempPath("leap_hybrid_reference_3d");
    ASSERT_EQ(euler3d::EulerSolver::Create(PETSC_COMM_WORLD, Octants(), &reference_), 0);
    ASSERT_NO_FATAL_FAILURE(WriteReferenceTrajectory(*reference_, kFrames, path_));
    if (Rank() == 0) oracle_ = std::make_shared<plugin::TrajectoryOracle>(path_, 0, /*context=*/1);
  }
  // The reference trajectory (with its XDMF) is this run's own (TempPath): rank 0 removes it.
  void TearDown() override {
    MPI_Barrier(PETSC_COMM_WORLD);
    if (Rank() == 0) {
      std::filesystem::remove(path_);
      std::filesystem::remove(std::filesystem::path(path_).replace_extension(".xdmf"));
    }
  }

  petsc::LeapAttachOptions Options(std::shared_ptr<plugin::Emulator> emulator) const {
    petsc::LeapAttachOptions o;
    o.mode = "hybrid";
    o.leap_frames = 3;
    o.solver_frames = 2;
    o.frame_interval = kFrameInterval;
    o.emulator = Rank() == 0 ? std::move(emulator) : nullptr;
    return o;
  }

  void RunHybrid(const petsc::LeapAttachOptions& options, std::unique_ptr<euler3d::EulerSolver>* solver,
                 std::unique_ptr<petsc::LeapAttachment>* attachment) {
    ASSERT_EQ(euler3d::EulerSolver::Create(PETSC_COMM_WORLD, Octants(), solver), 0);
    ASSERT_EQ(petsc::LeapAttachCreate(solver->get(), options, attachment), 0);
    ASSERT_EQ((*attachment)->Run(PetscReal(kFrames) * kFrameInterval), 0);
    EXPECT_DOUBLE_EQ(double((*solver)->time()), double(kFrames) * kFrameInterval);
  }

  std::string path_;
  std::unique_ptr<euler3d::EulerSolver> reference_;
  std::shared_ptr<plugin::TrajectoryOracle> oracle_;
};

TEST_F(HybridEuler3D, OracleLeapsReproduceTheSolverOnlyRun) {
  std::unique_ptr<euler3d::EulerSolver> solver;
  std::unique_ptr<petsc::LeapAttachment> attachment;
  ASSERT_NO_FATAL_FAILURE(RunHybrid(Options(oracle_), &solver, &attachment));
  const auto& s = attachment->stats();
  // Frames 0-2 solver, 2->5 leap, 5-7, 7->10, 10-12 by the solver (no room for a third leap).
  EXPECT_EQ(s.leaps_accepted, 2);
  EXPECT_EQ(s.leaps_rejected, 0);
  EXPECT_EQ(s.frames_emulated, 6);
  EXPECT_EQ(s.frames_solved, 6);
  const double diff = RelativeDifference(solver->solution(), reference_->solution());
  EXPECT_LT(diff, 1e-6) << "hybrid vs solver-only";
  EXPECT_GT(diff, 0.0) << "the injected float32 frames must have been used";
  if (Rank() == 0) {
    EXPECT_EQ(oracle_->last_match(), 7);  // the second leap started from frame 7
    std::printf("3-D hybrid (oracle) vs solver-only: relative difference %.3e\n", diff);
  }
}

TEST_F(HybridEuler3D, InadmissibleLeapIsRefusedByTheSolver) {
  auto bad =
      std::make_shared<EditedOracle>(oracle_, [](at::Tensor& x) { x[0][kPressure][3][4][5].fill_(-1.0f); });
  auto options = Options(bad);
  options.restore_conserved = PETSC_FALSE;
  std::unique_ptr<euler3d::EulerSolver> solver;
  std::unique_ptr<petsc::LeapAttachment> attachment;
  ASSERT_NO_FATAL_FAILURE(RunHybrid(options, &solver, &attachment));
  EXPECT_EQ(attachment->stats().leaps_accepted, 0);
  EXPECT_GE(attachment->stats().leaps_rejected, 2);
  for (const auto& r : attachment->policy().records())
    EXPECT_EQ(r.verdict, plugin::LeapVerdict::admissibility);
  PetscBool same = PETSC_FALSE;
  VecEqual(solver->solution(), reference_->solution(), &same);
  EXPECT_TRUE(same) << "a rejected leap must leave the solver's own result, bit for bit";
}

TEST_F(HybridEuler3D, ConservedTotalsAreRestoredAfterAPerturbedLeap) {
  auto perturbed = std::make_shared<EditedOracle>(oracle_, [](at::Tensor& x) {
    x.select(1, kDensity).mul_(1.03f);
    x.select(1, kMomentumX).add_(0.05f);
    x.select(1, kMomentumZ).sub_(0.02f);
    x.select(1, kEnergy).mul_(0.98f);
  });
  // Restored (the default), then not: the periodic solver keeps its totals to round-off, so the
  // totals at the end equal those at the start exactly when the leap's were restored. The second
  // leap's context is off the stored trajectory after the perturbed first one: the oracle fails it.
  for (const PetscBool restore : {PETSC_TRUE, PETSC_FALSE}) {
    SCOPED_TRACE(restore ? "restored" : "not restored");
    auto options = Options(perturbed);
    options.restore_conserved = restore;
    std::unique_ptr<euler3d::EulerSolver> solver;
    std::unique_ptr<petsc::LeapAttachment> attachment;
    ASSERT_EQ(euler3d::EulerSolver::Create(PETSC_COMM_WORLD, Octants("energy"), &solver), 0);
    ASSERT_EQ(petsc::LeapAttachCreate(solver.get(), options, &attachment), 0);
    PetscScalar before[5], after[5];
    VecStrideSumAll(solver->solution(), before);
    ASSERT_EQ(attachment->Run(PetscReal(kFrames) * kFrameInterval), 0);
    EXPECT_EQ(attachment->stats().leaps_accepted, 1);
    VecStrideSumAll(solver->solution(), after);
    double worst = 0;  // relative change of mass and energy, absolute of the momenta
    for (int k = 0; k < 5; ++k)
      worst = std::max(worst,
                       std::abs(double(after[k] - before[k])) / std::max(1.0, std::abs(double(before[k]))));
    if (restore)
      EXPECT_LT(worst, 1e-10);
    else
      EXPECT_GT(worst, 1e-2);
  }
}

}  // namespace
