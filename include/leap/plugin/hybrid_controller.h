// HybridController: the solver-independent half of a hybrid run. It owns the StateExchange that
// moves the solver's whole state (every field, each rank's block in The Well's [x][y][component]
// order, the fields' components concatenated as the channels) to the emulator rank and back, keeps
// the last c observed frames there, and on request performs a leap: the emulator's ensemble is
// reduced to its mean (the state handed back to every rank) and its spread. It times each phase
// (gather, emulate, scatter), counts observations, leaps and their outcome, and checks the
// admissibility of an emulated state through a callback supplied by the solver adapter.
//
// Every call is collective over the communicator given at construction; the emulator is used on
// the emulator ranks only (rank 0 by default) and may be null elsewhere.
#pragma once

#include <ATen/core/Tensor.h>
#include <mpi.h>

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "leap/data/well_writer.h"
#include "leap/error.h"
#include "leap/plugin/emulator.h"
#include "leap/plugin/state_exchange.h"

namespace leap::plugin {

// Per-rank field blocks in The Well's order [x][y][component], one vector per field.
using FieldBlocks = std::vector<std::vector<float>>;

// emulate spans the emulator's call; encode, sample and decode (latent diffusion emulator) nest in it.
// coarse: the coarse solver of a solver-guided leap (restriction, its frames, their gathering).
enum class HybridPhase {
  gather = 0,
  emulate = 1,
  scatter = 2,
  encode = 3,
  sample = 4,
  decode = 5,
  coarse = 6
};

struct HybridStats {
  double gather_seconds = 0, emulate_seconds = 0, scatter_seconds = 0;
  double encode_seconds = 0, sample_seconds = 0, decode_seconds = 0;  // parts of emulate (emulator rank)
  double coarse_seconds = 0;  // the coarse solver of solver-guided leaps, restriction and gathering included
  int64_t coarse_frames = 0;  // frames the coarse solver advanced
  int64_t observations = 0;   // frames gathered
  int64_t leaps = 0;          // leaps performed (emulator calls)
  int64_t leaps_accepted = 0;
  int64_t leaps_rejected = 0;
  int64_t frames_emulated = 0;  // frames skipped by accepted leaps
  int64_t frames_solved = 0;    // frames advanced by the solver (recorded by the adapter)
};

// The emulator failed during a leap (e.g. an oracle that finds the state on no stored trajectory);
// thrown by HybridController::leap on every rank together, with the failing rank's message.
struct EmulatorFailure : AgreedFailure<Error> {
  explicit EmulatorFailure(const std::string& message) : AgreedFailure<Error>(message) {}
};

struct LeapResult {
  std::vector<float> block;  // this rank's block of the ensemble mean, in the controller's layout()
  bool finite = true;        // every value of the ensemble mean is finite (same on all ranks)
  double spread = 0;         // ensemble standard deviation, averaged over cells and channels
  // Scale-free spread: per channel, the ensemble standard deviation averaged over cells divided by
  // the spatial standard deviation of the ensemble mean (+1e-6), averaged over channels; 0 for a
  // single member. Comparable across fields and cases (like VRMSE).
  double relative_spread = 0;
  // With conserved channels (set_conserved): the largest |total of the mean - total of the last
  // observed frame| / |total of the last observed frame| (absolute where that total is 0) over them,
  // before the totals were put back.
  double conserved_change = 0;
};

// A channel whose domain total the solver conserves (periodic or closed boundaries): a leap puts its
// total back to that of the last observed frame, by a uniform shift, or for `scaled` by a factor
// (positive quantities stay positive; a shift where the totals differ in sign).
struct ConservedChannel {
  int64_t channel = 0;
  bool scaled = false;
};

class HybridController {
 public:
  // grid = {X, Y} or {X, Y, Z}; block: this rank's box; components: per field (1 scalar, 2 vector, ...), in
  // the order blocks are passed; emulator: used on the emulator ranks (may be null elsewhere, never there).
  // emulators: the ranks that hold the whole state and run the emulator (rank 0 among them; see
  // StateExchange): each computes its share of the members (give each a different seed), the ensemble's mean
  // and spread are reduced over all of them, and each hands its group's ranks their blocks.
  HybridController(MPI_Comm comm, const std::vector<int64_t>& grid, const data::Block& block,
                   std::vector<int64_t> components, std::shared_ptr<Emulator> emulator, int64_t members = 1,
                   EmulatorRanks emulators = EmulatorRanks::root());
  ~HybridController();
  HybridController(const HybridController&) = delete;
  HybridController& operator=(const HybridController&) = delete;

  // The layout of this rank's blocks in observe(), LeapResult::block and vrmse() (xyc by default; a
  // route passes its solver's own, e.g. yxc for a DMDA's array, so that the state is reordered once
  // each way, by the exchange). Rank-local.
  void set_layout(BlockLayout layout);
  BlockLayout layout() const;

  // Gathers the current state (this rank's block, block_size() floats in layout()) and appends it
  // to the context (the oldest frame beyond c is dropped).
  void observe(const float* block);
  // The same from field blocks (packed into layout() first).
  void observe(const FieldBlocks& fields);
  // Drops the observed frames (after a leap the frames before it are no longer consecutive).
  void clear_context();
  // Frames in the context (same on all ranks).
  int64_t context_size() const;
  int64_t context_frames() const;  // c: what a leap needs
  bool ready() const { return context_size() >= context_frames(); }

  // The state `frames` frames after the last observed one (needs ready()). theta: [P] (used on
  // the emulator rank).
  LeapResult leap(const at::Tensor& theta, int64_t frames);

  // Collective: observations of the state the next leap() predicts (its last frame). Each rank
  // passes its own points (cells of the whole grid, any rank any cells, none allowed) with their
  // values; noise_std and iterations must be the same on every rank (InputError otherwise, and for a
  // point off the grid or a channel out of range). They are gathered to the emulator ranks; the next
  // leap() is conditioned on all of them (Emulator::leap_observed), then they are dropped.
  void set_observations(const LeapObservations& local);
  // Solver guidance: a coarse copy of the solver runs each leap's interval, and its frames guide the
  // leap (or, as a baseline, its last frame interpolated to this grid is the leap). The coarse grid is
  // `factor` times coarser along every axis (each divisible by it); coarse_block is this rank's box of
  // it (any decomposition). InputError on every rank for a factor that does not divide the grid or
  // boxes that do not tile the coarse grid. Collective.
  void set_coarse_grid(int64_t factor, const data::Block& coarse_block);
  int64_t coarse_factor() const { return coarse_factor_; }
  // The last observed frame restricted to the coarse grid (the means of its factor^d blocks), as this
  // rank's coarse field blocks ([x][y]([z])[component] per field): the coarse solver's start. It
  // starts a new coarse trajectory. Collective.
  FieldBlocks restrict_last_frame();
  // Appends the coarse solver's next frame (this rank's field blocks) to the coarse trajectory,
  // gathered to the emulator ranks. Collective.
  void observe_coarse(const FieldBlocks& fields);
  int64_t coarse_trajectory_size() const { return coarse_size_; }
  // The next leap() is guided by the coarse trajectory (LeapObservations' coarse frames at leads
  // 1..n) with this noise, in normalised units, and linear-solver iterations; then it is dropped.
  void guide_next_leap(double noise_std, int iterations);
  // A leap whose state is the coarse trajectory's last frame interpolated (bilinear, trilinear in 3-D,
  // the cell centres aligned) to this grid: the coarse solver alone, the baseline of solver guidance.
  // Conserved totals, finiteness and timing as leap() (one member: no spread). Collective.
  LeapResult coarse_leap();
  // Runs `fn` (collective) as the coarse phase: timed into stats().coarse_seconds, the phase hook
  // (the policy runs the route's coarse solver, restriction and gathering included, inside it).
  void time_coarse(const std::function<void()>& fn);

  // Points the next leap is conditioned on (the same on every rank; 0: none).
  int64_t observed_points() const { return int64_t(observations_.points.size()); }
  // Channels whose totals a leap keeps (each at most once; InputError for a channel out of range or
  // named twice). Rank-local; give every rank the same list.
  void set_conserved(std::vector<ConservedChannel> channels);
  const std::vector<ConservedChannel>& conserved() const { return conserved_; }

  // Admissibility of a state, evaluated collectively by the adapter's callback (e.g. positive
  // density and pressure); returns false with a reason to reject. Without a callback, a state is
  // admissible.
  using AdmissibleFn = std::function<bool(std::string* why)>;
  void set_admissibility(AdmissibleFn fn) { admissible_ = std::move(fn); }
  bool admissible(std::string* why) const { return admissible_ ? admissible_(why) : true; }

  // Called at the start and end of each phase (e.g. PETSc log events).
  using PhaseHook = std::function<void(HybridPhase phase, bool begin)>;
  void set_phase_hook(PhaseHook hook) { hook_ = std::move(hook); }
  // The controller installs its own hook on the emulator (forwarding encode/sample/decode to the
  // phase hook and timing them); an emulator shared between controllers reports to the latest.

  void record_outcome(bool accepted, int64_t frames);
  void record_solver_frames(int64_t frames) { stats_.frames_solved += frames; }
  const HybridStats& stats() const { return stats_; }
  const StateExchange& exchange() const { return *exchange_; }
  int64_t channels() const;

  // VRMSE of `estimate` against `reference` over the whole distributed grid (each rank passes its
  // blocks, in layout()): metrics::vrmse_blocks, the two-pass distributed form of metrics::vrmse (per channel
  // sqrt(mean((ref - est)^2) / (var(ref) + 1e-6)), averaged over channels). Collective; the same
  // value on every rank.
  double vrmse(const std::vector<float>& reference, const std::vector<float>& estimate) const;

  // Field blocks ([x][y][component] per field) <-> one block in layout() (the fields' components
  // are its channels, in order). block_size(): the floats of this rank's block.
  std::vector<float> pack(const FieldBlocks& fields) const;
  FieldBlocks unpack(const std::vector<float>& block) const;
  int64_t block_size() const;

 private:
  // On the emulator rank: puts the conserved channels' totals of `mean` [C, X, Y(, Z)] back to those of
  // `before`; returns the largest relative change it undid.
  double restore_totals(const at::Tensor& before, at::Tensor* mean) const;
  // The ensemble's mean and spread over the emulator ranks, the conserved totals put back, scattered;
  // `failure` (non-empty on any rank) throws EmulatorFailure on every rank. Collective.
  LeapResult finish(const at::Tensor& ensemble, int64_t share, int64_t members, std::string failure);
  // Field blocks of a box <-> one block of it in `layout` (the fields' components as channels).
  std::vector<float> pack_box(const FieldBlocks& fields, BlockLayout layout, const data::Block& box) const;
  FieldBlocks unpack_box(const std::vector<float>& block, BlockLayout layout, const data::Block& box) const;
  // Sums a double tensor over the emulator ranks (in place; nothing with one).
  void allreduce_emulators(at::Tensor& t) const;

  MPI_Comm comm_ = MPI_COMM_NULL;       // duplicated; freed by the destructor
  MPI_Comm emulators_ = MPI_COMM_NULL;  // the emulator ranks (null elsewhere)
  int emulator_index_ = 0, emulator_count_ = 1;
  std::unique_ptr<StateExchange> exchange_;
  EmulatorRanks emulator_ranks_;
  int64_t coarse_factor_ = 0;
  std::unique_ptr<StateExchange> coarse_exchange_;  // the coarse grid (xyc), with solver guidance
  std::vector<at::Tensor> coarse_;  // the coarse trajectory [C, X/f, Y/f(, Z/f)], emulator ranks
  int64_t coarse_size_ = 0;
  std::vector<int64_t> components_;
  std::shared_ptr<Emulator> emulator_;
  int64_t members_;
  int64_t context_frames_ = 1;
  int64_t context_size_ = 0;
  std::deque<at::Tensor> context_;  // [C, X, Y(, Z)] frames, on the emulator rank
  std::vector<ConservedChannel> conserved_;
  LeapObservations observations_;  // every rank's points, gathered (empty: none)
  AdmissibleFn admissible_;
  PhaseHook hook_;
  HybridStats stats_;
  double phase_start_ = 0;
};

}  // namespace leap::plugin
