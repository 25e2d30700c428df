#include "leap/plugin/leap_policy.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "leap/error.h"
#include "leap/plugin/hybrid_controller.h"

namespace leap::plugin {

namespace {

std::string number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

}  // namespace

LeapPolicyOptions::Problem LeapPolicyOptions::check() const {
  if (leap_frames < 1) return {"leap_frames", ">= 1", std::to_string(leap_frames)};
  if (solver_frames < 0) return {"solver_frames", ">= 0", std::to_string(solver_frames)};
  if (!(max_spread >= 0)) return {"max_spread", ">= 0 (0: off)", number(max_spread)};
  if (check_every < 0) return {"check_every", ">= 0 (0: off)", std::to_string(check_every)};
  if (!(check_tolerance > 0)) return {"check_tolerance", "> 0", number(check_tolerance)};
  if (min_leap_frames < 1 || min_leap_frames > leap_frames)
    return {"min_leap_frames", "in 1..leap_frames (" + std::to_string(leap_frames) + ")",
            std::to_string(min_leap_frames)};
  if (max_leap_frames != 0 && max_leap_frames < leap_frames)
    return {"max_leap_frames", "0 or >= leap_frames (" + std::to_string(leap_frames) + ")",
            std::to_string(max_leap_frames)};
  if (guidance != "off" && guidance != "coarse" && guidance != "coarse_only")
    return {"guidance", "off, coarse or coarse_only", "'" + guidance + "'"};
  if (coarse_factor < 2) return {"coarse_factor", ">= 2", std::to_string(coarse_factor)};
  if (!(guidance_noise > 0)) return {"guidance_noise", "> 0", number(guidance_noise)};
  if (guidance_iterations < 1) return {"guidance_iterations", ">= 1", std::to_string(guidance_iterations)};
  return {};
}

std::string LeapPolicyOptions::problem(const std::string& prefix) const {
  const Problem p = check();
  return p.name.empty() ? "" : prefix + p.name + " must be " + p.expected + ", got " + p.found;
}

const char* to_string(LeapVerdict v) {
  switch (v) {
    case LeapVerdict::accepted:
      return "accepted";
    case LeapVerdict::not_finite:
      return "not_finite";
    case LeapVerdict::spread:
      return "spread";
    case LeapVerdict::conservation:
      return "conservation";
    case LeapVerdict::corrected_not_finite:
      return "corrected_not_finite";
    case LeapVerdict::admissibility:
      return "admissibility";
    case LeapVerdict::check:
      return "check";
    case LeapVerdict::emulator_failed:
      return "emulator_failed";
  }
  return "?";
}

void LeapSolver::run_coarse(HybridController&, int64_t) {
  throw InputError("leap policy: solver guidance needs a coarse copy of the solver, and this route has none");
}

LeapPolicy::LeapPolicy(LeapPolicyOptions options) : options_(options), length_(options.leap_frames) {}

bool LeapPolicy::due(bool context_ready, int64_t frames_left) const {
  // After a rejected leap the solver takes at least one frame before the next attempt.
  const int64_t wait = last_rejected_ ? std::max<int64_t>(1, options_.solver_frames) : options_.solver_frames;
  return context_ready && since_ >= wait && length_ <= frames_left;
}

void LeapPolicy::solver_frames(int64_t n) {
  since_ += n;
}

void LeapPolicy::adapt(double vrmse, bool passed) {
  const double ratio = vrmse > 0 ? options_.check_tolerance / vrmse : 2.0;
  const double factor = std::min(2.0, std::max(0.5, ratio));
  int64_t next = int64_t(std::floor(double(length_) * factor));
  next = passed ? std::max(next, length_ + 1) : std::min(next, length_ - 1);
  length_ = std::min(options_.longest_leap(), std::max(options_.min_leap_frames, next));
}

const LeapRecord& LeapPolicy::attempt(int64_t frame, HybridController& controller, const at::Tensor& theta,
                                      LeapSolver& solver, int64_t frames) {
  LeapRecord r;
  r.frame = frame;
  r.frames = frames > 0 ? frames : length_;
  // A length the caller chose is not checked: check mode adapts the policy's own length.
  r.checked = frames <= 0 && options_.check_every > 0 && attempts() % options_.check_every == 0;
  LeapResult result;
  try {
    if (options_.guidance != "off") {
      controller.time_coarse([&] { solver.run_coarse(controller, r.frames); });
      if (options_.guidance == "coarse")
        controller.guide_next_leap(options_.guidance_noise, int(options_.guidance_iterations));
    }
    result = options_.guidance == "coarse_only" ? controller.coarse_leap() : controller.leap(theta, r.frames);
  } catch (const EmulatorFailure& e) {
    r.verdict = LeapVerdict::emulator_failed;
    r.reason = std::string("the emulator failed: ") + e.what();
    r.checked = false;
    result.finite = false;  // nothing to judge
  }
  r.spread = result.spread;
  r.relative_spread = result.relative_spread;
  r.conserved_change = result.conserved_change;
  auto reject = [&r](LeapVerdict v, std::string why) {
    if (r.verdict != LeapVerdict::accepted) return;  // the first rung that failed is the reason
    r.verdict = v;
    r.reason = std::move(why);
  };
  if (r.verdict == LeapVerdict::emulator_failed) {
    // the solver's state was not touched
  } else if (!result.finite) {
    reject(LeapVerdict::not_finite, "the emulated state is not finite");
    r.checked = false;
  } else if (options_.max_spread > 0 && result.relative_spread > options_.max_spread) {
    reject(LeapVerdict::spread, "the ensemble's relative spread " + number(result.relative_spread) +
                                    " is above max_spread " + number(options_.max_spread));
    r.checked = false;
  } else {
    solver.save_state();
    std::vector<float> reference;
    if (r.checked) reference = solver.solve_reference(r.frames);
    solver.inject(result.block);
    std::string why;
    if (!solver.conserve(&why)) {
      reject(LeapVerdict::conservation, why);
    } else if (!solver.finite()) {
      reject(LeapVerdict::corrected_not_finite, "the corrected state is not finite");
    } else if (!solver.admissible(&why)) {
      reject(LeapVerdict::admissibility, why);
    }
    if (r.checked) {
      // The emulated state as it would be injected (after the conservation) against the solver's.
      const double e = controller.vrmse(reference, solver.state());
      r.check_vrmse = e;
      r.check_passed = std::isfinite(e) && e <= options_.check_tolerance;
      if (!r.check_passed)
        reject(LeapVerdict::check, "check: VRMSE " + number(e) +
                                       " against the solver is above check_tolerance " +
                                       number(options_.check_tolerance));
      adapt(std::isfinite(e) ? e : 1e30, r.check_passed);
    }
    if (r.accepted()) {
      // the emulated state stands
    } else if (r.checked) {
      solver.use_reference();  // the solver's own result stands
    } else {
      solver.restore_state();
    }
  }
  r.next_frames = length_;
  controller.record_outcome(r.accepted(), r.frames);
  // After every attempt, solver_frames solver frames pass before the next (a failed check's frames
  // too: every route, the post-step one included, then takes its next solver step first).
  since_ = 0;
  if (!r.accepted() && r.checked) controller.record_solver_frames(r.frames);
  last_rejected_ = !r.accepted();
  records_.push_back(std::move(r));
  return records_.back();
}

int64_t LeapPolicy::accepted() const {
  return count(LeapVerdict::accepted);
}

int64_t LeapPolicy::count(LeapVerdict v) const {
  return std::count_if(records_.begin(), records_.end(), [v](const LeapRecord& r) { return r.verdict == v; });
}

nlohmann::json LeapPolicy::summary() const {
  nlohmann::json s;
  s["settings"] = {
      {"leap_frames", options_.leap_frames},         {"solver_frames", options_.solver_frames},
      {"max_spread", options_.max_spread},           {"check_every", options_.check_every},
      {"check_tolerance", options_.check_tolerance}, {"min_leap_frames", options_.min_leap_frames},
      {"max_leap_frames", options_.longest_leap()},  {"guidance", options_.guidance}};
  if (options_.guidance != "off") {
    s["settings"]["coarse_factor"] = options_.coarse_factor;
    s["settings"]["guidance_noise"] = options_.guidance_noise;
    s["settings"]["guidance_iterations"] = options_.guidance_iterations;
  }
  s["attempts"] = attempts();
  nlohmann::json by = nlohmann::json::object();
  for (LeapVerdict v : {LeapVerdict::accepted, LeapVerdict::not_finite, LeapVerdict::spread,
                        LeapVerdict::conservation, LeapVerdict::corrected_not_finite,
                        LeapVerdict::admissibility, LeapVerdict::check, LeapVerdict::emulator_failed})
    by[to_string(v)] = count(v);
  s["verdicts"] = by;
  s["leap_frames_final"] = length_;
  nlohmann::json records = nlohmann::json::array();
  for (const auto& r : records_) {
    nlohmann::json j{{"frame", r.frame},
                     {"frames", r.frames},
                     {"verdict", to_string(r.verdict)},
                     {"spread", r.spread},
                     {"relative_spread", r.relative_spread},
                     {"conserved_change", r.conserved_change},
                     {"next_frames", r.next_frames}};
    if (!r.reason.empty()) j["reason"] = r.reason;
    if (r.checked) j["check"] = {{"vrmse", r.check_vrmse}, {"passed", r.check_passed}};
    records.push_back(std::move(j));
  }
  s["records"] = std::move(records);
  return s;
}

}  // namespace leap::plugin
