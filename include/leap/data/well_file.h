// Datasets in The Well's HDF5 schema (PolymathicAI, "Data format"): root attributes, `dimensions`,
// `boundary_conditions`, `scalars`, and `t0_fields`/`t1_fields`/`t2_fields` holding float32 arrays
// [trajectory, time, x, y(, component)]. WellFile reads LEAP's files and original Well files alike;
// WellWriter (well_writer.h) writes them collectively from all MPI ranks.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace leap::data {

struct WellAxis {
  std::string name;          // "x", "y"
  int64_t size = 0;          // cells
  std::vector<double> coords;  // cell-centre coordinates (size entries)
  std::string bc_type;       // "periodic", "open", "wall" (empty when the file gives none)
};

struct WellField {
  std::string name;
  int order = 0;                 // tensor order: 0 scalar (t0_fields), 1 vector (t1), 2 tensor (t2)
  std::vector<int64_t> shape;    // full dataset shape
  bool sample_varying = true;
  bool time_varying = true;
  std::vector<bool> dim_varying;
  int64_t components() const;    // 1, D or D*D
};

struct WellLayout {
  std::string dataset_name;
  std::string grid_type = "cartesian";
  std::vector<WellAxis> axes;                               // spatial dims, in file order
  std::vector<WellField> fields;                            // t0 fields first, then t1, t2
  std::vector<std::pair<std::string, double>> parameters;   // simulation_parameters and their values
  int64_t n_trajectories = 0;
  int64_t n_steps = 0;
  std::vector<double> times;                                // n_steps entries

  int n_spatial_dims() const { return int(axes.size()); }
  // Total channels once vector/tensor fields are split into components.
  int64_t channels() const;
  // Channel names: "density", "momentum_x", "momentum_y", ...
  std::vector<std::string> channel_names() const;
  const WellField* field(const std::string& name) const;
};

// Read access to one file. Opening checks the schema: anything missing or malformed is an
// InputError naming the file and what is missing; a file that is not HDF5 says so.
class WellFile {
 public:
  explicit WellFile(const std::string& path);
  ~WellFile();
  WellFile(WellFile&&) noexcept;
  WellFile& operator=(WellFile&&) noexcept;

  const WellLayout& layout() const { return layout_; }
  const std::string& path() const { return path_; }

  // One frame of one field, in file order [x][y][component], float32.
  std::vector<float> read_frame(int64_t trajectory, int64_t step, const std::string& field) const;
  // All channels of one frame, channel-major [channel][x][y] (channels as in channel_names()).
  std::vector<float> read_state(int64_t trajectory, int64_t step) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string path_;
  WellLayout layout_;
};

// Human-readable summary for `leap info`.
std::string describe(const WellLayout& layout, const std::string& path);

}  // namespace leap::data
