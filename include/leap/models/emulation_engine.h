// One emulation call made fast (step), and the autoregressive rollout of such calls (rollout: the one
// loop of models::rollout, which `leap evaluate` uses too): the w - c new latent frames of a window sampled
// by the diffusion model from c known frames, optionally decoded, with the GPU levers switched by options:
//   bf16        the denoiser's weights are converted to bf16 (the sampler state stays fp32; the
//               network computes in bf16 and returns fp32); decoders are converted by their owner;
//   cuda_graph  the whole call (16 sampler steps and the decoding) is captured once per batch size
//               in a CUDA graph and replayed: one launch, no host work per kernel.
// Attention uses at::scaled_dot_product_attention (flash on CUDA in bf16) unless
// set_attention_kernel(AttentionKernel::math) was called.
//
// The noise is drawn outside the graph (from the generator given with set_generator, otherwise the
// device's default one), so a graphed and an eager engine draw the same noise after the same seed and
// return the same frames. A stochastic sampler's fresh noise (DDIM with eta > 0) comes from that
// generator too, except inside a CUDA graph (the device's default generator, which graphs replay).
//
// Latent frames have the denoiser's spatial axes: (X, Y) or (X, Y, Z) below, one code path.
#pragma once

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <memory>

#include "leap/models/denoiser.h"
#include "leap/models/rollout.h"
#include "leap/models/sampler.h"

namespace leap::models {

struct EmulationOptions {
  bool bf16 = false;
  bool cuda_graph = false;
};

class EmulationEngine {
 public:
  // frames (N, C, X, Y(, Z)) latent -> (N, C', H, W(, D)) physical.
  using DecodeFn = std::function<at::Tensor(const at::Tensor& latent_frames)>;
  struct Result {
    at::Tensor latent;   // (B, C, w - c, X, Y(, Z))
    at::Tensor decoded;  // (B, w - c, C', H, W(, D)), undefined without a decoder
  };

  // The denoiser is switched to eval mode (and to bf16 with options.bf16) in place.
  EmulationEngine(Denoiser denoiser, Sampler sampler, int64_t window, int64_t context,
                  EmulationOptions options = {}, DecodeFn decode = {});
  ~EmulationEngine();
  EmulationEngine(EmulationEngine&&) noexcept;
  EmulationEngine& operator=(EmulationEngine&&) noexcept;

  // context (B, C, c, X, Y(, Z)) fp32 latents on the denoiser's device; theta (B, P) or undefined.
  Result step(const at::Tensor& context, const at::Tensor& theta = {});
  // The same with given standard normal noise eps (B, C, w, X, Y(, Z)) for the sampler's start.
  Result step(const at::Tensor& context, const at::Tensor& theta, const at::Tensor& eps);

  // step() as a window function for models::rollout(): the context followed by step(context, theta)'s
  // new frames (theta: (B, P) rows for the batch rollout() passes, or undefined). The function calls
  // this engine: use it while the engine lives, and do not move the engine meanwhile.
  WindowFn window_fn(const at::Tensor& theta = {});
  // An autoregressive rollout of `horizon` new frames from the last c frames of `initial`
  // (B, C, c0 >= c, X, Y(, Z)): models::rollout() with window_fn(theta), so ceil(horizon / (w - c))
  // calls of step(). Returns the latents (B, C, horizon, X, Y(, Z)); decoding is left to the caller.
  at::Tensor rollout(const at::Tensor& initial, const at::Tensor& theta, int64_t horizon);

  // The generator of step()'s noise and of a stochastic sampler's (a CPU generator: noise is drawn on
  // the CPU and moved to the device). Without one, LibTorch's default generator of the device.
  void set_generator(at::Generator generator);

  int64_t window() const;
  int64_t context() const;
  const EmulationOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace leap::models
