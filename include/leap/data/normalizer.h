// Per-channel normalisation of states: x -> (f(x) - mean) / std, where f is log for fields chosen
// to be log-transformed (positive fields such as density and pressure) and the identity elsewhere.
// For log fields the mean/std of log x come from the dataset's moments (log-normal moment match).
#pragma once

#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

#include "leap/data/dataset_stats.h"
#include "leap/data/well_file.h"

namespace leap::data {

struct Normalizer {
  std::vector<double> mean, std;  // per channel
  std::vector<bool> log;          // per channel
  int spatial_dims = 2;           // the states' spatial axes (2: [..., C, X, Y], 3: [..., C, X, Y, Z])

  // Channels as layout.channel_names(), spatial_dims as the layout's; `log_fields` names whole fields.
  // InputError when the stats lack a field of the layout or a log field is unknown.
  static Normalizer from_stats(const DatasetStats& stats, const WellLayout& layout,
                               const std::vector<std::string>& log_fields, const std::string& stats_path);

  // x: [..., C, X, Y] (or [..., C, X, Y, Z] with spatial_dims 3)
  at::Tensor normalize(const at::Tensor& x) const;
  at::Tensor denormalize(const at::Tensor& z) const;
  int64_t channels() const { return int64_t(mean.size()); }
};

}  // namespace leap::data
