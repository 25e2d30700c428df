// LatentDiffusionEmulator: autoencoder + latent diffusion emulator from their checkpoints.
#include <ATen/ATen.h>
#include <torch/utils.h>

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <mutex>

#include "leap/error.h"
#include "leap/models/context_mask.h"
#include "leap/models/denoiser.h"
#include "leap/models/diffusion_config.h"
#include "leap/models/emulation_engine.h"
#include "leap/models/observed_rollout.h"
#include "leap/models/rollout.h"  // ensemble_repeat
#include "leap/models/sampler.h"
#include "leap/plugin/emulator.h"
#include "leap/train/autoencoder_io.h"
#include "leap/train/emulator_io.h"

namespace leap::plugin {

namespace {

// A coarse trajectory must be [1..frames, C, X/f, Y/f(, Z/f)] of the context's grid.
void check_coarse(const LeapObservations& obs, const at::Tensor& context, int64_t frames) {
  const int64_t f = obs.coarse_factor;
  std::vector<int64_t> want = {-1, context.size(1)};
  bool ok = f >= 1 && obs.coarse.defined() && obs.coarse.dim() == context.dim() && obs.coarse.size(0) >= 1 &&
            obs.coarse.size(0) <= frames;
  for (int64_t d = 2; d < context.dim(); ++d) {
    want.push_back(f >= 1 ? context.size(d) / f : 0);
    ok = ok && f >= 1 && context.size(d) % f == 0 && obs.coarse.size(d) == context.size(d) / f;
  }
  if (ok && obs.coarse.size(1) != context.size(1)) ok = false;
  if (!ok)
    throw InputError("emulator: a coarse trajectory for factor " + std::to_string(f) + " must be [1.." +
                     std::to_string(frames) + ", " + c10::str(at::IntArrayRef(want).slice(1)) +
                     "] (a grid divisible by the factor), found " +
                     (obs.coarse.defined() ? c10::str(obs.coarse.sizes()) : std::string("none")));
}

}  // namespace

struct LatentDiffusionEmulator::Impl {
  train::LoadedAutoencoder ae;
  models::Denoiser denoiser{nullptr};
  models::DiffusionConfig diffusion;
  data::Normalizer latent;
  std::vector<std::string> theta_names;
  int64_t window = 0;
  int64_t context = 0;
  at::Device device{at::kCPU};
  std::unique_ptr<models::EmulationEngine> engine;
  // The emulator's own generator (CPU), shared with its engine: the sampler's noise is drawn from it
  // and moved to the device, so a seed gives the same ensemble whatever else draws random numbers.
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(0);
  bool bf16 = false;
};

LatentDiffusionEmulator::LatentDiffusionEmulator(const std::string& autoencoder_checkpoint,
                                                 const std::string& emulator_checkpoint,
                                                 const LatentDiffusionOptions& options)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.device = at::Device(options.device);
  if (options.cuda_graph && !m.device.is_cuda())
    throw InputError("emulator options", "cuda_graph", "device cuda or cuda:N", options.device);
  m.ae = train::load_autoencoder(autoencoder_checkpoint);
  const std::string src = emulator_checkpoint;
  train::LoadedEmulator emu = train::load_emulator(emulator_checkpoint, "denoiser");
  m.denoiser = emu.denoiser;
  m.diffusion = emu.diffusion;
  m.latent = emu.normalizer;
  m.theta_names = emu.theta_names;
  m.window = emu.window;
  const int64_t latent_channels = emu.channel_count();
  if (m.ae.model->config().latent_channels != latent_channels)
    throw InputError(src, "channels",
                     std::to_string(m.ae.model->config().latent_channels) + " latent channels (those of " +
                         autoencoder_checkpoint + ")",
                     std::to_string(latent_channels));
  // One code path for 2-D and 3-D states: the autoencoder's and the denoiser's spatial axes must agree.
  if (m.ae.model->spatial_dims() != m.denoiser->spatial_dims())
    throw InputError(src, "model.spatial_dims",
                     std::to_string(m.ae.model->spatial_dims()) + " (the spatial axes of the autoencoder " +
                         autoencoder_checkpoint + ")",
                     std::to_string(m.denoiser->spatial_dims()));
  m.context = options.context > 0 ? options.context : std::min<int64_t>(2, m.window - 1);
  if (m.context < 1 || m.context > m.window - 1)
    throw InputError(
        src, "context",
        "1.." + std::to_string(m.window - 1) + " (the window is " + std::to_string(m.window) + " frames)",
        std::to_string(m.context));
  m.denoiser->to(m.device);
  m.ae.model->eval();
  m.ae.model->to(m.device);
  if (options.bf16) m.ae.model->to(at::kBFloat16);
  m.bf16 = options.bf16;
  m.engine = std::make_unique<models::EmulationEngine>(
      m.denoiser, models::Sampler(m.diffusion.sampler, m.diffusion.schedule), m.window, m.context,
      models::EmulationOptions{options.bf16, options.cuda_graph});
  m.generator.set_current_seed(uint64_t(options.seed));
  m.engine->set_generator(m.generator);
}

void LatentDiffusionEmulator::reseed(uint64_t seed) {
  std::lock_guard<std::mutex> lock(impl_->generator.mutex());
  impl_->generator.set_current_seed(seed);
}

LatentDiffusionEmulator::~LatentDiffusionEmulator() = default;

int64_t LatentDiffusionEmulator::context_frames() const {
  return impl_->context;
}
int64_t LatentDiffusionEmulator::window() const {
  return impl_->window;
}
std::string LatentDiffusionEmulator::untrained_context_note() const {
  return models::untrained_context_note(impl_->context, impl_->window, impl_->diffusion.context);
}
std::vector<std::string> LatentDiffusionEmulator::channel_names() const {
  return impl_->ae.channels;
}
const std::vector<std::string>& LatentDiffusionEmulator::theta_names() const {
  return impl_->theta_names;
}

at::Tensor Emulator::leap_observed(const at::Tensor&, const at::Tensor&, int64_t, int64_t,
                                   const LeapObservations&) {
  throw InputError(
      "emulator: this emulator cannot condition a leap on observations (the latent diffusion emulator can)");
}

at::Tensor LatentDiffusionEmulator::leap(const at::Tensor& context, const at::Tensor& theta, int64_t frames,
                                         int64_t members) {
  return run(context, theta, frames, members, nullptr);
}

at::Tensor LatentDiffusionEmulator::leap_observed(const at::Tensor& context, const at::Tensor& theta,
                                                  int64_t frames, int64_t members,
                                                  const LeapObservations& observations) {
  return run(context, theta, frames, members, observations.empty() ? nullptr : &observations);
}

at::Tensor LatentDiffusionEmulator::run(const at::Tensor& context, const at::Tensor& theta, int64_t frames,
                                        int64_t members, const LeapObservations* obs) {
  Impl& m = *impl_;
  const int64_t C = int64_t(m.ae.channels.size());
  // [c, C, X, Y] for a 2-D autoencoder, [c, C, X, Y, Z] for a 3-D one.
  const int64_t rank = 2 + m.ae.model->spatial_dims();
  if (!context.defined() || context.dim() != rank || context.size(0) < m.context || context.size(1) != C)
    throw InputError("emulator: context must be [c >= " + std::to_string(m.context) + ", " +
                     std::to_string(C) + (rank == 5 ? ", X, Y, Z" : ", X, Y") + "] (the autoencoder is " +
                     std::to_string(m.ae.model->spatial_dims()) + "-D), found " +
                     (context.defined() ? c10::str(context.sizes()) : std::string("none")));
  if (frames < 1 || members < 1)
    throw InputError("emulator: frames and members must be >= 1, got " + std::to_string(frames) + " and " +
                     std::to_string(members));
  if (!m.theta_names.empty() && (!theta.defined() || theta.numel() != int64_t(m.theta_names.size())))
    throw InputError("emulator: theta must hold " + std::to_string(m.theta_names.size()) + " values, got " +
                     std::to_string(theta.defined() ? theta.numel() : 0));
  if (obs) {
    if (m.bf16)
      throw InputError("emulator: a leap conditioned on observations needs precision fp32, not bf16");
    if (!obs->points.empty() && obs->coarse_factor != 0)
      throw InputError(
          "emulator: a leap is conditioned on observed points or on a coarse trajectory, not both");
    if (obs->values.size() != obs->points.size())
      throw InputError("emulator: " + std::to_string(obs->points.size()) + " observed points and " +
                       std::to_string(obs->values.size()) + " values");
    const double noise = obs->coarse_factor ? obs->coarse_noise_std : obs->noise_std;
    if (!(noise > 0) || obs->iterations < 1)
      throw InputError(
          "emulator: observations need a noise standard deviation > 0 and iterations >= 1, found " +
          std::to_string(noise) + " and " + std::to_string(obs->iterations));
    if (obs->coarse_factor) check_coarse(*obs, context, frames);
  }
  torch::NoGradGuard no_grad;
  const auto f32 = at::TensorOptions().dtype(at::kFloat).device(m.device);
  const at::Tensor x = context.narrow(0, context.size(0) - m.context, m.context).to(f32);
  phase(EmulatorPhase::encode, true);
  // [c, L, x, y(, z)]
  const at::Tensor z = m.latent.normalize(m.ae.model->encode(m.ae.normalizer.normalize(x)));
  phase(EmulatorPhase::encode, false);
  phase(EmulatorPhase::sample, true);
  // (1, L, c, x, y(, z)) repeated for the members
  const at::Tensor initial = models::ensemble_repeat(z.transpose(0, 1).unsqueeze(0), members);
  const at::Tensor th = m.theta_names.empty()
                            ? at::Tensor()
                            : theta.reshape({1, -1}).to(f32).expand({members, -1}).contiguous();
  // Autoregressive windows (models::rollout): each call adds w - c frames from m.generator's noise;
  // the last c frames are the next context. Only the last frame is decoded.
  // (K, L, x, y(, z))
  at::Tensor latest;
  if (!obs) {
    latest = m.engine->rollout(initial, th, frames).select(2, frames - 1);
  } else {
    // The same windows from the same generator, the one that predicts the last frame guided through
    // the decoder: A(denormalise(decode(latent-denormalise(z)))) at the observed points.
    models::FrameObservations fo;
    fo.iterations = obs->iterations;
    if (obs->coarse_factor) {
      // Solver guidance: the block means of every emulated frame over the coarse trajectory's leads,
      // in normalised units (the normaliser is per channel and pointwise: it applies to a coarse grid).
      const int spatial = int(m.ae.model->spatial_dims());
      const models::ObservationOperator down = models::downscale_operator(obs->coarse_factor, spatial);
      std::vector<int64_t> coarse_frame = obs->coarse.sizes().vec();
      coarse_frame.erase(coarse_frame.begin());  // [C, X/f, Y/f(, Z/f)]
      fo.A.name = "coarse:" + std::to_string(obs->coarse_factor);
      fo.A.linear = false;
      fo.A.apply = [down, coarse_frame, norm = m.ae.normalizer](const at::Tensor& xx) {
        std::vector<int64_t> shape(xx.sizes().begin(), xx.sizes().end() - int64_t(coarse_frame.size()));
        shape.insert(shape.end(), coarse_frame.begin(), coarse_frame.end());
        return norm.normalize(down(xx).reshape(shape)).flatten(-int64_t(coarse_frame.size()));
      };
      const int64_t n = obs->coarse.size(0);
      for (int64_t k = 1; k <= n; ++k) fo.leads.push_back(k);
      fo.values = m.ae.normalizer.normalize(obs->coarse.to(f32)).reshape({n, -1});
      fo.noise_std = obs->coarse_noise_std;
    } else {
      fo.A = models::sensor_operator(obs->points, int(m.ae.model->spatial_dims()));
      fo.leads = {frames};
      fo.values = at::tensor(obs->values, at::kFloat).reshape({1, -1}).to(m.device);
      fo.noise_std = obs->noise_std;
      // the points must lie on the grid (the operator's own message otherwise)
      std::vector<int64_t> frame = {C};
      for (int64_t d = 2; d < x.dim(); ++d) frame.push_back(x.size(d));
      fo.A(at::zeros(frame));
    }
    train::LoadedAutoencoder& ae = m.ae;
    const data::Normalizer latent = m.latent;
    const models::FrameDecoder decode = [&ae, latent](const at::Tensor& zz) {
      return ae.normalizer.denormalize(ae.model->decode(latent.denormalize(zz)));
    };
    const models::WindowFn fn = models::observed_diffusion_window_fn(
        m.denoiser, models::Sampler(m.diffusion.sampler, m.diffusion.schedule), m.window, m.context, th,
        decode, std::move(fo), &m.generator);
    latest = models::rollout(fn, initial, m.context, m.window, frames).select(2, frames - 1);
  }
  phase(EmulatorPhase::sample, false);
  phase(EmulatorPhase::decode, true);
  const at::Tensor last = m.latent.denormalize(latest);
  at::Tensor out =
      m.ae.normalizer.denormalize(m.ae.model->decode(last)).to(at::kCPU, at::kFloat).contiguous();
  phase(EmulatorPhase::decode, false);
  return out;
}

}  // namespace leap::plugin
