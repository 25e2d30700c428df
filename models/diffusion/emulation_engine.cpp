#include "leap/models/emulation_engine.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "leap/error.h"
#include "leap/models/context_mask.h"
#include "leap/models/cuda_graph.h"

namespace leap::models {

struct EmulationEngine::Impl {
  Denoiser denoiser{nullptr};
  Sampler sampler;
  int64_t window = 0, context = 0;
  EmulationOptions options;
  DecodeFn decode;
  std::unique_ptr<CudaGraphCall> graph;
  std::map<std::pair<int64_t, std::string>, at::Tensor> masks;  // per batch size and device
  std::optional<at::Generator> generator;                       // set_generator; none: the default

  Impl(Denoiser d, Sampler s) : denoiser(std::move(d)), sampler(std::move(s)) {}

  // inputs: known (B, C, w, X, Y(, Z)), eps (same), mask (B, w) bool, theta (B, P) or undefined.
  std::vector<at::Tensor> run(const std::vector<at::Tensor>& in) {
    c10::NoGradGuard no_grad;
    const at::Tensor &known = in[0], &eps = in[1], &mask = in[2], &theta = in[3];
    DenoiseFn fn = [&](const at::Tensor& x, const at::Tensor& sigma) {
      return denoiser->forward(x, sigma, mask, known, theta);
    };
    // Inside a CUDA graph a stochastic sampler draws from the device's generator (graph-safe).
    at::Generator* gen = (generator && !graph) ? &*generator : nullptr;
    const at::Tensor x = sampler.sample(fn, sampler.start(eps), gen);
    const at::Tensor fresh = x.narrow(2, context, window - context);  // sampled frames only
    std::vector<at::Tensor> out{fresh.contiguous(), at::Tensor()};
    if (decode) {
      // (B, C, n, X, Y(, Z)) -> frames (B n, C, X, Y(, Z)) -> decoded (B, n, C', H, W(, D))
      const int64_t B = fresh.size(0), n = fresh.size(2);
      const at::Tensor frames = fresh.transpose(1, 2).flatten(0, 1);
      const at::Tensor pixels = decode(frames);
      out[1] = pixels.unflatten(0, {B, n});
    }
    return out;
  }
};

EmulationEngine::EmulationEngine(Denoiser denoiser, Sampler sampler, int64_t window, int64_t context,
                                 EmulationOptions options, DecodeFn decode)
    : impl_(std::make_unique<Impl>(std::move(denoiser), std::move(sampler))) {
  if (context < 1 || window <= context)
    throw InputError("emulation: need 1 <= context < window, found context " + std::to_string(context) +
                     " and window " + std::to_string(window));
  Impl& m = *impl_;
  m.window = window;
  m.context = context;
  m.options = options;
  m.decode = std::move(decode);
  m.denoiser->eval();
  if (options.bf16) m.denoiser->to(at::kBFloat16);
  if (options.cuda_graph) {
    if (!CudaGraphCall::available())
      throw InputError("emulation: cuda_graph needs a build with CUDA (this LEAP was built without it)");
    m.graph = std::make_unique<CudaGraphCall>([&m](const std::vector<at::Tensor>& in) { return m.run(in); });
  }
}

EmulationEngine::~EmulationEngine() = default;
EmulationEngine::EmulationEngine(EmulationEngine&&) noexcept = default;
EmulationEngine& EmulationEngine::operator=(EmulationEngine&&) noexcept = default;

EmulationEngine::Result EmulationEngine::step(const at::Tensor& context, const at::Tensor& theta) {
  auto shape = context.sizes().vec();
  if (context.dim() >= 3) shape[2] = impl_->window;  // (the other step() refuses a bad context)
  if (!impl_->generator) return step(context, theta, at::randn(shape, context.options()));
  // (LibTorch's random kernels lock the generator themselves.)
  const at::Tensor eps = at::randn(shape, *impl_->generator, context.options().device(at::kCPU));
  return step(context, theta, eps.to(context.device()));
}

void EmulationEngine::set_generator(at::Generator generator) {
  impl_->generator = std::move(generator);
}

EmulationEngine::Result EmulationEngine::step(const at::Tensor& context, const at::Tensor& theta,
                                              const at::Tensor& eps) {
  Impl& m = *impl_;
  const int64_t rank = 3 + m.denoiser->spatial_dims();
  if (context.dim() != rank || context.size(2) != m.context || context.size(1) != m.denoiser->channels())
    throw InputError("emulation: expected context latents (B, " + std::to_string(m.denoiser->channels()) +
                     ", " + std::to_string(m.context) + (rank == 6 ? ", X, Y, Z" : ", X, Y") + "), found " +
                     c10::str(context.sizes()));
  const int64_t B = context.size(0);
  auto shape = context.sizes().vec();
  shape[2] = m.window;
  if (!eps.sizes().equals(shape))
    throw InputError("emulation: expected noise of shape " + c10::str(at::IntArrayRef(shape)) + ", found " +
                     c10::str(eps.sizes()));
  shape[2] = m.window - m.context;
  const at::Tensor known = at::cat({context, at::zeros(shape, context.options())}, 2);
  at::Tensor& mask = m.masks[{B, context.device().str()}];
  if (!mask.defined()) mask = context_mask(B, m.window, m.context).to(context.device());
  const std::vector<at::Tensor> in{known, eps.to(context.options()), mask, theta};
  const std::vector<at::Tensor> out = m.graph ? (*m.graph)(in) : m.run(in);
  return {out[0], out[1]};
}

WindowFn EmulationEngine::window_fn(const at::Tensor& theta) {
  return [this, theta](const at::Tensor& context) {
    return at::cat({context, step(context, theta).latent}, 2);
  };
}

at::Tensor EmulationEngine::rollout(const at::Tensor& initial, const at::Tensor& theta, int64_t horizon) {
  return models::rollout(window_fn(theta), initial, impl_->context, impl_->window, horizon);
}

int64_t EmulationEngine::window() const {
  return impl_->window;
}
int64_t EmulationEngine::context() const {
  return impl_->context;
}
const EmulationOptions& EmulationEngine::options() const {
  return impl_->options;
}

}  // namespace leap::models
