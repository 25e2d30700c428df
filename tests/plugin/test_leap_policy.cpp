// The one leap policy's decisions that need no solver: its settings' checks, when a leap is due, and
// its summary before any attempt. Attempts (the rejection ladder, check mode and the adapted leap
// length) are exercised through real solvers in tests/hybrid.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "leap/plugin/leap_policy.h"

using leap::plugin::LeapPolicy;
using leap::plugin::LeapPolicyOptions;

TEST(LeapPolicy, DefaultsAreValidAndNamedOnce) {
  const LeapPolicyOptions o;
  EXPECT_EQ(o.problem("-leap_"), "");
  EXPECT_EQ(o.leap_frames, 8);
  EXPECT_EQ(o.solver_frames, 4);
  EXPECT_EQ(o.longest_leap(), 32);  // max_leap_frames 0: 4 x leap_frames
}

TEST(LeapPolicy, EachBadSettingIsNamedInTheRoutesSpelling) {
  auto problem = [](auto edit, const std::string& prefix) {
    LeapPolicyOptions o;
    edit(o);
    return o.problem(prefix);
  };
  EXPECT_EQ(problem([](LeapPolicyOptions& o) { o.leap_frames = 0; }, "-leap_"),
            "-leap_leap_frames must be >= 1, got 0");
  EXPECT_EQ(problem([](LeapPolicyOptions& o) { o.solver_frames = -1; }, "leap."),
            "leap.solver_frames must be >= 0, got -1");
  EXPECT_EQ(problem([](LeapPolicyOptions& o) { o.max_spread = -0.5; }, "leap."),
            "leap.max_spread must be >= 0 (0: off), got -0.5");
  EXPECT_EQ(problem([](LeapPolicyOptions& o) { o.check_every = -2; }, "-leap_"),
            "-leap_check_every must be >= 0 (0: off), got -2");
  EXPECT_EQ(problem([](LeapPolicyOptions& o) { o.check_tolerance = 0; }, "-leap_"),
            "-leap_check_tolerance must be > 0, got 0");
  EXPECT_EQ(problem([](LeapPolicyOptions& o) { o.min_leap_frames = 9; }, "-leap_"),
            "-leap_min_leap_frames must be in 1..leap_frames (8), got 9");
  EXPECT_EQ(problem([](LeapPolicyOptions& o) { o.max_leap_frames = 7; }, "leap."),
            "leap.max_leap_frames must be 0 or >= leap_frames (8), got 7");
  EXPECT_EQ(problem([](LeapPolicyOptions& o) { o.guidance = "fine"; }, "-leap_"),
            "-leap_guidance must be off, coarse or coarse_only, got 'fine'");
  EXPECT_EQ(problem([](LeapPolicyOptions& o) { o.coarse_factor = 1; }, "leap."),
            "leap.coarse_factor must be >= 2, got 1");
  EXPECT_EQ(problem([](LeapPolicyOptions& o) { o.guidance_noise = 0; }, "leap."),
            "leap.guidance_noise must be > 0, got 0");
  EXPECT_EQ(problem([](LeapPolicyOptions& o) { o.guidance_iterations = 0; }, "-leap_"),
            "-leap_guidance_iterations must be >= 1, got 0");
}

TEST(LeapPolicy, DueAfterTheSolverFramesWhenTheLeapFitsTheHorizon) {
  LeapPolicyOptions o;
  o.leap_frames = 3;
  o.solver_frames = 2;
  LeapPolicy p(o);
  EXPECT_FALSE(p.due(true, 100));  // no solver frame yet
  p.solver_frames(1);
  EXPECT_FALSE(p.due(true, 100));
  p.solver_frames(1);
  EXPECT_TRUE(p.due(true, 100));
  EXPECT_FALSE(p.due(false, 100));  // the context is not ready
  EXPECT_TRUE(p.due(true, 3));      // exactly to the horizon
  EXPECT_FALSE(p.due(true, 2));     // past it
  EXPECT_EQ(p.leap_frames(), 3);
}

TEST(LeapPolicy, NoSolverFramesMeansBackToBackLeaps) {
  LeapPolicyOptions o;
  o.solver_frames = 0;
  LeapPolicy p(o);
  EXPECT_TRUE(p.due(true, 8));
}

TEST(LeapPolicy, SummaryBeforeAnyAttempt) {
  LeapPolicyOptions o;
  o.check_every = 2;
  o.max_leap_frames = 20;
  const nlohmann::json s = LeapPolicy(o).summary();
  EXPECT_EQ(s["attempts"], 0);
  EXPECT_EQ(s["settings"]["check_every"], 2);
  EXPECT_EQ(s["settings"]["max_leap_frames"], 20);
  EXPECT_EQ(s["verdicts"]["accepted"], 0);
  EXPECT_EQ(s["verdicts"].size(), 8u);  // one per rung of the ladder, and accepted
  EXPECT_TRUE(s["records"].empty());
  EXPECT_EQ(s["leap_frames_final"], 8);
}
