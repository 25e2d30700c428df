#include "leap/models/observed_rollout.h"

#include <ATen/ATen.h>

#include <memory>
#include <utility>

#include "leap/error.h"
#include "leap/models/guidance.h"

namespace leap::models {

WindowFn observed_diffusion_window_fn(Denoiser denoiser, Sampler sampler, int64_t window, int64_t context,
                                      at::Tensor theta, FrameDecoder decode, FrameObservations obs,
                                      at::Generator* generator) {
  if (context < 1 || window <= context)
    throw InputError("observed rollout: need 1 <= context < window, found context " + std::to_string(context) +
                     " and window " + std::to_string(window));
  for (size_t i = 0; i < obs.leads.size(); ++i)
    if (obs.leads[i] < 1 || (i > 0 && obs.leads[i] <= obs.leads[i - 1]))
      throw InputError("observed rollout: the observed leads must be increasing and >= 1");
  if (!obs.leads.empty() &&
      (!obs.values.defined() || obs.values.dim() != 2 || obs.values.size(0) != int64_t(obs.leads.size())))
    throw InputError("observed rollout: expected values (" + std::to_string(obs.leads.size()) +
                     ", M), one row per observed lead, found " +
                     (obs.values.defined() ? c10::str(obs.values.sizes()) : std::string("none")));
  if (!(obs.noise_std > 0))
    throw InputError("observed rollout: the observation noise must be > 0, found " + std::to_string(obs.noise_std));
  const int64_t fresh = window - context;
  auto call = std::make_shared<int64_t>(0);
  return [denoiser, sampler, window, context, theta, decode, obs, fresh, call,
          generator](const at::Tensor& ctx) mutable {
    const int64_t first = *call * fresh + 1, last = first + fresh - 1;  // the leads of this window
    ++*call;
    const at::Tensor th = parameters_for(theta, ctx.size(0));
    std::vector<int64_t> rows, slots;  // rows of obs.values, frames of the window
    for (size_t i = 0; i < obs.leads.size(); ++i)
      if (obs.leads[i] >= first && obs.leads[i] <= last) {
        rows.push_back(int64_t(i));
        slots.push_back(context + obs.leads[i] - first);
      }
    if (rows.empty()) return sample_window(denoiser, sampler, ctx, window, th, {}, generator);
    const at::Tensor target = obs.values.index_select(0, at::tensor(rows, at::kLong).to(obs.values.device()));
    const int64_t n = int64_t(slots.size());
    const ObservationOperator A_window = compose(
        obs.A,
        [decode, slots, n](const at::Tensor& x) {  // (B, C', w, ...) -> (B, n, C, ...)
          const int64_t B = x.size(0);
          const at::Tensor idx = at::tensor(slots, at::kLong).to(x.device());
          const at::Tensor pix = decode(x.index_select(2, idx).transpose(1, 2).flatten(0, 1));
          std::vector<int64_t> shape = {B, n};
          for (int64_t d = 1; d < pix.dim(); ++d) shape.push_back(pix.size(d));
          return pix.reshape(shape);
        },
        "decode");
    const double var_y = obs.noise_std * obs.noise_std;
    const Guide guide = [&](const DenoiseFn& d) {
      return obs.method == "diagonal" ? diagonal_guided_denoiser(d, A_window, target, var_y, obs.gamma)
                                      : mmps_denoiser(d, A_window, target, var_y, obs.iterations, obs.solver);
    };
    return sample_window(denoiser, sampler, ctx, window, th, guide, generator);
  };
}

}  // namespace leap::models
