// TrajectoryOracle: the exact solver trajectory read back from a dataset file.
#include <ATen/ATen.h>

#include <algorithm>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "leap/error.h"
#include "leap/plugin/emulator.h"

namespace leap::plugin {

TrajectoryOracle::TrajectoryOracle(const std::string& path, int64_t trajectory, int64_t context,
                                   double tolerance)
    : context_(context), tolerance_(tolerance) {
  data::WellFile file(path);
  layout_ = file.layout();
  if (trajectory < 0 || trajectory >= layout_.n_trajectories)
    throw InputError(path + ": no trajectory " + std::to_string(trajectory) + " (the file holds " +
                     std::to_string(layout_.n_trajectories) + ")");
  if (context < 1) throw InputError("TrajectoryOracle: context must be >= 1, got " + std::to_string(context));
  if (layout_.n_spatial_dims() != 2 && layout_.n_spatial_dims() != 3)
    throw InputError(path + ": the oracle needs a 2-D or 3-D dataset, this one is " +
                     std::to_string(layout_.n_spatial_dims()) + "-D");
  std::vector<int64_t> state_shape{layout_.channels()};  // [C, X, Y(, Z)]
  for (const auto& a : layout_.axes) state_shape.push_back(a.size);
  std::vector<int64_t> shape{layout_.n_steps};
  shape.insert(shape.end(), state_shape.begin(), state_shape.end());
  frames_ = at::empty(shape, at::kFloat);
  for (int64_t s = 0; s < layout_.n_steps; ++s) {
    const std::vector<float> state = file.read_state(trajectory, s);
    frames_[s].copy_(at::from_blob(const_cast<float*>(state.data()), state_shape, at::kFloat));
  }
}

at::Tensor TrajectoryOracle::leap(const at::Tensor& context, const at::Tensor& /*theta*/, int64_t frames,
                                  int64_t members) {
  if (context.dim() != frames_.dim() || context.size(0) < 1 ||
      context.sizes().slice(1) != frames_.sizes().slice(1))
    throw InputError(
        "TrajectoryOracle: context must be [c, C, X, Y(, Z)] with the shape of the stored frames " +
        c10::str(frames_.sizes().slice(1)) + ", found " + c10::str(context.sizes()));
  std::vector<int64_t> all_but_first, spatial;  // {1, ..., dim-1} of frames_; {1, ..., D} of a state
  for (int64_t k = 1; k < frames_.dim(); ++k) all_but_first.push_back(k);
  for (int64_t k = 1; k + 1 < frames_.dim(); ++k) spatial.push_back(k);
  if (frames < 1 || members < 1) throw InputError("TrajectoryOracle: frames and members must be >= 1");
  const at::Tensor last = context[context.size(0) - 1].to(at::kFloat).to(at::kDouble);
  const at::Tensor d = (frames_.to(at::kDouble) - last.unsqueeze(0)).pow(2).sum(all_but_first).sqrt() /
                       last.pow(2).sum().sqrt().clamp_min(std::numeric_limits<double>::min());
  const int64_t k = d.argmin().item<int64_t>();
  const double dist = d[k].item<double>();
  if (!(dist <= tolerance_))
    throw Error("TrajectoryOracle: the context is not on the stored trajectory (nearest frame " +
                std::to_string(k) + " at relative distance " + std::to_string(dist) + ")");
  if (k + frames >= frames_.size(0))
    throw Error("TrajectoryOracle: frame " + std::to_string(k + frames) + " is past the stored " +
                std::to_string(frames_.size(0)) + " frames");
  last_match_ = k;
  std::vector<int64_t> ensemble_shape = frames_.sizes().vec();
  ensemble_shape[0] = members;
  at::Tensor out = frames_[k + frames].unsqueeze(0).expand(ensemble_shape).contiguous();
  // Indices and views over the spatial axes, whatever their number: the first cell of channel c,
  // and a per-channel value broadcast over a state ([C, 1, ...]) or an ensemble ([1, C, 1, ...]).
  const auto first_cell = [&](int64_t c) {
    std::vector<at::indexing::TensorIndex> i{at::indexing::Slice(), c};
    for (size_t a = 0; a < spatial.size(); ++a) i.emplace_back(0);
    return i;
  };
  std::vector<int64_t> per_channel(spatial.size() + 1, 1), per_member_channel(spatial.size() + 2, 1);
  per_channel[0] = -1;
  per_member_channel[1] = -1;
  const int64_t n = leaps_++;
  for (const auto& f : faults_) {
    if (f.leap != n) continue;
    const at::Tensor std =
        std::get<0>(at::std_mean(frames_[k + frames].to(at::kDouble), spatial, /*unbiased=*/false))
            .to(at::kFloat);
    switch (f.kind) {
      case OracleFault::Kind::nan:
        out.index_put_(first_cell(0), std::numeric_limits<float>::quiet_NaN());
        break;
      case OracleFault::Kind::negative: {
        const auto names = channel_names();
        const int64_t c = int64_t(std::find(names.begin(), names.end(), f.channel) - names.begin());
        const at::Tensor cell = out.index(first_cell(c));
        out.index_put_(first_cell(c), -(cell.abs() + 1));
        break;
      }
      case OracleFault::Kind::spread:
        for (int64_t m = 0; m < members; ++m)
          out[m] += (double(m) - 0.5 * double(members - 1)) * f.amount * std.view(per_channel);
        break;
      case OracleFault::Kind::offset:
        out += f.amount * std.view(per_member_channel);
        break;
    }
  }
  return out;
}

void TrajectoryOracle::set_faults(std::vector<OracleFault> faults) {
  const auto names = channel_names();
  for (const auto& f : faults)
    if (f.kind == OracleFault::Kind::negative &&
        std::find(names.begin(), names.end(), f.channel) == names.end())
      throw InputError("oracle fault at leap " + std::to_string(f.leap) + ": no channel '" + f.channel +
                       "' in the dataset");
  faults_ = std::move(faults);
}

OracleFault OracleFault::parse(const std::string& spec, const std::string& what) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t colon; (colon = spec.find(':', start)) != std::string::npos; start = colon + 1)
    parts.push_back(spec.substr(start, colon - start));
  parts.push_back(spec.substr(start));
  const auto bad = [&] {
    return InputError(what + ": expected N:nan, N:negative:CHANNEL, N:spread:A or N:offset:A, found '" +
                      spec + "'");
  };
  OracleFault f;
  try {
    size_t used = 0;
    f.leap = std::stoll(parts.at(0), &used);
    if (used != parts[0].size() || f.leap < 0) throw bad();
    const std::string& kind = parts.at(1);
    if (kind == "nan" && parts.size() == 2) {
      f.kind = Kind::nan;
    } else if (kind == "negative" && parts.size() == 3 && !parts[2].empty()) {
      f.kind = Kind::negative;
      f.channel = parts[2];
    } else if ((kind == "spread" || kind == "offset") && parts.size() == 3) {
      f.kind = kind == "spread" ? Kind::spread : Kind::offset;
      f.amount = std::stod(parts[2], &used);
      if (used != parts[2].size()) throw bad();
    } else {
      throw bad();
    }
  } catch (const InputError&) {
    throw;
  } catch (const std::exception&) {
    throw bad();
  }
  return f;
}

}  // namespace leap::plugin
