// TrajectoryOracle: the exact solver trajectory read back from a dataset file.
#include <ATen/ATen.h>

#include <limits>

#include "leap/error.h"
#include "leap/plugin/emulator.h"

namespace leap::plugin {

TrajectoryOracle::TrajectoryOracle(const std::string& path, int64_t trajectory, int64_t context, double tolerance)
    : context_(context), tolerance_(tolerance) {
  data::WellFile file(path);
  layout_ = file.layout();
  if (trajectory < 0 || trajectory >= layout_.n_trajectories)
    throw InputError(path + ": no trajectory " + std::to_string(trajectory) + " (the file holds " +
                     std::to_string(layout_.n_trajectories) + ")");
  if (context < 1) throw InputError("TrajectoryOracle: context must be >= 1, got " + std::to_string(context));
  if (layout_.n_spatial_dims() != 2) throw InputError(path + ": the oracle needs a 2-D dataset");
  const int64_t C = layout_.channels(), X = layout_.axes[0].size, Y = layout_.axes[1].size;
  frames_ = at::empty({layout_.n_steps, C, X, Y}, at::kFloat);
  for (int64_t s = 0; s < layout_.n_steps; ++s) {
    const std::vector<float> state = file.read_state(trajectory, s);
    frames_[s].copy_(at::from_blob(const_cast<float*>(state.data()), {C, X, Y}, at::kFloat));
  }
}

at::Tensor TrajectoryOracle::leap(const at::Tensor& context, const at::Tensor& /*theta*/, int64_t frames,
                                  int64_t members) {
  if (context.dim() != 4 || context.size(0) < 1 || context.sizes().slice(1) != frames_.sizes().slice(1))
    throw InputError("TrajectoryOracle: context must be [c, C, X, Y] with C, X, Y of the stored frames");
  if (frames < 1 || members < 1) throw InputError("TrajectoryOracle: frames and members must be >= 1");
  const at::Tensor last = context[context.size(0) - 1].to(at::kFloat).to(at::kDouble);
  const at::Tensor d = (frames_.to(at::kDouble) - last.unsqueeze(0)).pow(2).sum({1, 2, 3}).sqrt() /
                       last.pow(2).sum().sqrt().clamp_min(std::numeric_limits<double>::min());
  const int64_t k = d.argmin().item<int64_t>();
  const double dist = d[k].item<double>();
  if (!(dist <= tolerance_))
    throw Error("TrajectoryOracle: the context is not on the stored trajectory (nearest frame " + std::to_string(k) +
                " at relative distance " + std::to_string(dist) + ")");
  if (k + frames >= frames_.size(0))
    throw Error("TrajectoryOracle: frame " + std::to_string(k + frames) + " is past the stored " +
                std::to_string(frames_.size(0)) + " frames");
  last_match_ = k;
  return frames_[k + frames].unsqueeze(0).repeat({members, 1, 1, 1}).contiguous();
}

}  // namespace leap::plugin
