// Runtime: the coupling runtime a solver drives (the C++ API beneath leap.h's leap_runtime calls).
//
// Life cycle, on every rank of the communicator:
//   1. Runtime(comm, config.yaml)          collective: reads the config (runtime_config.h) and, on
//                                          the emulator ranks (emulator.ranks, rank 0 by default),
//                                          loads the emulator
//   2. add_field(name, components) ...     rank-local: the state's fields, in the emulator's channel
//      set_box(nx, ny, x0, y0, xm, ym)     order; this rank's box of the nx x ny grid (set_box_3d:
//                                          nx x ny x nz); the layout of
//      set_layout(layout)                  this rank's blocks (set_layout also later)
//   3. setup()                             collective: checks that the ranks agree on the fields and
//                                          grid, that the boxes tile the grid and that the fields
//                                          are the emulator's channels (and, for solver guidance,
//                                          that the caller gave a coarse grid); builds the exchange
//   4. observe(block, time) ...            collective: the current state (appended to the leap
//                                          context; recorded while recording is on)
//      due(frames_left)                    rank-local (the same on every rank): whether the leap
//                                          policy leaps now
//      attempt(theta, block)               collective: one attempt of the policy (leap, rejection
//                                          ladder, check); block in: the current state, out: the
//                                          state after it
//      leap(theta, frames, block)          collective: the same, at a length the caller chooses
//                                          (never checked; the block changes only when accepted)
//      record(on)                          collective: recording on or off
//   5. finish()                            collective: ends the recording (writes
//   DIR/<dataset_name>/stats.yaml)
//
// Blocks. A rank's block holds all channels (the fields' components concatenated, in add_field
// order) over its box, float32, in the layout set with set_layout (as leap::plugin::BlockLayout:
// cxy [C][xm][ym] by default, xyc, yxc or cyx; in 3-D [C][xm][ym][zm], ..., see state_exchange.h).
// FieldBlocks overloads take one vector per field in The Well's order [x][y][component] (3-D:
// [x][y][z][component]) instead.
//
// The leap policy (leap_policy.h, docs/leap_policy.md) decides, from the config's leap section: when
// to leap (due: the context is ready, leap.solver_frames solver frames were observed since the last
// attempt, and the leap fits in the frames the caller has left), whether to keep a leap (the
// rejection ladder: not finite, spread, the caller's admissibility), and in check mode
// (leap.check_every) compares every k-th leap with the caller's own solver over the same frames and
// adapts the leap length. Every observe() after the first counts as one solver frame, except the
// first after an attempt that advanced the state. The caller's solver enters through set_solver():
//   advance(frames, block)       check mode: advance the solver `frames` frames from the state in
//                                `block` (this rank's box, in the runtime's layout) and write the
//                                result into it; called on every rank together; needed for
//                                leap.check_every > 0 (setup refuses check mode without it)
//   admissible(block, why)       whether this rank's part of an emulated state is admissible (the
//                                solver's physics: positive density, ...); a refusal on any rank
//                                rejects the leap with its reason
// An attempt that advanced the state (accepted, or a failed check whose reference, the solver's own
// result, stands; LeapRecord::advanced()) ends the context and the recording segment; the caller
// then moves its time on by record.frames frames and observes the new state.
//
// A leap. The emulator produces an ensemble of leap.members states; their mean is the result. With
// several emulator ranks (emulator.ranks or emulator.per_node), each computes its share of the
// members, and the mean and spread are reduced over all of them. The policy's ladder then judges it
// (leap_policy.h). Accepted: the result is written to the caller's block, the context is emptied
// (the frames before a leap are not consecutive with those after it; context_frames() new
// observations are needed for the next leap) and the recording segment is broken. Rejected without
// a check: the block is left untouched, the context and the recording segment go on (the caller
// keeps its own state and continues solving).
// Channels named in leap.conserve / leap.conserve_scaled have their domain totals put back to those
// of the last observed frame before the result is handed back (HybridController::set_conserved).
//
// Recording. While on, every observed frame goes to a FrameRecorder (frame_recorder.h) in
// record.dir (a collection: the dataset record.dir/<dataset_name> in The Well's layout): each run of
// record.frames_per_trajectory consecutive observations becomes a
// trajectory file; an accepted leap or record(false) ends the current run (its frames not yet
// written are dropped). finish() writes stats.yaml over the recorded train split.
//
// Errors: InputError for bad input or calls out of order, Error otherwise; collective calls fail on
// every rank together (the lowest failing rank's message, prefixed "rank N: "), so that no rank is
// left waiting. A call refused for bad input or out of order changes nothing.
#pragma once

#include <mpi.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "leap/plugin/emulator.h"
#include "leap/plugin/hybrid_controller.h"
#include "leap/plugin/leap_policy.h"
#include "leap/plugin/runtime_config.h"
#include "leap/plugin/state_exchange.h"

namespace leap::plugin {

// What a leap gave (the same on every rank).
struct LeapOutcome {
  bool accepted = false;        // the result was handed back (finite and not suppressed)
  bool finite = true;           // every value of the ensemble mean is finite
  bool suppressed = false;      // refused because the relative spread exceeds leap.max_spread
  double spread = 0;            // relative ensemble spread (0 for one member)
  double absolute_spread = 0;   // ensemble standard deviation averaged over cells and channels
  double conserved_change = 0;  // leap.conserve*: the largest relative change of a total put back
};

// The caller's solver as the leap policy sees it (either function may be empty; see above).
struct RuntimeSolver {
  std::function<void(int64_t frames, float* block)> advance;
  std::function<bool(const float* block, std::string* why)> admissible;
};

class Runtime {
 public:
  // Collective. Reads `config_path` on every rank; loads the emulator on the emulator ranks.
  Runtime(MPI_Comm comm, const std::string& config_path);
  // Collective. A parsed config and an emulator supplied by the caller (on the emulator ranks of
  // config.emulator.ranks / per_node, rank 0 by default; ignored, and may be null, elsewhere):
  // config.emulator is not used to load one. A null emulator on rank 0 means none (observe and record only).
  // `config_name` stands for the config file in messages.
  Runtime(MPI_Comm comm, RuntimeConfig config, std::shared_ptr<Emulator> emulator,
          const std::string& config_name = "(runtime config)");
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // ---- description (rank-local, before setup())
  // components: 1 (a scalar field), 2 (a vector: NAME_x, NAME_y) or 4 (a tensor: NAME_xx, NAME_xy,
  // NAME_yx, NAME_yy); on a 3-D grid 3 (NAME_x, NAME_y, NAME_z) or 9 (NAME_xx ... NAME_zz): setup()
  // refuses a count that does not fit the grid. The channel names must be the emulator's, in its order.
  void add_field(const std::string& name, int64_t components);
  // The grid is nx x ny; this rank owns cells x0 .. x0+xm-1, y0 .. y0+ym-1 (xm or ym 0: none).
  void set_box(int64_t nx, int64_t ny, int64_t x0, int64_t y0, int64_t xm, int64_t ym);
  // A 3-D grid nx x ny x nz; this rank owns x0 .. x0+xm-1, y0 .. y0+ym-1, z0 .. z0+zm-1.
  void set_box_3d(int64_t nx, int64_t ny, int64_t nz, int64_t x0, int64_t y0, int64_t z0, int64_t xm,
                  int64_t ym, int64_t zm);
  // Rank-local, at any time: the layout of this rank's blocks in later observe() and leap() calls.
  void set_layout(BlockLayout layout);

  // Rank-local, at any time: called at the start and end of each phase of a leap and an observation
  // (HybridController's phases: gather, emulate with encode/sample/decode nested, scatter), e.g.
  // to log them as PETSc events.
  void set_phase_hook(HybridController::PhaseHook hook);

  // Rank-local, before setup(): the caller's solver (check mode and admissibility; see above).
  void set_solver(RuntimeSolver solver);
  // Rank-local, before setup(): the leap policy's settings instead of the config's leap section (a
  // route whose options override it, e.g. LeapTSAttach's -leap_*). Refuses settings out of range.
  void set_policy(const LeapPolicyOptions& options);
  // Rank-local, before setup() (C++ only; the C and Fortran API have no coarse solver): the grid of the
  // caller's coarse copy of its solver, for solver guidance (leap.guidance coarse|coarse_only): `factor`
  // times coarser along every axis (leap.coarse_factor), this rank's box of it (any decomposition).
  // setup() gives it to the controller (InputError on every rank for a factor that does not divide the
  // grid or boxes that do not tile the coarse grid) and refuses leap.guidance other than off without it,
  // before anything is recorded. The caller's LeapSolver then runs the coarse solver (run_coarse) in
  // attempt(theta, solver).
  void set_coarse_grid(int64_t factor, const data::Block& coarse_block);

  // Collective.
  void setup();

  // Collective (after setup()). `block`: block_size() floats (may be null when the rank owns
  // nothing); `time`: the state's simulated time (written with recorded frames).
  void observe(const float* block, double time);
  void observe(const FieldBlocks& fields, double time);
  // Collective (after setup()): observations of the state the next leap (leap() or attempt()) predicts,
  // its last frame: this rank's points (cells of the whole grid, channels in the emulator's order;
  // none allowed) and their values, in physical units, with the noise standard deviation (the same
  // on every rank). The leap samples guided by all ranks' points (MMPS, emulator.guidance_iterations
  // iterations; the latent diffusion emulator only), then they are dropped.
  void observe_points(const std::vector<models::SensorPoint>& points, const std::vector<float>& values,
                      double noise_std);
  // Collective (after setup(), with context_ready()). `theta`: the emulator's conditioning vector
  // (the latent diffusion emulator's parameters in its order; ignored by the oracle). `block`:
  // block_size() floats, overwritten only when the leap is accepted.
  LeapOutcome leap(const std::vector<double>& theta, int64_t frames, float* block);
  LeapOutcome leap(const std::vector<double>& theta, int64_t frames, FieldBlocks* fields);
  // Rank-local (the same on every rank): whether the policy leaps now, with `frames_left` frames
  // left before the caller's horizon (after setup(); false without an emulator).
  bool due(int64_t frames_left) const;
  // Collective (after setup(), with context_ready()): one attempt of the policy at its current leap
  // length. `block`: block_size() floats, the current state in, the state after the attempt out
  // (unchanged unless the record says advanced()). The record is the policy's (leap_policy.h).
  const LeapRecord& attempt(const std::vector<double>& theta, float* block);
  // The same with a LeapSolver of the caller's own (a route that holds its state elsewhere, e.g.
  // LeapTSAttach's TS): it saves, injects, checks and restores the state itself.
  const LeapRecord& attempt(const std::vector<double>& theta, LeapSolver& solver);
  // The policy: its settings, current leap length, records and JSON summary.
  const LeapPolicy& policy() const;
  // Collective (the same `on` on every rank; before or after setup()). Recording needs record.dir.
  void record(bool on);
  // Collective: ends the recording and writes DIR/<dataset_name>/stats.yaml (when a train trajectory was
  // recorded). Later calls are refused. The destructor does not do this (it only frees resources).
  void finish();

  // ---- queries (rank-local)
  bool is_setup() const;
  bool recording() const;
  // Observed frames a leap needs (known from creation; 0 with no emulator) and whether that many
  // have been observed since setup or the last accepted leap.
  int64_t context_frames() const;
  bool context_ready() const;
  int64_t channels() const;                  // the fields' components, summed
  const std::vector<int64_t>& grid() const;  // the whole grid, {nx, ny} or {nx, ny, nz} (after set_box)
  int64_t block_size() const;                // channels() * xm * ym (* zm) (after set_box)
  std::vector<std::string> channel_names() const;
  const RuntimeConfig& config() const;
  // Counters and phase timings (zero before setup()).
  HybridStats stats() const;
  int64_t trajectories_recorded() const;
  std::vector<std::string> recorded_files() const;
  // The runtime's own communicator (a duplicate of the one given at construction).
  MPI_Comm communicator() const;

 private:
  void set_box_nd(const char* call, const std::vector<int64_t>& n, const std::vector<int64_t>& start,
                  const std::vector<int64_t>& count);
  struct Impl;
  class BlockSolver;
  std::unique_ptr<Impl> impl_;
};

}  // namespace leap::plugin
