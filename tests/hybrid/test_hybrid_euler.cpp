// Hybrid runs of the 2-D Euler solver on 1, 2 and 4 ranks with emulators whose answer is known:
// the exact solver trajectory (TrajectoryOracle), a non-finite state, an inadmissible state and a
// perturbed one. They prove injection, time bookkeeping, restart, rejection and the exact
// restoration of the conserved totals.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>

#include "hybrid_test_support.h"
#include "leap/data/well_file.h"
#include "leap/petsc/ts_attach.h"
#include "leap/plugin/emulator.h"
#include "leap/plugin/state_exchange.h"

using namespace leap;
using namespace leap::hybrid::test;

namespace {

constexpr int64_t kFrames = 20;

int Rank() {
  int rank = 0;
  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  return rank;
}

// The oracle's answer changed by `edit` (on the emulator rank).
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

// A deliberately poor emulator: the last observed frame, unchanged (persistence).
class Persistence final : public plugin::Emulator {
 public:
  at::Tensor leap(const at::Tensor& context, const at::Tensor&, int64_t, int64_t members) override {
    return context[-1].unsqueeze(0).repeat({members, 1, 1, 1}).contiguous();
  }
  int64_t context_frames() const override { return 1; }
};

// Channels of the Euler state in The Well's order.
enum Channel { kEnergy = 0, kDensity = 1, kPressure = 2, kMomentumX = 3, kMomentumY = 4 };

class HybridEuler : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = TempPath("leap_hybrid_reference");
    ASSERT_EQ(euler2d::EulerSolver::Create(PETSC_COMM_WORLD, PeriodicQuadrants32(), &reference_), 0);
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
    o.leap_frames = 4;
    o.solver_frames = 3;
    o.frame_interval = kFrameInterval;
    o.emulator = Rank() == 0 ? std::move(emulator) : nullptr;
    return o;
  }

  // A fresh solver with LEAP attached, run to the last frame.
  void RunHybrid(const petsc::LeapAttachOptions& options, std::unique_ptr<euler2d::EulerSolver>* solver,
                 std::unique_ptr<petsc::LeapAttachment>* attachment,
                 const std::string& injection = "pressure") {
    euler2d::EulerConfig cfg = PeriodicQuadrants32();
    cfg.injection = injection;
    ASSERT_EQ(euler2d::EulerSolver::Create(PETSC_COMM_WORLD, cfg, solver), 0);
    ASSERT_EQ(petsc::LeapAttachCreate(solver->get(), options, attachment), 0);
    ASSERT_EQ((*attachment)->Run(PetscReal(kFrames) * kFrameInterval), 0);
    EXPECT_DOUBLE_EQ(double((*solver)->time()), double(kFrames) * kFrameInterval);
  }

  std::string path_;
  std::unique_ptr<euler2d::EulerSolver> reference_;
  std::shared_ptr<plugin::TrajectoryOracle> oracle_;
};

TEST_F(HybridEuler, OracleLeapsReproduceTheSolverOnlyRun) {
  std::unique_ptr<euler2d::EulerSolver> solver;
  std::unique_ptr<petsc::LeapAttachment> attachment;
  ASSERT_NO_FATAL_FAILURE(RunHybrid(Options(oracle_), &solver, &attachment));
  const auto& s = attachment->stats();
  // 3 solver frames, a 4-frame leap, ...: frames 0-3 solver, 3->7 leap, 7-10, 10->14, 14-17, 17->... no
  // room for a third leap (17 + 4 > 20), so 17-20 by the solver.
  EXPECT_EQ(s.leaps_accepted, 2);
  EXPECT_EQ(s.leaps_rejected, 0);
  EXPECT_EQ(s.frames_emulated, 8);
  EXPECT_EQ(s.frames_solved, 12);
  EXPECT_EQ(s.frames_emulated + s.frames_solved, kFrames);
  EXPECT_GT(s.gather_seconds + s.emulate_seconds + s.scatter_seconds, 0.0);
  // The step number went forward by the emulated frames too.
  PetscInt steps_hybrid, steps_reference;
  TSGetStepNumber(solver->ts(), &steps_hybrid);
  TSGetStepNumber(reference_->ts(), &steps_reference);
  EXPECT_GT(steps_hybrid, 0);
  EXPECT_LT(steps_hybrid, steps_reference + 8);
  // Float32 storage of the injected frames: the runs agree to round-off.
  const double diff = RelativeDifference(solver->solution(), reference_->solution());
  EXPECT_LT(diff, 1e-6) << "hybrid vs solver-only";
  EXPECT_GT(diff, 0.0) << "the injected float32 frames must have been used";
  if (Rank() == 0) {
    EXPECT_EQ(oracle_->last_match(), 10);  // the second leap started from frame 10
    std::printf("hybrid (oracle) vs solver-only: relative difference %.3e\n", diff);
  }
}

TEST_F(HybridEuler, NonFiniteLeapIsRejectedAndTheSolverGoesOn) {
  auto nan_leap = std::make_shared<EditedOracle>(
      oracle_, [](at::Tensor& x) { x[0][kDensity][5][7].fill_(std::numeric_limits<float>::quiet_NaN()); });
  std::unique_ptr<euler2d::EulerSolver> solver;
  std::unique_ptr<petsc::LeapAttachment> attachment;
  ASSERT_NO_FATAL_FAILURE(RunHybrid(Options(nan_leap), &solver, &attachment));
  const auto& s = attachment->stats();
  EXPECT_EQ(s.leaps_accepted, 0);
  EXPECT_GE(s.leaps_rejected, 2);
  EXPECT_EQ(s.frames_solved, kFrames);
  for (const auto& r : attachment->policy().records())  // the first rung of the policy's ladder
    EXPECT_EQ(r.verdict, plugin::LeapVerdict::not_finite) << r.reason;
  PetscBool same = PETSC_FALSE;
  VecEqual(solver->solution(), reference_->solution(), &same);
  EXPECT_TRUE(same) << "a rejected leap must leave the solver's own result, bit for bit";
}

TEST_F(HybridEuler, InadmissibleLeapIsRejectedAndTheStateRestored) {
  // A negative value in one cell of the channel the injection reads (pressure, or energy with
  // E < kinetic energy): finite, injected, p < 0, refused by the admissibility check.
  for (const auto& [injection, channel] : {std::make_pair(std::string("pressure"), int(kPressure)),
                                           std::make_pair(std::string("energy"), int(kEnergy))}) {
    SCOPED_TRACE("injection " + injection);
    auto bad = std::make_shared<EditedOracle>(
        oracle_, [channel = channel](at::Tensor& x) { x[0][channel][3][4].fill_(-1.0f); });
    auto options = Options(bad);
    options.restore_conserved = PETSC_FALSE;  // the energy scaling would hide nothing, but keep it plain
    std::unique_ptr<euler2d::EulerSolver> solver;
    std::unique_ptr<petsc::LeapAttachment> attachment;
    ASSERT_NO_FATAL_FAILURE(RunHybrid(options, &solver, &attachment, injection));
    EXPECT_EQ(attachment->stats().leaps_accepted, 0);
    EXPECT_GE(attachment->stats().leaps_rejected, 2);
    // Refused by the Euler solver's own admissibility (EulerSolver::Admissible), through the policy.
    for (const auto& r : attachment->policy().records()) {
      EXPECT_EQ(r.verdict, plugin::LeapVerdict::admissibility);
      EXPECT_NE(r.reason.find("non-positive density"), std::string::npos) << r.reason;
    }
    PetscBool same = PETSC_FALSE;
    VecEqual(solver->solution(), reference_->solution(), &same);
    EXPECT_TRUE(same);
  }
}

TEST_F(HybridEuler, PressureInjectionIgnoresTheEmulatedEnergy) {
  // With injection "pressure" the energy follows from density, momentum and pressure: a wrong
  // energy channel changes nothing, and the leaps are accepted.
  auto bad = std::make_shared<EditedOracle>(oracle_, [](at::Tensor& x) { x[0][kEnergy][3][4].fill_(-1.0f); });
  std::unique_ptr<euler2d::EulerSolver> a, b;
  std::unique_ptr<petsc::LeapAttachment> aa, ab;
  ASSERT_NO_FATAL_FAILURE(RunHybrid(Options(bad), &a, &aa));
  ASSERT_NO_FATAL_FAILURE(RunHybrid(Options(oracle_), &b, &ab));
  EXPECT_EQ(aa->stats().leaps_accepted, 2);
  PetscBool same = PETSC_FALSE;
  VecEqual(a->solution(), b->solution(), &same);
  EXPECT_TRUE(same);
}

TEST_F(HybridEuler, ConservedTotalsAreRestoredExactlyAfterAPerturbedLeap) {
  auto perturbed = std::make_shared<EditedOracle>(oracle_, [](at::Tensor& x) {
    x.select(1, kDensity).mul_(1.03f);
    x.select(1, kMomentumX).add_(0.05f);
    x.select(1, kMomentumY).sub_(0.02f);
    x.select(1, kEnergy).mul_(0.98f);
  });
  auto options = Options(perturbed);
  options.solver_frames = 1000;  // no leap while running to frame 2
  std::unique_ptr<euler2d::EulerSolver> solver;
  std::unique_ptr<petsc::LeapAttachment> attachment;
  ASSERT_EQ(euler2d::EulerSolver::Create(PETSC_COMM_WORLD, PeriodicQuadrants32(), &solver), 0);
  ASSERT_EQ(petsc::LeapAttachCreate(solver.get(), options, &attachment), 0);
  ASSERT_EQ(attachment->Run(2 * kFrameInterval), 0);
  ASSERT_TRUE(attachment->context_ready());
  std::array<PetscReal, 4> before, after;
  ASSERT_EQ(solver->ConservedTotals(&before), 0);
  PetscBool accepted = PETSC_FALSE;
  ASSERT_EQ(attachment->Leap(&accepted), 0);
  ASSERT_TRUE(accepted);
  EXPECT_DOUBLE_EQ(double(solver->time()), 6 * kFrameInterval);
  ASSERT_EQ(solver->ConservedTotals(&after), 0);
  const double mass = std::abs(double(before[0]));
  for (int k = 0; k < 4; ++k) {
    const double scale = std::max(std::abs(double(before[k])), mass);
    EXPECT_LE(std::abs(double(after[k] - before[k])), 1e-12 * scale) << "total " << k;
  }
  // The perturbation was there: without the restore the mass would be 3% higher.
  auto plain = options;
  plain.restore_conserved = PETSC_FALSE;
  std::unique_ptr<euler2d::EulerSolver> other;
  std::unique_ptr<petsc::LeapAttachment> other_attachment;
  ASSERT_EQ(euler2d::EulerSolver::Create(PETSC_COMM_WORLD, PeriodicQuadrants32(), &other), 0);
  ASSERT_EQ(petsc::LeapAttachCreate(other.get(), plain, &other_attachment), 0);
  ASSERT_EQ(other_attachment->Run(2 * kFrameInterval), 0);
  ASSERT_EQ(other_attachment->Leap(&accepted), 0);
  ASSERT_TRUE(accepted);
  std::array<PetscReal, 4> unrestored;
  ASSERT_EQ(other->ConservedTotals(&unrestored), 0);
  EXPECT_NEAR(double(unrestored[0] / before[0]), 1.03, 1e-4);
  // And the solver goes on from the corrected state.
  ASSERT_EQ(attachment->Run(8 * kFrameInterval), 0);
  PetscReal rho, p;
  ASSERT_EQ(solver->MinDensityPressure(&rho, &p), 0);
  EXPECT_GT(rho, 0);
  EXPECT_GT(p, 0);
}

TEST_F(HybridEuler, OptionsDatabaseAndBadOptions) {
  PetscOptionsSetValue(nullptr, "-leap_mode", "record");
  PetscOptionsSetValue(nullptr, "-leap_leap_frames", "6");
  PetscOptionsSetValue(nullptr, "-leap_solver_frames", "2");
  PetscOptionsSetValue(nullptr, "-leap_frame_interval", "0.02");
  petsc::LeapAttachOptions o;
  ASSERT_EQ(petsc::LeapAttachOptionsFromDatabase(PETSC_COMM_WORLD, &o), 0);
  PetscOptionsClearValue(nullptr, "-leap_mode");
  PetscOptionsClearValue(nullptr, "-leap_leap_frames");
  PetscOptionsClearValue(nullptr, "-leap_solver_frames");
  PetscOptionsClearValue(nullptr, "-leap_frame_interval");
  EXPECT_EQ(o.mode, "record");
  EXPECT_EQ(o.leap_frames, 6);
  EXPECT_EQ(o.solver_frames, 2);
  EXPECT_DOUBLE_EQ(double(o.frame_interval), 0.02);
  // Record mode observes every frame and never leaps; the result is the solver's own.
  o.emulator = Rank() == 0 ? oracle_ : nullptr;
  o.frame_interval = kFrameInterval;
  std::unique_ptr<euler2d::EulerSolver> solver;
  std::unique_ptr<petsc::LeapAttachment> attachment;
  ASSERT_EQ(euler2d::EulerSolver::Create(PETSC_COMM_WORLD, PeriodicQuadrants32(), &solver), 0);
  ASSERT_EQ(petsc::LeapAttachCreate(solver.get(), o, &attachment), 0);
  ASSERT_EQ(attachment->Run(PetscReal(kFrames) * kFrameInterval), 0);
  EXPECT_EQ(attachment->stats().observations, kFrames + 1);
  EXPECT_EQ(attachment->stats().leaps, 0);
  PetscBool same = PETSC_FALSE;
  VecEqual(solver->solution(), reference_->solution(), &same);
  EXPECT_TRUE(same);
  // An end time off the frame grid, and a bad mode, are refused.
  PetscPushErrorHandler(PetscReturnErrorHandler, nullptr);
  EXPECT_NE(attachment->Run(PetscReal(kFrames + 0.5) * kFrameInterval), 0);
  o.mode = "sometimes";
  std::unique_ptr<petsc::LeapAttachment> bad;
  EXPECT_NE(petsc::LeapAttachCreate(solver.get(), o, &bad), 0);
  PetscPopErrorHandler();
}

TEST_F(HybridEuler, CheckModeLengthensTheLeapsOfAnAccurateEmulator) {
  auto options = Options(oracle_);
  options.leap_frames = 2;
  options.solver_frames = 1;
  options.check_every = 1;
  options.check_tolerance = 0.05;
  options.max_leap_frames = 8;
  std::unique_ptr<euler2d::EulerSolver> solver;
  std::unique_ptr<petsc::LeapAttachment> attachment;
  ASSERT_NO_FATAL_FAILURE(RunHybrid(options, &solver, &attachment));
  // Frame 1: a 2-frame leap, checked and passed -> 4 frames; frame 4: 4 -> 8; frame 9: 8 (the
  // bound); frame 18: no room for another leap.
  const auto& checks = attachment->checks();
  ASSERT_EQ(checks.size(), 3u);
  const PetscInt frames[3] = {2, 4, 8}, starts[3] = {1, 4, 9};
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(checks[k].frame, starts[k]);
    EXPECT_EQ(checks[k].frames, frames[k]);
    EXPECT_TRUE(checks[k].passed);
    EXPECT_LT(checks[k].vrmse, 1e-4) << "the oracle is the solver (float32 frames)";
  }
  EXPECT_EQ(attachment->leap_frames(), 8);
  const auto& s = attachment->stats();
  EXPECT_EQ(s.leaps_accepted, 3);
  EXPECT_EQ(s.frames_emulated, 14);
  EXPECT_EQ(attachment->check_frames(), 14);
  EXPECT_EQ(s.frames_solved + s.frames_emulated, kFrames);
  EXPECT_LT(RelativeDifference(solver->solution(), reference_->solution()), 1e-6);
}

TEST_F(HybridEuler, CheckModeShortensTheLeapsOfAPoorEmulatorAndKeepsTheSolverState) {
  auto options = Options(std::make_shared<Persistence>());
  options.leap_frames = 4;
  options.solver_frames = 1;
  options.check_every = 1;
  options.check_tolerance = 1e-3;
  std::unique_ptr<euler2d::EulerSolver> solver;
  std::unique_ptr<petsc::LeapAttachment> attachment;
  ASSERT_NO_FATAL_FAILURE(RunHybrid(options, &solver, &attachment));
  const auto& checks = attachment->checks();
  ASSERT_GE(checks.size(), 3u);
  EXPECT_EQ(checks[0].frames, 4);
  EXPECT_EQ(checks[1].frames, 2);  // halved at least, then down to the minimum
  EXPECT_EQ(checks[2].frames, 1);
  for (const auto& c : checks) {
    EXPECT_FALSE(c.passed);
    EXPECT_GT(c.vrmse, 1e-3);
  }
  EXPECT_EQ(attachment->leap_frames(), 1);
  const auto& s = attachment->stats();
  EXPECT_EQ(s.leaps_accepted, 0);
  EXPECT_EQ(s.leaps_rejected, int64_t(checks.size()));
  EXPECT_EQ(s.frames_solved, kFrames) << "every failed check's frames are the run's own";
  // Every frame came from the solver, landing on the same frame times: the solver-only result.
  EXPECT_LT(RelativeDifference(solver->solution(), reference_->solution()), 1e-13);
}

TEST_F(HybridEuler, EnsembleSpreadAboveTheLimitSuppressesTheLeap) {
  // Two members 2% below and above the solver's state: a relative spread of a few percent, and a
  // mean that is the solver's state (to float32 round-off).
  auto spread = std::make_shared<EditedOracle>(oracle_, [](at::Tensor& x) {
    x[0].mul_(0.98f);
    x[1].mul_(1.02f);
  });
  auto options = Options(spread);
  options.members = 2;
  options.max_spread = 1e-3;
  std::unique_ptr<euler2d::EulerSolver> solver;
  std::unique_ptr<petsc::LeapAttachment> attachment;
  ASSERT_NO_FATAL_FAILURE(RunHybrid(options, &solver, &attachment));
  EXPECT_EQ(attachment->stats().leaps_accepted, 0);
  EXPECT_GE(attachment->leaps_suppressed(), 2);
  EXPECT_EQ(attachment->leaps_suppressed(), attachment->stats().leaps_rejected);
  for (double r : attachment->relative_spreads()) {
    EXPECT_GT(r, 1e-3);
    EXPECT_LT(r, 0.5);
  }
  PetscBool same = PETSC_FALSE;
  VecEqual(solver->solution(), reference_->solution(), &same);
  EXPECT_TRUE(same) << "suppressed leaps leave the solver's own result";
  // Below the limit the same ensemble leaps.
  options.max_spread = 1.0;
  std::unique_ptr<euler2d::EulerSolver> other;
  std::unique_ptr<petsc::LeapAttachment> other_attachment;
  ASSERT_NO_FATAL_FAILURE(RunHybrid(options, &other, &other_attachment));
  EXPECT_EQ(other_attachment->stats().leaps_accepted, 2);
  EXPECT_EQ(other_attachment->leaps_suppressed(), 0);
}

TEST_F(HybridEuler, RecordingWritesTheSolverFramesAsTrajectories) {
  const std::filesystem::path dir =
      std::filesystem::path(TempPath("leap_hybrid_recording")).replace_extension("");
  if (Rank() == 0) std::filesystem::remove_all(dir);
  MPI_Barrier(PETSC_COMM_WORLD);
  auto options = Options(oracle_);
  options.record.dir = dir.string();
  options.record.name = "rec";
  options.record.frames_per_trajectory = 3;
  std::unique_ptr<euler2d::EulerSolver> solver;
  std::unique_ptr<petsc::LeapAttachment> attachment;
  ASSERT_NO_FATAL_FAILURE(RunHybrid(options, &solver, &attachment));
  ASSERT_EQ(attachment->FinishRecording(), 0);
  // Frames 0-3 by the solver (0,1,2 recorded; 3 dropped by the leap), leap to 7, 7-10 (7,8,9), leap
  // to 14, 14-17 (14,15,16), no room for a leap: 17-20 (17,18,19; 20 left over).
  const int64_t starts[4] = {0, 7, 14, 17};
  ASSERT_EQ(attachment->recorded_trajectories(), 4);
  const data::WellFile reference(path_);
  // A collection in The Well's layout: the one dataset is the solver's (its dataset_name).
  const std::filesystem::path ds = dir / reference.layout().dataset_name;
  ASSERT_TRUE(std::filesystem::is_directory(ds / "data" / "train")) << ds;
  for (int k = 0; k < 4; ++k) {
    const data::WellFile f((ds / "data" / "train" / ("rec_" + std::to_string(k) + ".hdf5")).string());
    ASSERT_EQ(f.layout().n_steps, 3);
    ASSERT_EQ(f.layout().channel_names(), reference.layout().channel_names());
    for (int64_t s = 0; s < 3; ++s) {
      EXPECT_NEAR(f.layout().times[size_t(s)], double(starts[k] + s) * kFrameInterval, 1e-7);  // float32
      const auto got = f.read_state(0, s), want = reference.read_state(0, starts[k] + s);
      ASSERT_EQ(got.size(), want.size());
      double num = 0, den = 0;
      for (size_t i = 0; i < got.size(); ++i) {
        num += (double(got[i]) - want[i]) * (double(got[i]) - want[i]);
        den += double(want[i]) * want[i];
      }
      EXPECT_LT(std::sqrt(num / den), 1e-6) << "trajectory " << k << " frame " << s;
    }
  }
  EXPECT_TRUE(std::filesystem::is_regular_file(ds / "stats.yaml"));
  EXPECT_FALSE(std::filesystem::exists(ds / "data" / "train" / "rec_4.hdf5"));
  MPI_Barrier(PETSC_COMM_WORLD);
  // A second recording of the same name into the same directory is refused before any step.
  PetscPushErrorHandler(PetscReturnErrorHandler, nullptr);
  std::unique_ptr<euler2d::EulerSolver> again;
  std::unique_ptr<petsc::LeapAttachment> again_attachment;
  ASSERT_EQ(euler2d::EulerSolver::Create(PETSC_COMM_WORLD, PeriodicQuadrants32(), &again), 0);
  EXPECT_NE(petsc::LeapAttachCreate(again.get(), options, &again_attachment), 0);
  PetscPopErrorHandler();
  MPI_Barrier(PETSC_COMM_WORLD);
  if (Rank() == 0) std::filesystem::remove_all(dir);
}

TEST_F(HybridEuler, EulerRestoreKeepsThePressurePositiveThroughTheInternalEnergy) {
  // A leap with too much mass, a momentum offset and 10% too much pressure: the Euler restore takes the
  // excess out of the density (scaled) and the momentum (shifted) and scales the internal energy uniformly so
  // that the total energy is the pre-leap one: every cell's pressure changes by the same factor.
  auto perturbed = std::make_shared<EditedOracle>(oracle_, [](at::Tensor& x) {
    x.select(1, kDensity).mul_(1.05f);
    x.select(1, kMomentumX).add_(0.2f);
    x.select(1, kPressure).mul_(1.1f);
  });
  auto options = Options(perturbed);
  options.solver_frames = 1000;
  auto leap_once = [&](bool euler_restore, std::unique_ptr<euler2d::EulerSolver>* solver,
                       std::unique_ptr<petsc::LeapAttachment>* attachment) {
    auto o = options;
    o.restore_conserved = euler_restore ? PETSC_TRUE : PETSC_FALSE;
    ASSERT_EQ(euler2d::EulerSolver::Create(PETSC_COMM_WORLD, PeriodicQuadrants32(), solver), 0);
    ASSERT_EQ(petsc::LeapAttachCreate(solver->get(), o, attachment), 0);
    ASSERT_EQ((*attachment)->Run(2 * kFrameInterval), 0);
    PetscBool accepted = PETSC_FALSE;
    ASSERT_EQ((*attachment)->Leap(&accepted), 0);
    ASSERT_TRUE(accepted);
  };
  std::unique_ptr<euler2d::EulerSolver> restored, plain;
  std::unique_ptr<petsc::LeapAttachment> ra, pa;
  std::array<PetscReal, 4> before;
  {
    std::unique_ptr<euler2d::EulerSolver> probe;
    ASSERT_EQ(euler2d::EulerSolver::Create(PETSC_COMM_WORLD, PeriodicQuadrants32(), &probe), 0);
    ASSERT_EQ(probe->Advance(2 * kFrameInterval), 0);
    ASSERT_EQ(probe->ConservedTotals(&before), 0);
  }
  ASSERT_NO_FATAL_FAILURE(leap_once(true, &restored, &ra));
  ASSERT_NO_FATAL_FAILURE(leap_once(false, &plain, &pa));
  std::array<PetscReal, 4> after, unrestored;
  ASSERT_EQ(restored->ConservedTotals(&after), 0);
  ASSERT_EQ(plain->ConservedTotals(&unrestored), 0);
  const double mass = std::abs(double(before[0]));
  for (int k = 0; k < 4; ++k)
    EXPECT_LE(std::abs(double(after[k] - before[k])), 1e-12 * std::max(std::abs(double(before[k])), mass))
        << k;
  EXPECT_NEAR(double(unrestored[0] / before[0]), 1.05, 1e-3) << "the perturbation was there";
  PetscReal rho, p;
  ASSERT_EQ(restored->MinDensityPressure(&rho, &p), 0);
  EXPECT_GT(p, 0);
  // The pressure (internal energy) of every cell scaled by one factor.
  std::vector<float> pr, pp;
  ASSERT_EQ(restored->ExtractWellField("pressure", &pr), 0);
  ASSERT_EQ(plain->ExtractWellField("pressure", &pp), 0);
  double lo = 1e300, hi = -1e300;
  for (size_t i = 0; i < pr.size(); ++i) {
    lo = std::min(lo, double(pr[i]) / pp[i]);
    hi = std::max(hi, double(pr[i]) / pp[i]);
  }
  double g[2] = {-lo, hi};
  MPI_Allreduce(MPI_IN_PLACE, g, 2, MPI_DOUBLE, MPI_MAX, PETSC_COMM_WORLD);
  EXPECT_LT(g[1] / -g[0] - 1, 1e-5) << "pressure ratios from " << -g[0] << " to " << g[1];
  // Density and momentum come back to the solver's (the oracle's) exactly, so the energy restore
  // removes exactly the 10% of internal energy the perturbation added.
  EXPECT_NEAR(g[1], 1 / 1.1, 1e-4);
}

}  // namespace

namespace {

// This rank's block of every field of `s`, packed cell by cell (xyc, The Well's channel order), and back.
std::vector<float> PackFields(const petsc::FluidSolver& s) {
  data::Block b;
  EXPECT_EQ(s.GetBlock(&b), 0);
  std::vector<std::vector<float>> fields;
  std::vector<int64_t> comps;
  for (const auto& f : s.well_fields()) {
    fields.emplace_back();
    EXPECT_EQ(s.ExtractWellField(f.name, &fields.back()), 0);
    comps.push_back(f.order == 0 ? 1 : 2);
  }
  std::vector<float> packed;
  for (int64_t n = 0; n < b.cells(); ++n)
    for (size_t f = 0; f < fields.size(); ++f)
      for (int64_t q = 0; q < comps[f]; ++q) packed.push_back(fields[f][size_t(n * comps[f] + q)]);
  return packed;
}

std::vector<std::vector<float>> UnpackFields(const petsc::FluidSolver& s, const std::vector<float>& packed) {
  data::Block b;
  EXPECT_EQ(s.GetBlock(&b), 0);
  std::vector<std::vector<float>> fields;
  size_t at = 0;
  std::vector<int64_t> comps;
  for (const auto& f : s.well_fields()) comps.push_back(f.order == 0 ? 1 : 2);
  fields.resize(comps.size());
  for (int64_t n = 0; n < b.cells(); ++n)
    for (size_t f = 0; f < comps.size(); ++f)
      for (int64_t q = 0; q < comps[f]; ++q) fields[f].push_back(packed[at++]);
  return fields;
}

plugin::StateExchange Exchange(const petsc::FluidSolver& s, int64_t n) {
  data::Block b;
  EXPECT_EQ(s.GetBlock(&b), 0);
  plugin::ExchangeOptions o;
  o.layout = plugin::BlockLayout::xyc;
  return plugin::StateExchange(PETSC_COMM_WORLD, {n, n}, b, 5, o);
}

}  // namespace

// Solver guidance's baseline (guidance coarse_only): the leap is a 16^2 copy of the solver started
// from the block means of the 32^2 state and advanced frame by frame over the leap, interpolated
// bilinearly back. The same chain done here by hand (restriction in double from the reference
// trajectory, a separate coarse solver, at::upsample_bilinear2d) gives the hybrid state on any
// rank count, to float32 round-off.
TEST_F(HybridEuler, CoarseOnlyLeapIsTheCoarseSolverFromTheRestrictedState) {
  euler2d::EulerConfig coarse_cfg = PeriodicQuadrants32();
  coarse_cfg.nx = coarse_cfg.ny = 16;
  std::unique_ptr<euler2d::EulerSolver> coarse_solver, check;
  ASSERT_EQ(euler2d::EulerSolver::Create(PETSC_COMM_WORLD, coarse_cfg, &coarse_solver), 0);
  ASSERT_EQ(euler2d::EulerSolver::Create(PETSC_COMM_WORLD, coarse_cfg, &check), 0);
  petsc::LeapAttachOptions o = Options(std::make_shared<Persistence>());
  o.guidance = "coarse_only";
  o.coarse_factor = 2;
  o.restore_conserved = PETSC_FALSE;
  o.coarse = std::shared_ptr<petsc::FluidSolver>(std::move(coarse_solver));
  euler2d::EulerConfig cfg = PeriodicQuadrants32();
  std::unique_ptr<euler2d::EulerSolver> solver;
  std::unique_ptr<petsc::LeapAttachment> a;
  ASSERT_EQ(euler2d::EulerSolver::Create(PETSC_COMM_WORLD, cfg, &solver), 0);
  ASSERT_EQ(petsc::LeapAttachCreate(solver.get(), o, &a), 0);
  // Frames 0..3 by the solver, the leap 3 -> 7.
  ASSERT_EQ(a->Run(7 * kFrameInterval), 0);
  ASSERT_EQ(a->stats().leaps_accepted, 1);
  EXPECT_EQ(a->stats().coarse_frames, 4);
  EXPECT_GT(a->stats().coarse_seconds, 0.0);
  EXPECT_EQ(a->policy().summary()["settings"]["guidance"], "coarse_only");

  // By hand: frame 3 of the reference trajectory (the same solver, the same frames), its 2 x 2 means.
  at::Tensor restricted;
  if (Rank() == 0) {
    data::WellFile file(path_);
    const at::Tensor f3 = at::tensor(file.read_state(0, 3), at::kFloat).reshape({5, 32, 32}).to(at::kDouble);
    restricted = f3.reshape({5, 16, 2, 16, 2}).mean({2, 4}).to(at::kFloat).contiguous();
  }
  plugin::StateExchange coarse_exchange = Exchange(*check, 16), fine_exchange = Exchange(*solver, 32);
  std::vector<float> block(size_t(coarse_exchange.block_size()));
  coarse_exchange.scatter(restricted, block.data());
  ASSERT_EQ(check->InjectWellFields(UnpackFields(*check, block)), 0);
  ASSERT_EQ(TSSetTime(check->ts(), 3 * kFrameInterval), 0);
  for (int k = 4; k <= 7; ++k) ASSERT_EQ(check->Advance(k * kFrameInterval), 0);
  const at::Tensor coarse_end = coarse_exchange.gather(PackFields(*check).data());
  const at::Tensor hybrid_end = fine_exchange.gather(PackFields(*solver).data());
  if (Rank() == 0) {
    const at::Tensor expected =
        at::upsample_bilinear2d(coarse_end.unsqueeze(0).to(at::kDouble), {32, 32}, false).squeeze(0);
    // Density, pressure and momentum are injected as they are (the energy follows from them).
    for (int c : {kDensity, kPressure, kMomentumX, kMomentumY}) {
      const double err = (hybrid_end[c].to(at::kDouble) - expected[c]).abs().max().item<double>();
      const double scale = expected[c].abs().max().item<double>();
      EXPECT_LT(err, 1e-5 * scale) << "channel " << c;
    }
    // Not the fine solver's own frame 7: the coarse run is another discretisation.
    data::WellFile file(path_);
    const at::Tensor f7 = at::tensor(file.read_state(0, 7), at::kFloat).reshape({5, 32, 32}).to(at::kDouble);
    EXPECT_GT((f7[kDensity] - expected[kDensity]).abs().max().item<double>(), 1e-3);
  }
}

// Solver guidance needs a coarse solver whose grid is the solver's divided by the factor.
TEST_F(HybridEuler, GuidanceWithoutAMatchingCoarseSolverIsRefused) {
  petsc::LeapAttachOptions o = Options(std::make_shared<Persistence>());
  o.guidance = "coarse";
  std::unique_ptr<euler2d::EulerSolver> solver;
  std::unique_ptr<petsc::LeapAttachment> a;
  ASSERT_EQ(euler2d::EulerSolver::Create(PETSC_COMM_WORLD, PeriodicQuadrants32(), &solver), 0);
  PetscPushErrorHandler(PetscReturnErrorHandler, nullptr);
  EXPECT_NE(petsc::LeapAttachCreate(solver.get(), o, &a), 0);  // no coarse solver
  euler2d::EulerConfig c = PeriodicQuadrants32();
  c.nx = c.ny = 8;
  std::unique_ptr<euler2d::EulerSolver> coarse;
  ASSERT_EQ(euler2d::EulerSolver::Create(PETSC_COMM_WORLD, c, &coarse), 0);
  o.coarse = std::shared_ptr<petsc::FluidSolver>(std::move(coarse));
  o.coarse_factor = 2;  // 8 x 2 != 32
  EXPECT_NE(petsc::LeapAttachCreate(solver.get(), o, &a), 0);
  o.guidance = "sometimes";
  EXPECT_NE(petsc::LeapAttachCreate(solver.get(), o, &a), 0);
  PetscPopErrorHandler();
  o.guidance = "coarse";
  o.coarse_factor = 4;  // 8 x 4 == 32
  EXPECT_EQ(petsc::LeapAttachCreate(solver.get(), o, &a), 0);
}
