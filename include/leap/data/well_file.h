// Datasets in The Well's HDF5 schema (PolymathicAI, "Data format"): root attributes, `dimensions`,
// `boundary_conditions`, `scalars`, and `t0_fields`/`t1_fields`/`t2_fields` holding arrays
// [trajectory, time, x, y(, component...)]. WellFile reads LEAP's files and original Well files alike,
// whatever The Well's own reader reads:
//  - empty field groups (`field_names` stored as an empty array of any type; t2_fields may be absent);
//  - fields that do not vary with the sample or with time (no trajectory / time axis; such a field
//    is a *constant channel*: every frame of a trajectory reads the same values);
//  - fields that do not vary along a spatial axis (`dim_varying` false: the axis is stored with
//    length 1, or left out) are broadcast along it;
//  - tensor fields with one trailing axis per tensor order ([.., D] vectors, [.., D, D] tensors);
//  - float32 or float64 values (read as float32);
//  - scalars, constant or time-varying (`scalars` group; not model channels, see read_scalar);
//  - boundary-condition groups with or without a `mask`: each axis's lower and upper side take the
//    group's type as The Well's reader decides it (open or periodic where any mask entry on that
//    side is set, wall where all are; a group without a mask covers its axes entirely).
// WellWriter (well_writer.h) writes them collectively from all MPI ranks.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace leap::data {

struct WellAxis {
  WellAxis() = default;
  // Both sides of the axis of one type `bc` (empty: none given).
  WellAxis(std::string axis_name, int64_t cells, std::vector<double> centres = {}, std::string bc = {})
      : name(std::move(axis_name)), size(cells), coords(std::move(centres)), bc_type(std::move(bc)) {}
  std::string name;            // "x", "y"
  int64_t size = 0;            // cells
  std::vector<double> coords;  // cell-centre coordinates (size entries)
  // "periodic", "open", "wall" (lower case) when both sides agree, "lower/upper" when they do not;
  // empty when the file gives no boundary condition for this axis.
  std::string bc_type;
  std::string bc_lower, bc_upper;  // each side's type (empty when none is given)
};

// A group of `boundary_conditions`.
struct WellBoundary {
  std::string name;                 // group name, e.g. "x_periodic"
  std::string type;                 // bc_type, lower case
  std::vector<std::string> dims;    // associated_dims
  std::vector<std::string> fields;  // associated_fields (may be empty: all fields)
  std::vector<int64_t> mask_shape;  // empty when the group has no mask
  std::vector<uint8_t> mask;        // row-major, 0 or 1
};

// A member of the `scalars` group.
struct WellScalar {
  std::string name;
  std::vector<int64_t> shape;
  bool sample_varying = false;
  bool time_varying = false;
};

struct WellField {
  std::string name;
  int order = 0;               // tensor order: 0 scalar (t0_fields), 1 vector (t1), 2 tensor (t2)
  std::vector<int64_t> shape;  // full dataset shape
  bool sample_varying = true;
  bool time_varying = true;
  std::vector<bool> dim_varying;
  std::string dtype = "float32";  // stored type: "float32", "float64" or another numeric type
  int64_t components() const;     // 1, D or D*D
  bool constant() const { return !time_varying; }  // a constant channel (same at every frame)
};

struct WellLayout {
  std::string dataset_name;
  std::string grid_type = "cartesian";
  std::vector<WellAxis> axes;                              // spatial dims, in file order
  std::vector<WellField> fields;                           // t0 fields first, then t1, t2
  std::vector<std::pair<std::string, double>> parameters;  // simulation_parameters and their values
  std::vector<WellScalar> scalars;                         // the `scalars` group
  std::vector<WellBoundary> boundaries;                    // the `boundary_conditions` groups
  int64_t n_trajectories = 0;
  int64_t n_steps = 0;
  std::vector<double> times;  // n_steps entries

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

  // One frame of one field, in file order [x][y][component], float32, broadcast over the axes the
  // field does not vary along (a constant field gives the same frame at every step).
  std::vector<float> read_frame(int64_t trajectory, int64_t step, const std::string& field) const;
  // All channels of one frame, channel-major [channel][x][y] (channels as in channel_names()).
  std::vector<float> read_state(int64_t trajectory, int64_t step) const;
  // Every value of one scalar, as stored (row-major over its shape), as double.
  std::vector<double> read_scalar(const std::string& name) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string path_;
  WellLayout layout_;
};

// What keeps two files from sharing one split directory of a dataset: a different dataset_name,
// number of spatial dimensions, grid (axis names and sizes) or channel names; "" when they agree.
std::string layout_difference(const WellLayout& a, const WellLayout& b);

// Human-readable summary for `leap info`.
std::string describe(const WellLayout& layout, const std::string& path);

}  // namespace leap::data
