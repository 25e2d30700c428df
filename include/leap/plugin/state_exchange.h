// Moves a solver's distributed 2-D or 3-D state between the ranks that own it and the emulator
// rank(s) that need it whole. Every rank owns one box (a leap::data::Block, possibly empty) of a
// [C, X, Y] (2-D) or [C, X, Y, Z] (3-D) field; gather() assembles the full field on the emulator rank(s),
// scatter() hands each rank its box back. The block descriptors are exchanged once, at construction
// (MPI_Allgather); each call then moves the packed blocks in one collective (MPI_Gatherv / MPI_Scatterv) and
// (un)packs them (blocks already in cxy order are sent and received in place), after a one-int MPI_Allreduce
// that checks the arguments on all ranks together.
//
// Emulator ranks. By default rank 0 of the communicator holds the full field. With several emulator
// ranks, the communicator is cut into groups, each served by one emulator rank: gather() collects a
// group's blocks on its emulator (MPI_Gatherv within the group), then the emulator ranks exchange
// their groups' packed blocks (MPI_Allgatherv among themselves), so that EVERY emulator rank holds
// the full field; scatter() sends each group its blocks from its own emulator's full field
// (MPI_Scatterv within the group, no traffic between groups), so the emulator ranks should hold the
// same field (or each group receives what its emulator computed). The groups are:
//   - EmulatorRanks::one_per_node(): the ranks sharing a node (MPI_Comm_split_type with
//     MPI_COMM_TYPE_SHARED), served by the node's local rank 0 (e.g. one GPU per node);
//   - an explicit list of ranks {e0 < e1 < ...}: rank r is served by the largest e_k <= r (ranks
//     below e0 by e0), i.e. contiguous ranges, which match block placement of ranks on nodes.
//
// Block memory layouts (float32, C order, axes from slowest to fastest over the rank's box; in 3-D
// the names keep their meaning with z added: spatial axes in x, y, z order, or reversed):
//   cxy  [C][x][y]  3-D [C][x][y][z]  channel-major, LEAP's tensor order (no copy when sending)
//   xyc  [x][y][C]      [x][y][z][C]  The Well's file order (LeapDMDACopyToWellOrder's)
//   yxc  [y][x][C]      [z][y][x][C]  a DMDA's array (dofs interleaved, x fastest); Fortran a(C, xm, ym[,
//   zm]) cyx  [C][y][x]      [C][z][y][x]  Fortran a(xm, ym[, zm], C)
// The full field on the emulator rank(s) is always [C][X][Y] or [C][X][Y][Z] (C order), a Fortran
// a(Y, X, C) or a(Z, Y, X, C).
//
// Normalisation: with a Normalizer, gather() returns the normalised field (normalize() applied on
// the emulator rank once the field is assembled) and scatter() takes a normalised field
// (denormalize() before sending).
//
// All calls are collective over the communicator, and every rank must pass the same grid, channels
// and emulator choice. A bad argument on any rank makes the call throw leap::InputError on every
// rank, with the lowest failing rank's message prefixed by "rank N: ", so that no rank is left
// waiting in a collective (MPI_COMM_NULL, which allows no communication, is refused locally).
#pragma once

#include <ATen/core/Tensor.h>
#include <mpi.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "leap/data/normalizer.h"
#include "leap/data/well_writer.h"

namespace leap::plugin {

enum class BlockLayout { cxy = 0, xyc = 1, yxc = 2, cyx = 3 };

// Element strides (channel, x, y) of a block of `xm` x `ym` cells and `channels` channels in
// `layout`: channel c of local cell (i, j) is element c s[0] + i s[1] + j s[2].
std::array<int64_t, 3> block_strides(BlockLayout layout, int64_t channels, int64_t xm, int64_t ym);
// The same for a 3-D block of xm x ym x zm cells (channel, x, y, z): element c s[0] + i s[1] + j s[2]
// + l s[3]. With zm = 1 the first three are the 2-D strides.
std::array<int64_t, 4> block_strides(BlockLayout layout, int64_t channels, int64_t xm, int64_t ym,
                                     int64_t zm);

// Which ranks hold the full field; see the header comment for how the other ranks are assigned.
struct EmulatorRanks {
  std::vector<int> ranks{0};  // ranks of the communicator (distinct), when per_node is false
  bool per_node = false;      // instead: the local rank 0 of each node

  static EmulatorRanks root(int rank = 0) { return EmulatorRanks{{rank}, false}; }
  static EmulatorRanks one_per_node() { return EmulatorRanks{{}, true}; }
};

// Where this rank stands among the emulator ranks that `emulators` names on `comm` (collective for
// one_per_node; rank-local for a list, which is not validated here: StateExchange does that).
struct EmulatorPlacement {
  bool is_emulator = false;
  int index = 0;  // among the emulator ranks, in rank order (emulator ranks only)
  int count = 1;  // emulator ranks
};
EmulatorPlacement emulator_placement(MPI_Comm comm, const EmulatorRanks& emulators);

struct ExchangeOptions {
  BlockLayout layout = BlockLayout::cxy;
  EmulatorRanks emulators;
  std::optional<data::Normalizer> normalizer;  // its channel count must equal the exchange's
};

class StateExchange {
 public:
  // Collective over `comm` (which is not kept: the exchange works on communicators of its own).
  // grid = {nx, ny} or {nx, ny, nz}; `block` is this rank's box (start and count along each axis
  // of the grid; a count of 0 owns nothing); channels = C. The boxes of all ranks must tile the grid
  // exactly. InputError on every rank when any rank passes bad arguments or the ranks disagree on
  // the grid or the channels.
  StateExchange(MPI_Comm comm, const std::vector<int64_t>& grid, const data::Block& block, int64_t channels,
                ExchangeOptions options = {});
  ~StateExchange();
  StateExchange(const StateExchange&) = delete;
  StateExchange& operator=(const StateExchange&) = delete;
  StateExchange(StateExchange&&) noexcept;
  StateExchange& operator=(StateExchange&&) noexcept;

  // Collective. `block`: channels * cells of this rank's box, in layout() order (may be null when
  // the rank owns nothing). `full`: channels * X * Y floats, [C][X][Y], written on emulator ranks
  // (ignored elsewhere, may be null there). [C][X][Y][Z] for a 3-D grid, here and below.
  void gather(const float* block, float* full);
  // As above; returns the [C, X, Y(, Z)] float32 CPU tensor on emulator ranks, an undefined tensor elsewhere.
  at::Tensor gather(const float* block);
  // As above; `block` must hold exactly block_size() floats; `full` is resized on emulator ranks
  // (left as it is elsewhere).
  void gather(const std::vector<float>& block, std::vector<float>& full);

  // Collective inverse of gather(). `full` ([C][X][Y]) is read on emulator ranks only (may be null
  // elsewhere); `block` receives this rank's box in layout() order.
  void scatter(const float* full, float* block);
  // `full`: a [C, X, Y(, Z)] tensor of any floating dtype and device on emulator ranks (converted to
  // float32 on the CPU), ignored (may be undefined) elsewhere.
  void scatter(const at::Tensor& full, float* block);
  // `full` must hold full_size() floats on emulator ranks; `block` is resized to block_size().
  void scatter(const std::vector<float>& full, std::vector<float>& block);

  // Rank-local: the memory layout of this rank's blocks in later calls.
  void set_layout(BlockLayout layout);
  BlockLayout layout() const;

  bool is_emulator() const;    // this rank holds the full field
  int emulator() const;        // rank (in the construction communicator) of this rank's emulator
  int emulator_count() const;  // number of emulator ranks (groups)
  int group_size() const;      // ranks served by this rank's emulator, itself included
  int64_t channels() const;
  std::vector<int64_t> grid() const;  // {nx, ny} or {nx, ny, nz}
  const data::Block& block() const;
  int64_t block_size() const;  // channels * cells of this rank's box
  int64_t full_size() const;   // channels * X * Y (* Z)

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace leap::plugin
