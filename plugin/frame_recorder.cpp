// FrameRecorder: consecutive solver frames -> trajectories in The Well's schema (see frame_recorder.h).
#include "leap/plugin/frame_recorder.h"

#include <algorithm>
#include <filesystem>
#include <utility>

#include "leap/data/dataset_stats.h"
#include "leap/error.h"
#include "leap/plugin/collective_error.h"
#include "leap/util/fault_injection.h"
#include "mpi_check.h"

namespace fs = std::filesystem;

namespace leap::plugin {

std::string FrameRecorder::problem_with(const RecorderOptions& o) {
  if (o.dir.empty()) return "recording: no dataset directory given";
  if (o.frames_per_trajectory < 2)
    return "recording: frames per trajectory must be >= 2, got " + std::to_string(o.frames_per_trajectory);
  if (o.valid_every < 0) return "recording: valid_every must be >= 0, got " + std::to_string(o.valid_every);
  if (o.name.empty() || o.name.find('/') != std::string::npos)
    return "recording: the name must be a non-empty file name stem, got '" + o.name + "'";
  std::error_code ec;
  fs::create_directories(o.dir, ec);
  if (ec || !fs::is_directory(o.dir)) return "recording: cannot create the directory " + o.dir;
  // A recording of that name in any dataset of the collection.
  for (const auto& ds : fs::directory_iterator(o.dir, ec))
    for (const char* split : {"train", "valid"}) {
      const fs::path d = ds.path() / "data" / split;
      if (!fs::is_directory(d)) continue;
      for (const auto& e : fs::directory_iterator(d, ec))
        if (e.path().extension() == ".hdf5" && e.path().filename().string().rfind(o.name + "_", 0) == 0)
          return "recording: " + e.path().string() + " already exists (a recording named '" + o.name +
                 "' is there; choose another name or directory)";
    }
  return "";
}

std::string FrameRecorder::dataset_dir(const RecorderOptions& o, const data::WellLayout& layout) {
  return (fs::path(o.dir) / layout.dataset_name).string();
}

std::string FrameRecorder::problem_with(const RecorderOptions& o, const data::WellLayout& layout) {
  if (auto p = problem_with(o); !p.empty()) return p;
  if (layout.dataset_name.empty() || layout.dataset_name.find('/') != std::string::npos)
    return "recording: the state's dataset_name must be a non-empty directory name, got '" +
           layout.dataset_name + "'";
  std::error_code ec;
  for (const char* split : {"train", "valid"}) {
    const fs::path d = fs::path(dataset_dir(o, layout)) / "data" / split;
    fs::create_directories(d, ec);
    if (ec || !fs::is_directory(d)) return "recording: cannot create the directory " + d.string();
    for (const auto& e : fs::directory_iterator(d, ec)) {
      if (e.path().extension() != ".hdf5") continue;
      // A dataset's files share one layout (The Well's reader and LEAP's training need it).
      try {
        const data::WellFile other(e.path().string());
        data::WellLayout mine = layout;
        const std::string diff = data::layout_difference(mine, other.layout());
        if (!diff.empty())
          return "recording: " + e.path().string() + " is of another layout than this state (" + diff +
                 "); record into another directory";
      } catch (const Error& err) {
        return "recording: " + e.path().string() + " is in the dataset but unreadable: " + err.what();
      }
    }
  }
  return "";
}

FrameRecorder::FrameRecorder(MPI_Comm comm, data::WellLayout layout, data::Block block,
                             RecorderOptions options)
    : layout_(std::move(layout)), block_(std::move(block)), options_(std::move(options)) {
  if (comm == MPI_COMM_NULL) throw InputError("FrameRecorder: MPI_COMM_NULL");
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  std::string problem;
  if (layout_.fields.empty() || layout_.axes.empty())
    problem = "recording: the state has no fields or no axes";
  else if (rank == 0)
    problem = problem_with(options_, layout_);
  agree_on_input_error(comm, problem);
  mpi_check(MPI_Comm_dup(comm, &comm_), "MPI_Comm_dup");
  layout_.n_trajectories = 1;
  layout_.n_steps = options_.frames_per_trajectory;
}

FrameRecorder::~FrameRecorder() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (comm_ != MPI_COMM_NULL && !finalized) MPI_Comm_free(&comm_);
}

void FrameRecorder::add(const std::vector<std::vector<float>>& fields, double time) {
  util::fault_point("recorder");
  if (finished_) throw Error("FrameRecorder: add() after finish()");
  std::string problem;
  if (fields.size() != layout_.fields.size()) {
    problem = "recording: expected " + std::to_string(layout_.fields.size()) + " fields, got " +
              std::to_string(fields.size());
  } else {
    for (size_t f = 0; f < fields.size() && problem.empty(); ++f) {
      const int64_t want = block_.cells() * layout_.fields[f].components();
      if (int64_t(fields[f].size()) != want)
        problem = "recording: field " + layout_.fields[f].name + " has " + std::to_string(fields[f].size()) +
                  " values on this rank, expected " + std::to_string(want);
    }
  }
  agree_on_input_error(comm_, problem);
  frames_.push_back(fields);
  times_.push_back(time);
  if (int64_t(times_.size()) == options_.frames_per_trajectory) write_trajectory();
}

void FrameRecorder::break_segment() {
  frames_.clear();
  times_.clear();
}

void FrameRecorder::write_trajectory() {
  const int64_t k = written_;
  const bool valid = options_.valid_every > 0 && (k + 1) % options_.valid_every == 0;
  const fs::path path = fs::path(dataset_dir(options_, layout_)) / "data" / (valid ? "valid" : "train") /
                        (options_.name + "_" + std::to_string(k) + ".hdf5");
  data::WellLayout L = layout_;
  L.times = times_;
  {
    data::WellWriter writer(comm_, path.string(), L);
    for (size_t s = 0; s < frames_.size(); ++s)
      for (size_t f = 0; f < L.fields.size(); ++f)
        writer.write_frame(0, int64_t(s), L.fields[f].name, frames_[s][f].data(), block_);
    writer.mark_complete(1);
    writer.finish();
  }
  files_.push_back(path.string());
  ++written_;
  break_segment();
}

void FrameRecorder::finish() {
  if (finished_) return;
  finished_ = true;
  break_segment();
  std::vector<std::string> train;
  const fs::path tdir = fs::path(dataset_dir(options_, layout_)) / "data" / "train";
  int rank = 0;
  MPI_Comm_rank(comm_, &rank);
  // Rank 0 lists the split, so every rank passes the same files to the collective statistics.
  std::string listing;
  if (rank == 0) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(tdir, ec))
      if (e.path().extension() == ".hdf5") train.push_back(e.path().string());
    std::sort(train.begin(), train.end());
    for (const auto& t : train) listing += t + '\n';
  }
  int len = int(listing.size());
  mpi_check(MPI_Bcast(&len, 1, MPI_INT, 0, comm_), "MPI_Bcast");
  listing.resize(size_t(len));
  mpi_check(MPI_Bcast(listing.data(), len, MPI_CHAR, 0, comm_), "MPI_Bcast");
  train.clear();
  for (size_t a = 0, b; a < listing.size(); a = b + 1) {
    b = listing.find('\n', a);
    train.push_back(listing.substr(a, b - a));
  }
  if (train.empty()) return;
  const auto stats = data::compute_stats(comm_, train);
  if (rank == 0)
    data::write_stats_yaml((fs::path(dataset_dir(options_, layout_)) / "stats.yaml").string(), stats);
}

}  // namespace leap::plugin
