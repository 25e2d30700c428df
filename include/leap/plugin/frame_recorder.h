// FrameRecorder: in-situ recording of a running solver's frames as a dataset in The Well's schema, so
// that a hybrid run (or any program driving the runtime) produces data `leap train` fine-tunes from.
//
// Frames arrive one at a time, each rank passing its own block of every field. Consecutive frames
// form a segment; a segment is broken whenever the state stops being a solver trajectory (after an
// emulator leap, or when recording is paused). Every `frames_per_trajectory` consecutive frames of
// a segment become one trajectory, written with parallel HDF5 (each rank its own block) as its own
// file DS/data/<split>/<name>_<k>.hdf5, DS = DIR/<dataset_name> (n_trajectories 1, n_steps =
// frames_per_trajectory, times of the frames); a shorter rest of a segment is dropped. Every
// `valid_every`-th trajectory goes to the valid split (0: all to train). finish() writes
// DS/stats.yaml over the train split, so DIR is a collection in The Well's layout like `leap
// generate`'s. Recordings may be added to a dataset that holds files of the same dataset_name,
// grid and fields; any other is refused. Each file appears under its final name only when complete.
//
// Collective over the communicator given at construction (every call, on every rank).
#pragma once

#include <mpi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "leap/data/well_file.h"
#include "leap/data/well_writer.h"

namespace leap::plugin {

struct RecorderOptions {
  std::string dir;                    // collection directory (created when missing)
  std::string name = "recorded";      // file name stem
  int64_t frames_per_trajectory = 8;  // >= 2
  int64_t valid_every = 0;            // every k-th trajectory to valid/ (0: none)
};

class FrameRecorder {
 public:
  // `layout`: dataset name, axes, fields and parameters of the state (trajectory counts and times
  // are ignored); `block`: this rank's box. InputError (on every rank) for bad options or when the
  // directory cannot be created.
  FrameRecorder(MPI_Comm comm, data::WellLayout layout, data::Block block, RecorderOptions options);
  ~FrameRecorder();
  FrameRecorder(const FrameRecorder&) = delete;
  FrameRecorder& operator=(const FrameRecorder&) = delete;

  // Rank-local check of the options and the directory (creates DIR): "" when a recording can
  // start, else what is wrong.
  static std::string problem_with(const RecorderOptions& options);
  // The same for a state of `layout`, and its dataset DIR/<dataset_name> (creates data/train and
  // data/valid): also a recording of that name already there, or files of another layout.
  static std::string problem_with(const RecorderOptions& options, const data::WellLayout& layout);
  // DIR/<dataset_name>
  static std::string dataset_dir(const RecorderOptions& options, const data::WellLayout& layout);

  // Appends a frame at simulated time `time` to the current segment: this rank's block of every
  // field of the layout, in its order, float32 [x][y][component]. Writes a trajectory when the
  // segment reaches frames_per_trajectory frames.
  void add(const std::vector<std::vector<float>>& fields, double time);
  // Ends the current segment (its frames not yet written are dropped).
  void break_segment();
  // Writes stats.yaml (when a train trajectory exists); later add() calls are refused.
  void finish();

  int64_t trajectories_written() const { return written_; }
  int64_t frames_buffered() const { return int64_t(times_.size()); }
  const std::vector<std::string>& files() const { return files_; }

 private:
  void write_trajectory();

  MPI_Comm comm_ = MPI_COMM_NULL;
  data::WellLayout layout_;
  data::Block block_;
  RecorderOptions options_;
  std::vector<std::vector<std::vector<float>>> frames_;  // [frame][field] blocks
  std::vector<double> times_;
  std::vector<std::string> files_;
  int64_t written_ = 0;
  bool finished_ = false;
};

}  // namespace leap::plugin
