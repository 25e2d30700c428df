#include "leap/train/emulator_training.h"

#include <ATen/ATen.h>
#include <unistd.h>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/module.h>
#include <torch/utils.h>
#include <cstdio>

#include "leap/config/load.h"
#include "leap/data/window_loader.h"
#include "leap/metrics/vrmse.h"
#include "leap/models/anchor.h"
#include "leap/models/attention.h"
#include "leap/models/context_mask.h"
#include "leap/models/denoiser.h"
#include "leap/models/denoising_loss.h"
#include "leap/models/surrogate.h"
#include "leap/train/dataset_dir.h"
#include "leap/train/model_io.h"

namespace leap::train {

namespace {

// (B, T, C, X, Y(, Z)) from the loader -> (B, C, T, X, Y(, Z)) windows.
at::Tensor windows_of(const at::Tensor& frames) {
  return frames.transpose(1, 2).contiguous();
}

// Bytes one training step of the ViT needs on a rank, dominated on the CPU by the attention
// matrices of the math kernel (batch x heads x tokens^2 floats, one kept per block for the backward
// pass and about three alive at the peak) plus the token activations of every block.
double training_step_bytes(const models::ViTConfig& m, int64_t batch, int64_t tokens, bool fused_attention) {
  // The math kernel keeps every (tokens x tokens) attention matrix for the backward pass; the fused
  // kernel (scaled_dot_product_attention) keeps one log-sum-exp per row.
  const double attention =
      4.0 * double(batch) * double(m.heads) * double(tokens) * (fused_attention ? 1.0 : double(tokens));
  const double activations =
      4.0 * double(batch) * double(tokens) * double(m.width) * double(m.ffn_factor + 12);
  return double(m.depth + 3) * attention + double(m.depth) * activations;
}

// The anchored denoiser's data scale per lead, measured on up to 512 training windows spread evenly
// over the split (the same on every rank: every rank reads the whole dataset).
std::vector<double> measure_lead_scales(const data::WindowDataset& ds) {
  const int64_t n = std::min<int64_t>(ds.size(), 512);
  std::vector<at::Tensor> windows;
  for (int64_t i = 0; i < n; ++i) windows.push_back(ds.get(i * ds.size() / n).frames);
  return models::measure_lead_scales(windows_of(at::stack(windows)));
}

}  // namespace

TrainResult train_emulator(const EmulatorTrainConfig& cfg, const std::string& kind, const RunOptions& run) {
  int rank = 0, world = 1;
  MPI_Comm_rank(run.comm, &rank);
  MPI_Comm_size(run.comm, &world);
  const DatasetDir dir = open_dataset_dir(run.data_dirs, true, run.comm);
  const data::WellFile first(dir.train.front());
  const data::WellLayout& L = first.layout();
  const auto norm = training_normalizer(dir.stats, dir.stats_path, L, cfg.data.log_fields, run, kind);

  data::WindowOptions wopt;
  wopt.window = cfg.window;
  wopt.stride = cfg.stride;
  wopt.cache_trajectories = cfg.data.cache_trajectories;
  data::WindowDataset train_ds(dir.train, norm, wopt);
  data::WindowDataset valid_ds(dir.valid, norm, wopt);
  if (cfg.model.param_features != 0 && cfg.model.param_features != train_ds.theta_size()) {
    std::string names;
    for (const auto& n : train_ds.theta_names()) names += (names.empty() ? "" : ", ") + n;
    throw InputError(run.config_file, "model.param_features",
                     "0 or " + std::to_string(train_ds.theta_size()) + " (the conditioning of " +
                         join_paths(run.data_dirs) + ": " + names + ")",
                     std::to_string(cfg.model.param_features));
  }
  if (int(L.axes.size()) != cfg.model.spatial_dims)
    throw InputError(run.config_file, "model.spatial_dims",
                     std::to_string(L.axes.size()) + " (the data of " + join_paths(run.data_dirs) + " is " +
                         std::to_string(L.axes.size()) + "-D)",
                     std::to_string(cfg.model.spatial_dims));
  const std::vector<int64_t> patch = cfg.model.patch();
  const char* patch_key = cfg.model.patch_sizes.empty() ? "model.patch_size" : "model.patch_sizes";
  for (size_t k = 0; k < L.axes.size(); ++k)
    if (L.axes[k].size % patch[k] != 0)
      throw InputError(
          run.config_file, patch_key,
          "a divisor of the grid (" + std::to_string(L.axes[k].size) + " cells along " + L.axes[k].name + ")",
          std::to_string(patch[k]) + " along " + L.axes[k].name);
  if (cfg.optim.batch % world != 0)
    throw InputError(run.config_file, "optim.batch",
                     "a multiple of the number of ranks (" + std::to_string(world) + ")",
                     std::to_string(cfg.optim.batch));
  // On the CPU, a batch of windows of too many tokens exhausts the memory (e.g. a dataset of solver
  // fields given where the latents of `leap encode` belong): refused before any step rather than killed
  // by the system.
  if (cfg.optim.device == "cpu") {
    int64_t patches = 1;
    for (size_t k = 0; k < L.axes.size(); ++k) patches *= L.axes[k].size / patch[k];
    const int64_t nx = L.axes[0].size / patch[0], rest = patches / std::max<int64_t>(nx, 1);
    const int64_t tokens = cfg.window * patches, per_rank = cfg.optim.batch / world;
    const double need = training_step_bytes(cfg.model, per_rank, tokens, models::attention_uses_sdpa());
    const double have = double(sysconf(_SC_PHYS_PAGES)) * double(sysconf(_SC_PAGE_SIZE));
    if (have > 0 && need > 0.8 * have) {
      char text[640];
      std::snprintf(
          text, sizeof(text),
          "a batch whose training step fits in memory: %lld windows of %lld tokens (%lld frames x "
          "%lld x %lld patches) need about %.1f GiB per rank, this machine has %.1f GiB; lower "
          "optim.batch or window, raise model.patch_size (or, if %s holds solver fields rather than "
          "the latents of `leap encode`, encode it first)",
          (long long)per_rank, (long long)tokens, (long long)cfg.window, (long long)nx, (long long)rest,
          need / double(1 << 30), have / double(1 << 30), join_paths(run.data_dirs).c_str());
      throw InputError(run.config_file, "optim.batch", text, std::to_string(cfg.optim.batch));
    }
  }

  torch::manual_seed(uint64_t(cfg.seed));
  const int64_t C = L.channels();
  const bool diffusion = kind == "denoiser";
  models::Denoiser denoiser{nullptr};
  models::Surrogate surrogate{nullptr};
  torch::nn::Module* module = nullptr;
  if (diffusion) {
    std::vector<double> lead_scales;
    if (cfg.diffusion.anchor == "context") lead_scales = measure_lead_scales(train_ds);
    denoiser = models::Denoiser(C, cfg.model, cfg.diffusion.schedule, lead_scales);
    module = denoiser.get();
  } else {
    surrogate = models::Surrogate(C, cfg.model);
    module = surrogate.get();
  }
  const bool use_theta = cfg.model.param_features > 0;

  const data::LoaderOptions lopt = loader_options(cfg.optim, cfg.seed, run.comm);
  data::WindowLoader loader(train_ds, lopt);
  TrainLoopOptions o = loop_options(cfg.optim, run, kind, diffusion ? "train emulator" : "train surrogate");
  {
    YAML::Node arch;
    arch["channels"] = C;
    arch["vit"] = YAML::Load(config::to_yaml(cfg.model));
    // A 2-D model is described as before the 3-D keys existed, so that checkpoints written before
    // them resume and fine-tune (--init) against it; a 3-D one says so.
    if (cfg.model.spatial_dims == 2) arch["vit"].remove("spatial_dims");
    if (cfg.model.patch_sizes.empty()) arch["vit"].remove("patch_sizes");
    arch["schedule"] = YAML::Load(config::to_yaml(cfg.diffusion.schedule));
    if (diffusion && !denoiser->lead_scales().empty())
      for (double s : denoiser->lead_scales()) arch["lead_scales"].push_back(s);
    o.info.model_yaml = config::dump_yaml(arch);
  }
  o.info.config_yaml = config::to_yaml(cfg);
  o.info.extra["normalizer"] = normalizer_to_yaml(norm);
  o.info.extra["channels"] = list_to_yaml(L.channel_names());
  o.info.extra["theta"] = list_to_yaml(train_ds.theta_names());
  o.info.extra["diffusion"] = config::to_yaml(cfg.diffusion);
  o.info.extra["window"] = std::to_string(cfg.window);

  auto loss_of = [&](const at::Tensor& x, const at::Tensor& mask, const at::Tensor& theta) {
    return diffusion ? models::denoising_loss(denoiser, x, mask, theta)
                     : models::surrogate_loss(surrogate, x, mask, theta);
  };
  // Validation: fixed masks with the training masks' law (cycled_context_mask: the context lengths
  // and ends trained, cycling over samples) and, for the diffusion model, fixed noise levels and
  // noise from a private generator.
  auto validate = [&]() -> Validation {
    at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(uint64_t(cfg.seed) + 12345);
    const int64_t n = cfg.optim.validation_batches > 0
                          ? std::min(valid_ds.size(), cfg.optim.validation_batches * lopt.batch)
                          : valid_ds.size();
    // loss, VRMSE of the last frames, windows, windows whose last frame is unknown
    double sums[4] = {0, 0, 0, 0};
    const int64_t chunk = std::max<int64_t>(1, lopt.batch);
    for (int64_t start = 0; start < n; start += chunk) {
      std::vector<at::Tensor> xs, ts;
      for (int64_t i = start; i < std::min(n, start + chunk); ++i) {
        const auto s = valid_ds.get(i);
        xs.push_back(s.frames);
        ts.push_back(s.theta);
      }
      // Every rank draws the same noise for every chunk (on the CPU); ranks split the chunks.
      const at::Tensor x_cpu = windows_of(at::stack(xs));
      const at::Tensor u_cpu = at::rand({x_cpu.size(0)}, gen, at::kDouble).to(at::kFloat);
      const at::Tensor noise_cpu = at::randn(x_cpu.sizes(), gen, at::kDouble).to(at::kFloat);
      if ((start / chunk) % world != rank) continue;
      const at::Tensor x = x_cpu.to(o.device), u = u_cpu.to(o.device), noise = noise_cpu.to(o.device);
      const at::Tensor theta = use_theta ? at::stack(ts).to(o.device) : at::Tensor();
      const at::Tensor mask =
          models::cycled_context_mask(start, int64_t(xs.size()), cfg.window, cfg.diffusion.context)
              .to(o.device);
      if (diffusion) {
        const at::Tensor sigma = denoiser->schedule().sigma(u);
        sums[0] +=
            models::denoising_loss(denoiser, x, mask, theta, sigma, noise).to(at::kDouble).item<double>() *
            double(xs.size());
      } else {
        const at::Tensor y = surrogate->forward(x, mask, theta);
        sums[0] += models::surrogate_loss(surrogate, x, mask, theta).item<double>() * double(xs.size());
        // VRMSE of the last frame of the windows whose context sits at the start (that frame unknown).
        const at::Tensor forward = at::logical_not(mask.select(1, cfg.window - 1)).nonzero().squeeze(1);
        const at::Tensor last_t = x.select(2, cfg.window - 1).index_select(0, forward);
        const at::Tensor last_p = y.select(2, cfg.window - 1).index_select(0, forward);
        if (last_t.size(0) > 0)
          sums[1] += metrics::vrmse(last_t, last_p.to(at::kFloat), cfg.model.spatial_dims)
                         .mean(-1)
                         .sum()
                         .item<double>();
        sums[3] += double(last_t.size(0));
      }
      sums[2] += double(xs.size());
    }
    MPI_Allreduce(MPI_IN_PLACE, sums, 4, MPI_DOUBLE, MPI_SUM, run.comm);
    Validation v;
    v.loss = sums[0] / std::max(1.0, sums[2]);
    if (!diffusion) v.metrics["vrmse_last_frame"] = sums[1] / std::max(1.0, sums[3]);
    return v;
  };
  const models::ContextMaskConfig masks = cfg.diffusion.context;
  return train_loop(
      *module, loader,
      [&](const data::Batch& b) {
        const at::Tensor x = windows_of(b.frames);
        const at::Tensor mask = models::random_context_mask(x.size(0), cfg.window, masks).to(x.device());
        return loss_of(x, mask, use_theta ? b.theta : at::Tensor());
      },
      validate, o);
}

}  // namespace leap::train
