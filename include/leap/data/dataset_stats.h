// Per-field statistics of a dataset, as The Well's stats.yaml holds them: mean, std, rms of each
// field and of its frame-to-frame differences (mean_delta, std_delta, rms_delta); vector fields
// have one value per component. Training normalises with them.
#pragma once

#include <mpi.h>

#include <string>
#include <vector>

namespace leap::data {

struct FieldStats {
  std::string name;
  int components = 1;
  std::vector<double> mean, std, rms, mean_delta, std_delta, rms_delta;  // `components` entries each
};

struct DatasetStats {
  std::vector<FieldStats> fields;
  const FieldStats* field(const std::string& name) const;
  // Per channel (fields split into components, as WellLayout::channel_names()).
  std::vector<double> channel_mean() const;
  std::vector<double> channel_std() const;
};

// Two passes over every frame of every trajectory in `files` (all of the same layout), shared
// among the ranks of `comm`; every rank gets the result.
DatasetStats compute_stats(MPI_Comm comm, const std::vector<std::string>& files);

// Statistics of the union of several datasets from each one's statistics: each part weighs by its
// number of values (`weights`: frames x cells of its training split) and, for the delta statistics,
// by its number of frame-to-frame differences (`delta_weights`). Means and mean squares (std^2 +
// mean^2, rms^2) combine exactly, so pooling the parts' statistics equals the statistics of the
// union. Every part must have the same fields and components (InputError otherwise).
DatasetStats pool_stats(const std::vector<DatasetStats>& parts, const std::vector<double>& weights,
                        const std::vector<double>& delta_weights);

// stats.yaml in The Well's layout: top-level keys mean, std, rms, mean_delta, std_delta, rms_delta,
// each mapping field name -> number (scalar field) or list (vector field).
void write_stats_yaml(const std::string& path, const DatasetStats& stats);
// Reads it back; a missing file or key is an InputError naming the file and key.
DatasetStats read_stats_yaml(const std::string& path);

}  // namespace leap::data
