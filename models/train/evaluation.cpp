#include "leap/train/evaluation.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/utils.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <optional>

#include "leap/data/well_file.h"
#include "leap/data/window_dataset.h"
#include "leap/error.h"
#include "leap/log.h"
#include "leap/metrics/ensemble_scores.h"
#include "leap/metrics/power_spectrum.h"
#include "leap/metrics/vrmse.h"
#include "leap/models/context_mask.h"
#include "leap/models/observation.h"
#include "leap/models/observed_rollout.h"
#include "leap/models/rollout.h"
#include "leap/train/autoencoder_io.h"
#include "leap/train/dataset_dir.h"
#include "leap/train/emulator_io.h"
#include "leap/util/progress.h"

namespace leap::train {

std::vector<LeadBin> lead_bins(int64_t horizon) {
  std::vector<LeadBin> bins;
  int64_t first = 1;
  for (const double edge : {0.2, 0.6, 1.0}) {
    const int64_t last =
        std::min<int64_t>(horizon, std::max<int64_t>(first - 1, std::llround(edge * double(horizon))));
    if (last >= first) bins.push_back({first, last});
    first = std::max(first, last + 1);
  }
  return bins;
}

at::Tensor bin_mean(const at::Tensor& per_lead, const LeadBin& bin) {
  return per_lead.narrow(0, bin.first - 1, bin.last - bin.first + 1).mean(0);
}

namespace {

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

// Model inputs and outputs are [..., C, X, Y(, Z)]; frames are batched through the autoencoder.
at::Tensor encode_frames(LoadedAutoencoder& ae, const at::Tensor& x, int64_t batch) {
  std::vector<at::Tensor> out;
  for (int64_t s = 0; s < x.size(0); s += batch)
    out.push_back(ae.model->encode(x.narrow(0, s, std::min(batch, x.size(0) - s))));
  return at::cat(out, 0);
}
at::Tensor decode_frames(LoadedAutoencoder& ae, const at::Tensor& z, int64_t batch) {
  std::vector<at::Tensor> out;
  for (int64_t s = 0; s < z.size(0); s += batch)
    out.push_back(ae.model->decode(z.narrow(0, s, std::min(batch, z.size(0) - s))));
  return at::cat(out, 0);
}

// (A * B, ...) -> (A, B, ...)
at::Tensor unflatten_front(const at::Tensor& x, int64_t A, int64_t B) {
  std::vector<int64_t> shape = {A, B};
  for (int64_t d = 1; d < x.dim(); ++d) shape.push_back(x.size(d));
  return x.reshape(shape);
}

struct Candidate {
  ModelScores scores;
  LoadedEmulator emulator;  // empty for the autoencoder
  bool latent = true;
  bool guided = false;  // the diffusion emulator guided by observations (config.guidance)
};

// Sums over the trajectories of one rank (divided by the total count at the end).
struct Accumulator {
  at::Tensor vrmse, vrmse_ae, vrmse_mean, spectrum_error, skill, spread, crps, spectrum;
  void add(at::Tensor& sum, const at::Tensor& x) { sum = sum.defined() ? sum + x : x.clone(); }
};

// The diffusion emulator's window function guided by noisy observations of every true frame it
// predicts: y = A(x) + N(0, obs_noise^2), x the AE-normalised frames xn[context + lead], observed
// through A(decode(new latents)) (models/observed_rollout.h). The observation noise comes from its
// own generator (seed, trajectory), so the other models' draws do not depend on whether guidance runs.
models::WindowFn guided_window_fn(LoadedEmulator& emu, LoadedAutoencoder& ae,
                                  const models::ObservationOperator& A, const EvaluateConfig& cfg,
                                  const at::Tensor& xn, int64_t context, int64_t H, const at::Tensor& theta,
                                  int64_t trajectory) {
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(uint64_t(cfg.seed) * 1000003ULL +
                                                               uint64_t(trajectory) + 0x5eedULL);
  models::FrameObservations obs;
  obs.A = A;
  std::vector<at::Tensor> y;  // per lead, (M)
  for (int64_t l = 0; l < H; ++l) {
    const at::Tensor clean = A(xn[context + l].to(at::kCPU, at::kDouble));
    y.push_back((clean + cfg.obs_noise * at::randn(clean.sizes(), gen, clean.options())).to(xn.options()));
    obs.leads.push_back(l + 1);
  }
  obs.values = at::stack(y);
  obs.noise_std = cfg.obs_noise;
  obs.method = cfg.guidance_method;
  obs.iterations = int(cfg.cg_iterations);
  obs.solver = cfg.guidance_solver;
  obs.gamma = cfg.guidance_gamma;
  const data::Normalizer latent = emu.normalizer;
  models::Autoencoder model = ae.model;
  return models::observed_diffusion_window_fn(
      emu.denoiser, models::Sampler(emu.diffusion.sampler, emu.diffusion.schedule), emu.window, context, theta,
      [latent, model](const at::Tensor& z) mutable { return model->decode(latent.denormalize(z)); },
      std::move(obs));
}

void allreduce(at::Tensor& t, MPI_Comm comm) {
  if (!t.defined()) return;
  t = t.to(at::kCPU, at::kDouble).contiguous();
  MPI_Allreduce(MPI_IN_PLACE, t.data_ptr<double>(), int(t.numel()), MPI_DOUBLE, MPI_SUM, comm);
}

}  // namespace

EvaluationResult evaluate_models(const EvaluateInputs& in) {
  const EvaluateConfig& cfg = in.config;
  int rank = 0, world = 1;
  MPI_Comm_rank(in.comm, &rank);
  MPI_Comm_size(in.comm, &world);

  // ---- inputs, all checked before any work
  const DatasetDir dir = open_dataset_dir(in.data_dirs, /*need_valid=*/false, in.comm);
  const std::vector<std::string>& files = cfg.split == "test"    ? dir.test
                                          : cfg.split == "valid" ? dir.valid
                                                                 : dir.train;
  if (files.empty())
    throw InputError(in.config_file, "split", "a split with files in " + join_paths(in.data_dirs),
                     "no " + cfg.split + " files");
  LoadedAutoencoder ae = load_autoencoder(in.autoencoder);
  data::WindowOptions wopt;
  wopt.window = 1;
  wopt.cache_trajectories = 1;
  data::WindowDataset ds(files, ae.normalizer, wopt);
  const data::WellLayout& L = ds.layout();
  const int D = int(L.axes.size());  // spatial dimensions: 2 or 3
  if (D != 2 && D != 3)
    throw InputError(files.front(), "dimensions", "a 2-D or 3-D dataset", std::to_string(D) + "-D");
  const std::vector<std::string> channels = L.channel_names();
  if (ae.channels != channels)
    throw InputError(in.autoencoder, "channels", "the dataset's channels (" + joined(channels) + ")",
                     joined(ae.channels));
  const int64_t latent_channels = ae.model->config().latent_channels;

  std::vector<Candidate> models;
  {
    Candidate a;
    a.scores.name = "autoencoder";
    a.scores.checkpoint = in.autoencoder;
    models.push_back(std::move(a));
    Candidate p;
    p.scores.name = "persistence";
    models.push_back(std::move(p));
  }
  std::vector<std::string> checkpoints;
  if (!in.emulator.empty()) checkpoints.push_back(in.emulator);
  for (const auto& s : in.surrogates) checkpoints.push_back(s);
  int64_t min_window = 0;
  for (size_t i = 0; i < checkpoints.size(); ++i) {
    const std::string& path = checkpoints[i];
    Candidate c;
    c.emulator = load_emulator(path, !in.emulator.empty() && i == 0 ? "denoiser" : "surrogate");
    c.scores.checkpoint = path;
    if (c.emulator.kind == "denoiser") {
      if (cfg.sampler_steps > 0) c.emulator.diffusion.sampler.steps = int(cfg.sampler_steps);
      c.scores.name = "diffusion";
      c.scores.members = cfg.members;
    } else if (c.emulator.channels == channels) {
      c.scores.name = "pixel_surrogate";
      c.latent = false;
    } else {
      c.scores.name = "latent_surrogate";
    }
    if (c.latent && c.emulator.channel_count() != latent_channels)
      throw InputError(path, "channels",
                       std::to_string(latent_channels) + " latent channels (those of " + in.autoencoder +
                           ") or the dataset's channels (" + joined(channels) + ")",
                       joined(c.emulator.channels));
    if (!c.emulator.theta_names.empty() && c.emulator.theta_names != ds.theta_names())
      throw InputError(path, "theta", "the dataset's parameters (" + joined(ds.theta_names()) + ")",
                       joined(c.emulator.theta_names));
    for (const auto& other : models)
      if (other.scores.name == c.scores.name)
        throw InputError(path + ": a second " + c.scores.name + " model (also " + other.scores.checkpoint +
                         "); give one of each kind");
    min_window = min_window == 0 ? c.emulator.window : std::min(min_window, c.emulator.window);
    models.push_back(std::move(c));
  }
  std::optional<models::ObservationOperator> observe;  // A on AE-normalised frames (C, X, Y(, Z))
  if (!cfg.guidance.empty()) {
    observe = models::parse_observation_operator(cfg.guidance, in.config_file + ": key 'guidance'", D);
    try {
      std::vector<int64_t> frame = {L.channels()};
      for (const auto& a : L.axes) frame.push_back(a.size);
      (*observe)(at::zeros(frame));
    } catch (const Error& e) {
      throw InputError(in.config_file, "guidance", "an operator that fits the dataset's grid", e.what());
    }
    if (in.emulator.empty())
      throw InputError(in.config_file, "guidance", "a diffusion emulator to guide (--emulator)",
                       cfg.guidance);
    Candidate g;
    g.emulator = models.at(2).emulator;  // the diffusion emulator (the first checkpoint)
    g.scores.name = "diffusion_guided";
    g.scores.checkpoint = in.emulator;
    g.scores.members = cfg.members;
    g.guided = true;
    models.push_back(std::move(g));
  }
  const int64_t context =
      cfg.context > 0 ? cfg.context : std::max<int64_t>(1, std::min<int64_t>(2, min_window - 1));
  for (const auto& m : models)
    if (m.emulator.window > 0 && context <= m.emulator.window - 1) {
      const std::string note =
          models::untrained_context_note(context, m.emulator.window, m.emulator.diffusion.context);
      if (!note.empty() && rank == 0) spdlog::warn("evaluate: {}: {}", m.scores.checkpoint, note);
    }
  for (const auto& m : models)
    if (m.emulator.window > 0 && context > m.emulator.window - 1)
      throw InputError(in.config_file, "context",
                       "1.." + std::to_string(m.emulator.window - 1) + " (the window of " +
                           m.scores.checkpoint + " is " + std::to_string(m.emulator.window) + " frames)",
                       std::to_string(context));
  if (cfg.start > 0 && cfg.start >= L.n_steps - context)
    throw InputError(in.config_file, "start",
                     "fewer than " + std::to_string(L.n_steps - context) + " skipped frames (" +
                         join_paths(in.data_dirs) + " has " + std::to_string(L.n_steps) +
                         " frames per trajectory, and " + std::to_string(context) + " are the context)",
                     std::to_string(cfg.start));
  const int64_t T = L.n_steps - cfg.start;  // frames from the start on
  if (T - context < 1)
    throw InputError(join_paths(in.data_dirs), "n_steps",
                     "more than " + std::to_string(context) + " frames per trajectory (the context)",
                     std::to_string(T));
  const int64_t H = cfg.horizon > 0 ? std::min(cfg.horizon, T - context) : T - context;
  std::vector<std::pair<int64_t, int64_t>> trajectories;  // (file, trajectory)
  for (int64_t f = 0; f < ds.files(); ++f)
    for (int64_t t = 0; t < ds.trajectories(f); ++t) trajectories.emplace_back(f, t);
  if (cfg.trajectories > 0 && int64_t(trajectories.size()) > cfg.trajectories)
    trajectories.resize(size_t(cfg.trajectories));
  const int64_t N = int64_t(trajectories.size());

  const at::Device device = [&] {
    try {
      const at::Device d(cfg.device);
      if (d.is_cuda() && !at::hasCUDA())
        throw InputError(in.config_file, "device", "cpu (this LibTorch has no CUDA, or sees no GPU)",
                         cfg.device);
      return d;
    } catch (const c10::Error&) {
      throw InputError(in.config_file, "device", "cpu, cuda or cuda:N", cfg.device);
    }
  }();
  if (in.before_work) in.before_work();
  ae.model->to(device);
  for (auto& m : models)
    if (m.emulator.window > 0) m.emulator.to(device);

  EvaluationResult result;
  result.channels = channels;
  result.spatial_dims = D;
  result.context = context;
  result.horizon = H;
  result.trajectories = N;
  result.ranks = world;
  result.bins = lead_bins(H);
  {
    const int64_t S = std::min(cfg.snapshots, H);
    for (int64_t s = 0; s < S; ++s) {
      const int64_t lead = S == 1 ? H : 1 + std::llround(double(s) * double(H - 1) / double(S - 1));
      if (result.snapshot_leads.empty() || result.snapshot_leads.back() != lead)
        result.snapshot_leads.push_back(lead);
    }
  }
  const auto lead_index =
      at::tensor(std::vector<int64_t>(result.snapshot_leads.begin(), result.snapshot_leads.end())) - 1;

  std::vector<Accumulator> acc(models.size());
  at::Tensor truth_spectrum_sum;
  torch::NoGradGuard no_grad;
  util::ProgressBar bar("evaluate", N, in.progress && rank == 0);
  const auto f32 = at::TensorOptions().dtype(at::kFloat).device(device);
  for (int64_t i = rank; i < N; i += world) {
    at::manual_seed(uint64_t(cfg.seed) * 1000003ULL + uint64_t(i));
    const data::WindowSample traj =
        ds.trajectory(trajectories[size_t(i)].first, trajectories[size_t(i)].second);
    const at::Tensor xn = traj.frames.narrow(0, cfg.start, context + H).to(f32);  // AE-normalised
    const at::Tensor truth =
        ae.normalizer.denormalize(xn.narrow(0, context, H)).to(at::kDouble);  // [H, C, X, Y(, Z)]
    const at::Tensor z = encode_frames(ae, xn, cfg.batch);                    // [c + H, L, h, w(, d)]
    const at::Tensor recon =
        ae.normalizer.denormalize(decode_frames(ae, z.narrow(0, context, H), cfg.batch)).to(at::kDouble);
    const at::Tensor theta = traj.theta.defined() ? traj.theta.reshape({1, -1}).to(f32) : at::Tensor();
    {
      const at::Tensor spec = metrics::isotropic_spectrum(truth[H - 1], D).power;
      truth_spectrum_sum = truth_spectrum_sum.defined() ? truth_spectrum_sum + spec : spec;
      if (i == 0)
        result.truth_snapshots =
            truth.index_select(0, lead_index.to(truth.device())).to(at::kCPU, at::kFloat);
      if (i == 0) result.frequency = metrics::isotropic_spectrum(truth[0], D).frequency;
    }
    for (size_t m = 0; m < models.size(); ++m) {
      Candidate& c = models[m];
      const auto start = std::chrono::steady_clock::now();
      at::Tensor pred;  // [K, H, C, X, Y(, Z)] physical
      if (c.scores.name == "autoencoder") {
        pred = recon.unsqueeze(0);
      } else if (c.scores.name == "persistence") {
        const at::Tensor last = ae.normalizer.denormalize(xn[context - 1]).to(at::kDouble);
        pred = last.unsqueeze(0).expand_as(truth).unsqueeze(0);
      } else {
        const int64_t K = c.scores.members;
        const at::Tensor th = c.emulator.theta_names.empty() ? at::Tensor() : theta;
        at::Tensor initial;  // (1, C', c, X', Y'(, Z')) in the model's normalisation
        if (c.latent) {
          initial = c.emulator.normalizer.normalize(z.narrow(0, 0, context)).transpose(0, 1).unsqueeze(0);
        } else {
          const at::Tensor phys = ae.normalizer.denormalize(xn.narrow(0, 0, context));
          initial = c.emulator.normalizer.normalize(phys).transpose(0, 1).unsqueeze(0);
        }
        // Both diffusion runs (unguided, guided) start from the same noise: the guidance alone differs.
        if (c.emulator.kind == "denoiser") at::manual_seed(uint64_t(cfg.seed) * 1000003ULL + uint64_t(i));
        models::WindowFn window_fn = c.emulator.window_fn(th);
        if (c.guided) window_fn = guided_window_fn(c.emulator, ae, *observe, cfg, xn, context, H, th, i);
        const at::Tensor out = models::rollout(window_fn, models::ensemble_repeat(initial, K), context,
                                               c.emulator.window, H);  // (K, C', H, X', ...)
        const at::Tensor frames =
            c.emulator.normalizer.denormalize(out.transpose(1, 2));  // (K, H, C', X', ...)
        if (c.latent) {
          const at::Tensor dec = ae.normalizer.denormalize(decode_frames(ae, frames.flatten(0, 1), cfg.batch));
          pred = unflatten_front(dec, K, H);
        } else {
          pred = frames;
        }
        pred = pred.to(at::kDouble);
      }
      if (rank == 0 && i == 0) {
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        c.scores.seconds_per_state = s / double(H * c.scores.members);
        c.scores.snapshots = pred[0].index_select(0, lead_index.to(pred.device())).to(at::kCPU, at::kFloat);
      }
      Accumulator& a = acc[m];
      a.add(a.vrmse, metrics::vrmse(truth, pred, D).mean(0));
      a.add(a.vrmse_ae, metrics::vrmse(recon, pred, D).mean(0));
      a.add(a.vrmse_mean, metrics::vrmse(truth, pred.mean(0), D));
      a.add(a.spectrum_error, metrics::spectrum_error(truth, pred, D).mean(0));
      a.add(a.spectrum, metrics::isotropic_spectrum(pred.select(1, H - 1), D).power.mean(0));
      if (pred.size(0) > 1) {
        a.add(a.skill, metrics::ensemble_skill(truth, pred, D));
        a.add(a.spread, metrics::ensemble_spread(pred, D));
        a.add(a.crps, metrics::crps(truth, pred, D));
      }
    }
    bar.update(std::min(N, i + world));
  }
  bar.finish();

  // ---- reduce over ranks (every rank saw its share; ranks without any still take part)
  auto reduce = [&](at::Tensor& sum, const std::vector<int64_t>& shape) {
    if (!sum.defined()) sum = at::zeros(shape, at::kDouble);
    allreduce(sum, in.comm);
    sum = sum / double(N);
  };
  const int64_t C = int64_t(channels.size());
  const int64_t R = result.frequency.defined() ? result.frequency.size(0) : 0;
  int64_t r_all = R;
  MPI_Allreduce(MPI_IN_PLACE, &r_all, 1, MPI_INT64_T, MPI_MAX, in.comm);
  reduce(truth_spectrum_sum, {C, r_all});
  result.truth_spectrum = truth_spectrum_sum;
  for (size_t m = 0; m < models.size(); ++m) {
    Accumulator& a = acc[m];
    ModelScores s = models[m].scores;
    reduce(a.vrmse, {H, C});
    reduce(a.vrmse_ae, {H, C});
    reduce(a.vrmse_mean, {H, C});
    reduce(a.spectrum_error, {H, C, metrics::kSpectrumBands});
    reduce(a.spectrum, {C, r_all});
    s.vrmse = a.vrmse;
    s.vrmse_ae = a.vrmse_ae;
    s.vrmse_mean = a.vrmse_mean;
    s.spectrum_error = a.spectrum_error;
    s.spectrum = a.spectrum;
    if (s.members > 1) {
      reduce(a.skill, {H, C});
      reduce(a.spread, {H, C});
      reduce(a.crps, {H, C});
      s.skill = a.skill;
      s.spread = a.spread;
      s.crps = a.crps;
    }
    result.models.push_back(std::move(s));
  }
  return result;
}

}  // namespace leap::train
