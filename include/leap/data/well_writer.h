// Writes one dataset file in The Well's schema collectively from all ranks of a communicator with
// parallel HDF5: each rank writes its own block of each frame (no gather to one rank). The file is
// created under a temporary name and renamed by finish(), so an unfinished file never looks finished.
#pragma once

#include <mpi.h>

#include <memory>
#include <string>

#include "leap/data/well_file.h"

namespace leap::data {

// The block of the grid a rank owns: start and count along each spatial axis, in file order.
struct Block {
  std::vector<int64_t> start;
  std::vector<int64_t> count;
  int64_t cells() const;
};

class WellWriter {
 public:
  // Collective over `comm`. `layout` gives axes (with coordinates and boundary types), fields
  // (name and order; shapes are derived), parameters, trajectories, steps and times.
  // With `resume`, an unfinished file of the same layout left by an interrupted run is reopened and
  // completed_trajectories() tells where to go on; otherwise the file is created anew.
  WellWriter(MPI_Comm comm, const std::string& path, WellLayout layout, bool resume = false);
  // Without finish(): closes the temporary file and leaves it unfinished. While an exception is
  // unwinding (a failure that may be this rank's alone), abandons it instead (see abandon()).
  ~WellWriter();
  WellWriter(const WellWriter&) = delete;
  WellWriter& operator=(const WellWriter&) = delete;

  const WellLayout& layout() const { return layout_; }

  // Collective: every rank passes its block of `field` at (trajectory, step), float32 in file order
  // [x][y][component] over the block. Ranks owning nothing pass an empty block.
  void write_frame(int64_t trajectory, int64_t step, const std::string& field, const float* data,
                   const Block& block);
  // Collective, for files created with n_steps = 0 (a run of unknown length): adds one frame at
  // simulated time `time` to every field and returns its step index for write_frame().
  int64_t append_frame(double time);
  // Collective: records that trajectories [0, count) are complete and flushes them to disk.
  void mark_complete(int64_t count);
  int64_t completed_trajectories() const;
  // Collective: closes the file and renames it to its final name.
  void finish();
  // Not collective: after a failure, gives the file up without the collective close (which would
  // wait for ranks that may never come); it keeps its temporary name NAME.partial, unfinished.
  void abandon();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  WellLayout layout_;
  std::string path_;
  bool growing_ = false;
};

// HDF5 files this process still holds open (e.g. one whose write failed and whose close failed too).
int64_t open_hdf5_files();

}  // namespace leap::data
