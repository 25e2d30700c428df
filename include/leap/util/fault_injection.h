// Faults injected on purpose, for the tests that show a failing rank never hangs a job. Read only from
// the environment variable LEAP_FAULT, which only tests set:
//   LEAP_FAULT="SITE:RANK[:KIND[:HIT]]"
// makes rank RANK (of MPI_COMM_WORLD) fail the HIT-th time (default 1) it passes fault_point(SITE).
// KIND is "error" (default: throws leap::Error "injected fault at SITE (pass HIT) on rank RANK") or
// "abort" (writes that message to stderr and calls std::abort()). Sites: exchange (a gather or
// scatter of the state), leap (a hybrid leap), recorder (a recorded frame), train_step (a training
// step), ts_step (a step of the TS type leap), ts_post_step (LeapTSAttach's post-step).
// Without LEAP_FAULT a fault point costs one load and a branch.
#pragma once

namespace leap::util {

// Throws leap::InputError naming LEAP_FAULT when it is set but malformed.
void fault_point(const char* site);

}  // namespace leap::util
