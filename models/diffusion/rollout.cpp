#include "leap/models/rollout.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <string>
#include <vector>

#include "leap/error.h"
#include "leap/models/context_mask.h"

namespace leap::models {

namespace {

// Windows of frames with 2 or 3 spatial axes: (B, C, T, X, Y) or (B, C, T, X, Y, Z).
bool window_rank(const at::Tensor& x) {
  return x.dim() == 5 || x.dim() == 6;
}

}  // namespace

at::Tensor rollout(const WindowFn& step, const at::Tensor& initial, int64_t context, int64_t window,
                   int64_t horizon) {
  if (context < 1 || window <= context)
    throw InputError("rollout: need 1 <= context < window, found context " + std::to_string(context) +
                     " and window " + std::to_string(window));
  if (!window_rank(initial) || initial.size(2) < context)
    throw InputError("rollout: expected initial frames (B, C, T >= " + std::to_string(context) +
                     ", X, Y(, Z)), found " + c10::str(initial.sizes()));
  if (horizon < 0) throw InputError("rollout: negative horizon " + std::to_string(horizon));
  at::Tensor ctx = initial.narrow(2, initial.size(2) - context, context);
  std::vector<at::Tensor> frames;
  int64_t produced = 0;
  while (produced < horizon) {
    at::Tensor w = step(ctx);
    if (w.dim() != initial.dim() || w.size(2) != window)
      throw Error("rollout: the window function returned shape " + c10::str(w.sizes()) + ", expected " +
                  std::to_string(window) + " frames of rank " + std::to_string(initial.dim()));
    at::Tensor fresh = w.narrow(2, context, window - context);
    frames.push_back(fresh);
    produced += window - context;
    at::Tensor recent = at::cat({ctx, fresh}, 2);
    ctx = recent.narrow(2, recent.size(2) - context, context);
  }
  if (frames.empty()) {
    auto shape = initial.sizes().vec();
    shape[2] = 0;
    return at::empty(shape, initial.options());
  }
  return at::cat(frames, 2).narrow(2, 0, horizon);
}

namespace {

// Known frames: the context at the start of a window of `window` frames (zeros elsewhere).
std::pair<at::Tensor, at::Tensor> place_context(const at::Tensor& context, int64_t window) {
  if (!window_rank(context) || context.size(2) >= window)
    throw InputError("window: expected context (B, C, c < " + std::to_string(window) +
                     ", X, Y(, Z)), found " + c10::str(context.sizes()));
  const int64_t B = context.size(0), c = context.size(2);
  auto shape = context.sizes().vec();
  shape[2] = window - c;
  at::Tensor full = at::cat({context, at::zeros(shape, context.options())}, 2);
  return {full, context_mask(B, window, c).to(context.device())};
}

}  // namespace

at::Tensor sample_window(Denoiser& denoiser, const Sampler& sampler, const at::Tensor& context,
                         int64_t window, const at::Tensor& theta, const Guide& guide, at::Generator* generator) {
  c10::NoGradGuard no_grad;
  // Not a structured binding: a lambda capturing one is C++20 (clang refuses it in C++17).
  const auto placed = place_context(context, window);
  const at::Tensor& known = placed.first;
  const at::Tensor& mask = placed.second;
  DenoiseFn fn = [&](const at::Tensor& x, const at::Tensor& sigma) {
    return denoiser->forward(x, sigma, mask, known, theta);
  };
  if (guide) fn = guide(fn);
  const at::Tensor x0 =
      generator ? sampler.start(at::randn(known.sizes(), *generator, known.options().device(at::kCPU)).to(known.device()))
                : sampler.init(known.sizes(), known.options());
  at::Tensor x = sampler.sample(fn, x0, generator);
  return at::where(broadcast_mask(mask, known.dim()), known, x);
}

at::Tensor predict_window(Surrogate& surrogate, const at::Tensor& context, int64_t window,
                          const at::Tensor& theta) {
  c10::NoGradGuard no_grad;
  auto [known, mask] = place_context(context, window);
  return surrogate->forward(known, mask, theta);
}

at::Tensor parameters_for(const at::Tensor& theta, int64_t batch) {
  if (!theta.defined() || theta.size(0) == batch) return theta;
  if (batch % theta.size(0) != 0)
    throw InputError("window: " + std::to_string(theta.size(0)) + " parameter rows for a batch of " +
                     std::to_string(batch) + " windows");
  return theta.repeat_interleave(batch / theta.size(0), 0);
}

WindowFn diffusion_window_fn(Denoiser denoiser, Sampler sampler, int64_t window, at::Tensor theta) {
  return [=](const at::Tensor& context) mutable {
    return sample_window(denoiser, sampler, context, window, parameters_for(theta, context.size(0)));
  };
}

WindowFn surrogate_window_fn(Surrogate surrogate, int64_t window, at::Tensor theta) {
  return [=](const at::Tensor& context) mutable {
    return predict_window(surrogate, context, window, parameters_for(theta, context.size(0)));
  };
}

at::Tensor ensemble_repeat(const at::Tensor& x, int64_t members) {
  return x.repeat_interleave(members, 0);
}

}  // namespace leap::models
