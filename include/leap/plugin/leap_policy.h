// LeapPolicy: the decisions of a hybrid run, made once for every coupling route (`leap hybrid`, the
// TS type `leap`, LeapTSAttach, the C/Fortran runtime). A route adapts it to its solver through
// LeapSolver; the policy decides:
//   - when to leap: the context is ready, `solver_frames` solver frames have passed since the last
//     attempt (at least one after a rejection), and the leap fits before the horizon;
//   - the rejection ladder, in this order: the emulator failed (it raised an error: the solver goes
//     on as after any rejection); a non-finite emulated state; an ensemble whose relative
//     spread is above `max_spread`; the conserved totals that cannot be put back; a corrected state
//     that is not finite; the solver's admissibility (its physics, and PETSc's domain check);
//     in check mode, a VRMSE against the solver above `check_tolerance`;
//   - check mode: every `check_every`-th attempt (the first included) is also run by the solver over
//     the same interval from the same start; a failed check keeps the solver's state; the leap length
//     adapts either way: L <- clamp(floor(L * clamp(tol / vrmse, 1/2, 2)), min, max), at least one
//     frame shorter after a failed check and one longer after a passed one (within the bounds);
//   - the per-leap record and the run's summary (JSON).
// Every call is collective where the LeapSolver's and the controller's are; the policy itself holds
// only values that are the same on every rank, so every rank makes the same decisions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace at {
class Tensor;
}

namespace leap::plugin {

class HybridController;

// The policy's settings. Each has one name and one default in every route: the YAML key
// `leap.<name>` and the PETSc option `-leap_<name>` are two spellings of it.
struct LeapPolicyOptions {
  int64_t leap_frames = 8;       // frames skipped by one leap (the first leap's length in check mode)
  int64_t solver_frames = 4;     // solver frames before the first leap and between two attempts
  double max_spread = 0;         // relative ensemble spread above which a leap is rejected (0: off)
  int64_t check_every = 0;       // check every k-th attempt against the solver (0: off)
  double check_tolerance = 0.1;  // the VRMSE a checked leap may have
  int64_t min_leap_frames = 1;   // bounds of the adapted leap length
  int64_t max_leap_frames = 0;   // 0: 4 x leap_frames
  // Solver guidance: a copy of the solver `coarse_factor` times coarser per axis runs each leap's
  // interval from the restricted state. "coarse": its frames guide the leap (the block means of the
  // emulated frames observed with noise `guidance_noise`, in normalised units, MMPS with
  // `guidance_iterations` linear-solver iterations); "coarse_only": no emulator, the leap is its
  // last frame interpolated to the fine grid (the baseline); "off": no coarse solver.
  std::string guidance = "off";
  int64_t coarse_factor = 4;
  double guidance_noise = 0.1;
  int64_t guidance_iterations = 1;

  // The first setting out of range: its name, what was expected and what was found (name "" when
  // every setting is valid).
  struct Problem {
    std::string name, expected, found;
  };
  Problem check() const;
  // The same as "<prefix><name> must be ..., got ..." (prefix: "-leap_" or "leap."), or "".
  std::string problem(const std::string& prefix) const;
  int64_t longest_leap() const { return max_leap_frames > 0 ? max_leap_frames : 4 * leap_frames; }
};

// Why a leap attempt ended as it did (the rungs of the ladder, in order).
enum class LeapVerdict {
  accepted,
  not_finite,
  spread,
  conservation,
  corrected_not_finite,
  admissibility,
  check,
  emulator_failed  // the emulator raised an error (HybridController's EmulatorFailure)
};
const char* to_string(LeapVerdict v);

struct LeapRecord {
  int64_t frame = 0;   // where the attempt started (frames since the start of the run)
  int64_t frames = 0;  // its length
  LeapVerdict verdict = LeapVerdict::accepted;
  std::string reason;  // why it was rejected ("" when accepted)
  double spread = 0, relative_spread = 0, conserved_change = 0;
  bool checked = false;
  double check_vrmse = 0;  // checked attempts only
  bool check_passed = false;
  int64_t next_frames = 0;  // the leap length after this attempt
  bool accepted() const { return verdict == LeapVerdict::accepted; }
  // The solver's state moved `frames` frames on: the leap was accepted, or a failed check's
  // reference (the solver's own result) stands.
  bool advanced() const { return accepted() || checked; }
};

// The route's side of an attempt: its solver's state, seen through collective operations that give
// the same answer on every rank. A state crosses this interface as this rank's block in the
// controller's layout (HybridController::layout(): the route's own, e.g. yxc for a DMDA's array).
class LeapSolver {
 public:
  virtual ~LeapSolver() = default;
  // Keeps the state before the leap (the one a rejected leap goes back to).
  virtual void save_state() = 0;
  virtual void restore_state() = 0;
  // Writes the emulated state (this rank's block of the ensemble mean) into the solver's state.
  virtual void inject(const std::vector<float>& block) = 0;
  // Puts the totals the solver conserves back to their pre-leap values (nothing where none is
  // conserved); false, with the reason, where that cannot keep the state admissible.
  virtual bool conserve(std::string* why) = 0;
  // Whether every value of the solver's current state is finite.
  virtual bool finite() = 0;
  // The solver's admissibility of its current state (its physics, the program's domain check).
  virtual bool admissible(std::string* why) = 0;
  // Check mode: the solver advances `frames` frames from the saved state with real steps, keeps
  // that result as the reference and returns its block, then goes back to the saved state.
  virtual std::vector<float> solve_reference(int64_t frames) = 0;
  // After a failed check: the reference (the solver's own result) becomes the state.
  virtual void use_reference() = 0;
  // This rank's block of the current state.
  virtual std::vector<float> state() = 0;
  // Solver guidance: the route's coarse copy of its solver starts from controller.restrict_last_frame()
  // at the current time, advances `frames` frames and hands each to controller.observe_coarse().
  // Collective. The default (a route without a coarse solver) throws InputError: a route refuses
  // guidance when it is created.
  virtual void run_coarse(HybridController& controller, int64_t frames);
};

class LeapPolicy {
 public:
  explicit LeapPolicy(LeapPolicyOptions options = {});

  const LeapPolicyOptions& options() const { return options_; }
  // Whether to attempt a leap now: context ready, solver frames waited, and the current leap length
  // at most `frames_left` (the frames to the horizon).
  bool due(bool context_ready, int64_t frames_left) const;
  // The solver advanced `n` frames (outside an attempt).
  void solver_frames(int64_t n);
  // One attempt at `frame`: the controller leaps (collective), the ladder decides, the solver ends
  // on the accepted emulated state, on the pre-leap state, or (failed check) on its own reference,
  // which counts as `frames` solver frames. The record is kept and returned. `frames` > 0 leaps that
  // many frames instead of the current leap length (a caller that chooses the length itself); such
  // an attempt is never checked (it counts towards check_every all the same).
  const LeapRecord& attempt(int64_t frame, HybridController& controller, const at::Tensor& theta,
                            LeapSolver& solver, int64_t frames = 0);

  int64_t leap_frames() const { return length_; }  // the current (adapted) leap length
  int64_t attempts() const { return int64_t(records_.size()); }
  int64_t accepted() const;
  int64_t count(LeapVerdict v) const;
  const std::vector<LeapRecord>& records() const { return records_; }
  // The run's decisions: settings, counts by verdict, checks and every record.
  nlohmann::json summary() const;

 private:
  void adapt(double vrmse, bool passed);

  LeapPolicyOptions options_;
  int64_t length_;
  int64_t since_ = 0;  // solver frames since the last attempt (or the start)
  bool last_rejected_ = false;
  std::vector<LeapRecord> records_;
};

}  // namespace leap::plugin
