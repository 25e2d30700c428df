// The leap policy's settings as config keys: the one list every YAML config with a `leap` section
// visits (`leap hybrid` / `leap study` configs and the runtime config of the C/Fortran runtime and
// LeapTSAttach), so that `leap.<name>` has one meaning, one default and one check everywhere. The
// PETSc spelling of each is `-leap_<name>` (docs/leap_policy.md).
#pragma once

#include <string>

#include "leap/config/schema.h"
#include "leap/error.h"
#include "leap/plugin/leap_policy.h"

namespace leap::plugin {

template <class V>
void visit_policy_keys(V& v, LeapPolicyOptions& p) {
  using config::at_least;
  v("leap_frames", p.leap_frames,
    "frames one leap skips (the first leap's length in check mode; -leap_leap_frames)", at_least<int64_t>(1));
  v("solver_frames", p.solver_frames,
    "solver frames before the first leap and between two attempts, at least 1 after a rejection "
    "(-leap_solver_frames)",
    at_least<int64_t>(0));
  v("max_spread", p.max_spread,
    "reject a leap whose ensemble's relative spread (per channel the members' standard deviation "
    "averaged over cells over the spatial standard deviation of their mean, averaged over channels) is "
    "above this; 0: never (needs members > 1; -leap_max_spread)",
    at_least(0.0));
  v("check_every", p.check_every,
    "check mode: every k-th attempt, the first included, is also run by the solver over the same "
    "interval, scored by VRMSE and the leap length adapts; 0: off (-leap_check_every)",
    at_least<int64_t>(0));
  v("check_tolerance", p.check_tolerance,
    "the VRMSE a checked leap may have: above it the solver's result stands and leaps shorten "
    "(-leap_check_tolerance)",
    config::greater_than(0.0));
  v("min_leap_frames", p.min_leap_frames,
    "shortest leap check mode adapts to, at most leap_frames (-leap_min_leap_frames)", at_least<int64_t>(1));
  v("max_leap_frames", p.max_leap_frames,
    "longest leap check mode adapts to; 0: 4 x leap_frames (-leap_max_leap_frames)", at_least<int64_t>(0));
  v("guidance", p.guidance,
    "solver guidance: off; coarse (a copy of the solver coarse_factor times coarser per axis runs each "
    "leap's interval from the restricted state, and its frames guide the leap through the block means of "
    "the emulated frames); coarse_only (its last frame, interpolated, is the leap: the baseline) "
    "(-leap_guidance)",
    config::one_of({"off", "coarse", "coarse_only"}));
  v("coarse_factor", p.coarse_factor,
    "solver guidance: the coarse solver has this many times fewer cells per axis (-leap_coarse_factor)",
    at_least<int64_t>(2));
  v("guidance_noise", p.guidance_noise,
    "solver guidance: the observation noise of the coarse frames, in normalised units (-leap_guidance_noise)",
    config::greater_than(0.0));
  v("guidance_iterations", p.guidance_iterations,
    "solver guidance: linear-solver iterations of the MMPS guided denoiser (-leap_guidance_iterations)",
    at_least<int64_t>(1));
}

// Refuses settings out of range together (e.g. min_leap_frames above leap_frames), naming the key
// `<prefix>.<name>` of `file`.
inline void validate_policy_keys(const LeapPolicyOptions& p, const std::string& file,
                                 const std::string& prefix) {
  const LeapPolicyOptions::Problem bad = p.check();
  if (!bad.name.empty()) throw InputError(file, config::join_path(prefix, bad.name), bad.expected, bad.found);
}

}  // namespace leap::plugin
