#include "leap/data/normalizer.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

#include "leap/error.h"

namespace leap::data {

Normalizer Normalizer::from_stats(const DatasetStats& stats, const WellLayout& layout,
                                  const std::vector<std::string>& log_fields, const std::string& stats_path) {
  for (const auto& lf : log_fields)
    if (!layout.field(lf))
      throw InputError(stats_path, "log_fields", "names of fields of the dataset", "'" + lf + "'");
  Normalizer n;
  n.spatial_dims = layout.n_spatial_dims();
  for (const auto& f : layout.fields) {
    const FieldStats* fs = stats.field(f.name);
    if (!fs) throw InputError(stats_path, "mean." + f.name, "statistics of field '" + f.name + "'", "none");
    if (fs->components != f.components())
      throw InputError(stats_path, "mean." + f.name, std::to_string(f.components()) + " components",
                       std::to_string(fs->components));
    const bool lg = std::find(log_fields.begin(), log_fields.end(), f.name) != log_fields.end();
    for (int c = 0; c < fs->components; ++c) {
      double m = fs->mean[c], s = fs->std[c];
      if (lg) {
        if (m <= 0)
          throw InputError(stats_path, "mean." + f.name, "a positive mean for a log field",
                           std::to_string(m));
        const double var_log = std::log1p((s * s) / (m * m));
        s = std::sqrt(var_log);
        m = std::log(m) - 0.5 * var_log;
      }
      n.mean.push_back(m);
      n.std.push_back(s > 1e-12 ? s : 1.0);
      n.log.push_back(lg);
    }
  }
  return n;
}

namespace {

// Per-channel values shaped [C, 1, ..., 1] (one 1 per spatial axis) to broadcast over [..., C, X, Y(, Z)].
at::Tensor channel_view(const std::vector<double>& v, const at::Tensor& like, int spatial_dims) {
  std::vector<int64_t> shape(size_t(spatial_dims) + 1, 1);
  shape[0] = -1;
  return at::tensor(v, at::TensorOptions().dtype(at::kDouble)).to(like.options()).view(shape);
}

}  // namespace

at::Tensor Normalizer::normalize(const at::Tensor& x) const {
  at::Tensor y = x;
  if (std::any_of(log.begin(), log.end(), [](bool b) { return b; })) {
    std::vector<at::Tensor> chans = x.unbind(-1 - spatial_dims);
    for (size_t c = 0; c < chans.size(); ++c)
      if (log[c]) chans[c] = at::log(at::clamp_min(chans[c], 1e-12));
    y = at::stack(chans, -1 - spatial_dims);
  }
  return (y - channel_view(mean, y, spatial_dims)) / channel_view(std, y, spatial_dims);
}

at::Tensor Normalizer::denormalize(const at::Tensor& z) const {
  at::Tensor y = z * channel_view(std, z, spatial_dims) + channel_view(mean, z, spatial_dims);
  if (std::any_of(log.begin(), log.end(), [](bool b) { return b; })) {
    std::vector<at::Tensor> chans = y.unbind(-1 - spatial_dims);
    for (size_t c = 0; c < chans.size(); ++c)
      if (log[c]) chans[c] = at::exp(chans[c]);
    y = at::stack(chans, -1 - spatial_dims);
  }
  return y;
}

}  // namespace leap::data
