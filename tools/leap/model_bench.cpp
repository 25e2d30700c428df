#include "model_bench.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <c10/util/Exception.h>
#include <torch/cuda.h>
#include <torch/nn/module.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adamw.h>
#include <torch/version.h>

#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <sstream>
#include <thread>

#include "leap/config/load.h"
#include "leap/config/yaml_writer.h"
#include "leap/error.h"
#include "leap/log.h"
#include "leap/models/attention.h"
#include "leap/models/autocast_guard.h"
#include "leap/models/context_mask.h"
#include "leap/models/cuda_graph.h"
#include "leap/models/dcae.h"
#include "leap/models/denoiser.h"
#include "leap/models/denoising_loss.h"
#include "leap/models/emulation_engine.h"
#include "leap/models/sampler.h"
#include "leap/plugin/emulator.h"
#include "leap/train/checkpoint.h"
#include "leap/train/model_io.h"
#include "leap/version.h"

#if LEAP_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#include <cuda_runtime_api.h>
#endif

namespace fs = std::filesystem;

namespace leap::cli {

namespace {

struct Scale {
  models::AutoencoderConfig ae;
  models::ViTConfig vit;
  int resolution = 512;
  int latent_side = 16;  // the latent grid's side at `resolution`
  int window = 5, context = 1;
  int denoiser_batch = 32, ae_batch = 8;
};

// The 3-D Euler case's models (examples/euler3d/{ae,emulator}-{small,paper}.yaml): 6 fields, 4
// parameters, 3-D convolutions and tokens over (t, x, y, z).
Scale make_scale_3d(const std::string& name) {
  Scale s;
  s.ae.in_channels = 6;  // energy, density, pressure, momentum x, y, z
  s.ae.boundary = {"open", "open", "open"};
  s.vit.spatial_dims = 3;
  s.vit.param_features = 4;  // gamma and the three boundary flags
  if (name == "paper") {     // 3-D DCAE f8c64 at 64^3, ViT 1024 x 16, 8 heads
    s.ae.channels = {64, 256, 512, 1024};
    s.ae.blocks = {3, 3, 3, 3};
    s.ae.latent_channels = 64;
    s.resolution = 64;
    s.latent_side = 8;
    return s;
  }
  if (name != "small") throw InputError("leap bench: --scale must be paper or small, found '" + name + "'");
  s.ae.channels = {16, 32, 48};
  s.ae.blocks = {1, 1, 1};
  s.ae.latent_channels = 16;
  s.vit.width = 96;
  s.vit.depth = 4;
  s.vit.heads = 4;
  s.vit.emb_features = 96;
  s.resolution = 16;
  s.latent_side = 4;
  s.denoiser_batch = 8;
  s.ae_batch = 4;
  return s;
}

Scale make_scale(const std::string& name, int spatial_dims = 2) {
  if (spatial_dims == 3) return make_scale_3d(name);
  Scale s;
  s.ae.in_channels = 5;           // Euler: density, energy, pressure, momentum x, y
  s.vit.param_features = 3;       // gamma and the two boundary flags
  if (name == "paper") return s;  // DCAE f32c64 at 512^2, ViT 1024 x 16, 8 heads
  if (name != "small") throw InputError("leap bench: --scale must be paper or small, found '" + name + "'");
  s.ae.channels = {16, 32, 64};
  s.ae.blocks = {1, 1, 1};
  s.ae.latent_channels = 8;
  s.vit.width = 64;
  s.vit.depth = 2;
  s.vit.heads = 4;
  s.vit.emb_features = 32;
  s.resolution = 64;
  s.denoiser_batch = 8;
  s.ae_batch = 4;
  return s;
}

int64_t parameter_count(const torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

void synchronize(const at::Device& d) {
  if (d.is_cuda()) torch::cuda::synchronize(d.index());
}

// Seconds per call of fn, after `warmup` calls.
double time_per_call(const std::function<void()>& fn, const at::Device& d, int warmup, int iters) {
  for (int i = 0; i < warmup; ++i) fn();
  synchronize(d);
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < iters; ++i) fn();
  synchronize(d);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / iters;
}

void release_cache(const at::Device& d) {
#if LEAP_WITH_CUDA
  if (d.is_cuda()) c10::cuda::CUDACachingAllocator::emptyCache();
#else
  (void)d;
#endif
}

// The lever a variant needs that this build or device lacks, or "".
std::string unavailable(const std::string& variant, const at::Device& d) {
  if (variant == "plain") return "";
  if (variant == "bf16") return d.is_cuda() ? "" : "bf16 is a GPU lever (CPU runs fp32)";
  if (variant == "flash") return "";  // scaled_dot_product_attention: flash kernels on CUDA and on the CPU
  if (variant == "graph")
    return !d.is_cuda() ? "CUDA graphs need a GPU"
                        : (models::CudaGraphCall::available() ? "" : "built without CUDA");
  throw InputError("leap bench: unknown variant '" + variant + "' (plain, bf16, flash, graph)");
}

// Levers of a variant; variants are cumulative: plain < bf16 < flash < graph (bf16 on CUDA only: on the
// CPU, flash is fp32 with scaled_dot_product_attention).
struct Levers {
  bool bf16 = false, sdpa = false, graph = false;
};
Levers levers(const std::string& v, const at::Device& d) {
  Levers l;
  l.bf16 = v != "plain" && d.is_cuda();
  l.sdpa = v == "flash" || v == "graph";
  l.graph = v == "graph";
  return l;
}

void set_attention(bool sdpa) {
  models::set_attention_kernel(sdpa ? models::AttentionKernel::sdpa : models::AttentionKernel::math);
}

// Convolution weights in the given memory format (channels-last lets cuDNN use its NHWC kernels).
void to_memory_format(torch::nn::Module& m, at::MemoryFormat format) {
  c10::NoGradGuard no_grad;
  for (auto& p : m.parameters())
    if (p.dim() == 4) p.set_data(p.contiguous(format));
}

// Runs fn, turning out-of-memory into a skipped cell.
nlohmann::json guarded(const std::function<nlohmann::json()>& fn, const at::Device& d) {
  try {
    return fn();
  } catch (const c10::Error& e) {
    release_cache(d);
    const std::string what = e.what_without_backtrace();
    if (what.find("out of memory") != std::string::npos ||
        what.find("can't allocate memory") != std::string::npos)
      return {{"skipped", "out of device memory"}};
    throw;
  }
}

}  // namespace

std::string device_description(const std::string& device) {
  const at::Device d(device);
#if LEAP_WITH_CUDA
  if (d.is_cuda()) {
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, d.has_index() ? d.index() : 0) == cudaSuccess)
      return std::string(prop.name) + " (" + std::to_string(prop.totalGlobalMem >> 30) + " GiB)";
  }
#endif
  std::ifstream cpu("/proc/cpuinfo");
  std::string line, model = "unknown CPU";
  while (std::getline(cpu, line))
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  return model + ", " + std::to_string(at::get_num_threads()) + " threads";
}

void check_bench_device(const std::string& device) {
  const at::Device d(device);
  if (d.is_cuda() && !torch::cuda::is_available())
    throw InputError("leap bench: --device " + device + " but no CUDA device is visible" +
                     (LEAP_WITH_CUDA ? "" : " (this LEAP was built without CUDA)"));
  if (d.is_cuda() && d.has_index() && d.index() >= int(torch::cuda::device_count()))
    throw InputError("leap bench: --device " + device + " but only " +
                     std::to_string(torch::cuda::device_count()) + " CUDA device(s) are visible");
}

std::string leap_resolution_problem(int resolution, int spatial_dims) {
  const bool power_of_two = resolution > 0 && (resolution & (resolution - 1)) == 0;
  if (spatial_dims == 3 && (resolution < 16 || !power_of_two))
    return "a power of two >= 16 (the 3-D autoencoder halves the grid down to a 4^3 or 8^3 latent), found " +
           std::to_string(resolution);
  if (spatial_dims != 3 && (resolution < 32 || !power_of_two))
    return "a power of two >= 32 (the autoencoder halves the grid down to a 16 x 16 latent), found " +
           std::to_string(resolution);
  return "";
}

namespace {

// The checkpoints `leap train autoencoder` and `leap train emulator` write, for random-weight models,
// in a fresh temporary directory removed with the object.
class RandomCheckpoints {
 public:
  RandomCheckpoints(models::Autoencoder& ae, const models::AutoencoderConfig& acfg, models::Denoiser& den,
                    int64_t latent_channels, const models::ViTConfig& vit, int64_t window) {
    static int count = 0;
    dir_ = fs::temp_directory_path() /
           ("leap_bench_" + std::to_string(::getpid()) + "_" + std::to_string(count++));
    fs::create_directories(dir_);
    std::vector<std::string> fields, latents, theta;
    for (int64_t c = 0; c < acfg.in_channels; ++c) fields.push_back("f" + std::to_string(c));
    for (int64_t c = 0; c < latent_channels; ++c) latents.push_back("z" + std::to_string(c));
    for (int64_t p = 0; p < vit.param_features; ++p) theta.push_back("p" + std::to_string(p));
    const int dims = int(acfg.boundary.size());
    const auto identity = [dims](size_t n) {
      data::Normalizer id{std::vector<double>(n, 0.0), std::vector<double>(n, 1.0),
                          std::vector<bool>(n, false)};
      id.spatial_dims = dims;
      return id;
    };
    train::CheckpointInfo ai;
    ai.kind = "autoencoder";
    ai.model_yaml = config::to_yaml(acfg);
    ai.config_yaml = "{}\n";
    ai.extra["normalizer"] = train::normalizer_to_yaml(identity(fields.size()));
    ai.extra["channels"] = train::list_to_yaml(fields);
    train::save_checkpoint(autoencoder(), *ae, nullptr, {}, ai);
    models::DiffusionConfig diffusion;  // the default sampler: ab3, 16 steps
    YAML::Node arch;
    arch["channels"] = latent_channels;
    arch["vit"] = YAML::Load(config::to_yaml(vit));
    arch["schedule"] = YAML::Load(config::to_yaml(diffusion.schedule));
    train::CheckpointInfo di;
    di.kind = "denoiser";
    di.model_yaml = config::dump_yaml(arch);
    di.config_yaml = "{}\n";
    di.extra["normalizer"] = train::normalizer_to_yaml(identity(latents.size()));
    di.extra["channels"] = train::list_to_yaml(latents);
    di.extra["theta"] = train::list_to_yaml(theta);
    di.extra["diffusion"] = config::to_yaml(diffusion);
    di.extra["window"] = std::to_string(window);
    train::save_checkpoint(emulator(), *den, nullptr, {}, di);
  }
  ~RandomCheckpoints() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  RandomCheckpoints(const RandomCheckpoints&) = delete;
  RandomCheckpoints& operator=(const RandomCheckpoints&) = delete;
  std::string autoencoder() const { return (dir_ / "ae.ckpt").string(); }
  std::string emulator() const { return (dir_ / "emulator.ckpt").string(); }

 private:
  fs::path dir_;
};

}  // namespace

nlohmann::json time_emulator_leap(const LeapBenchOptions& o) {
  if (const std::string why = leap_resolution_problem(o.resolution, o.spatial_dims); !why.empty())
    throw InputError("leap bench: the leap's resolution must be " + why);
  check_bench_device(o.device);
  const at::Device d(o.device);
  Scale s = make_scale(o.scale, o.spatial_dims);
  s.ae.in_channels = o.fields;
  s.vit.param_features = o.param_features;
  // Levels: the latent grid keeps the scale's side (2-D: 16 x 16, factor resolution / 16; 3-D: 4^3
  // small, 8^3 paper); fewer when the grid is smaller than that.
  int levels = 1;
  while ((s.latent_side << (levels - 1)) < o.resolution) ++levels;
  s.ae.channels.resize(size_t(levels), s.ae.channels.back());
  s.ae.blocks.resize(size_t(levels), s.ae.blocks.back());
  if (o.context < 1 || o.context > s.window - 1)
    throw InputError("leap bench: the leap's context must be in 1.." + std::to_string(s.window - 1) +
                     ", found " + std::to_string(o.context));
  const int64_t f = int64_t(1) << (levels - 1), L = s.ae.latent_channels, X = o.resolution / f;
  const int64_t fresh = s.window - o.context, windows = (o.frames + fresh - 1) / fresh;
  if (d.is_cuda()) {
    at::globalContext().setAllowTF32CuBLAS(true);
    at::globalContext().setAllowTF32CuDNN(true);
    at::globalContext().setBenchmarkCuDNN(true);
  }
  at::manual_seed(0);
  models::Denoiser denoiser(L, s.vit);
  models::Autoencoder ae(s.ae);
  std::vector<int64_t> latent{L, X, X};
  if (o.spatial_dims == 3) latent.push_back(X);
  nlohmann::json r{{"latent", latent},
                   {"autoencoder_levels", levels},
                   {"autoencoder_parameters", parameter_count(*ae)},
                   {"denoiser_parameters", parameter_count(*denoiser)},
                   {"windows_per_leap", windows}};
  r.update(guarded(
      [&] {
        // `leap hybrid`'s emulator, loaded from the checkpoints of these random-weight models.
        std::unique_ptr<plugin::LatentDiffusionEmulator> emulator;
        {
          const RandomCheckpoints files(ae, s.ae, denoiser, L, s.vit, s.window);
          plugin::LatentDiffusionOptions lo;
          lo.context = o.context;
          lo.device = o.device;
          emulator =
              std::make_unique<plugin::LatentDiffusionEmulator>(files.autoencoder(), files.emulator(), lo);
        }
        using clock = std::chrono::steady_clock;
        clock::time_point t0, encoded, sampled;
        emulator->set_phase_hook([&](plugin::EmulatorPhase phase, bool begin) {
          if (begin || phase == plugin::EmulatorPhase::decode) return;  // decoding ends with leap()
          synchronize(d);
          (phase == plugin::EmulatorPhase::encode ? encoded : sampled) = clock::now();
        });
        std::vector<int64_t> shape{o.context, o.fields, o.resolution, o.resolution};
        if (o.spatial_dims == 3) shape.push_back(o.resolution);
        const at::Tensor context = at::randn(shape);  // CPU, as gathered
        const at::Tensor theta = at::rand({o.param_features});
        std::vector<double> enc, smp, dec, all;
        const auto ms = [](clock::time_point a, clock::time_point b) {
          return 1e3 * std::chrono::duration<double>(b - a).count();
        };
        for (int i = 0; i < o.warmup + o.iters; ++i) {
          synchronize(d);
          t0 = clock::now();
          const at::Tensor out = emulator->leap(context, theta, o.frames, o.members);  // on the CPU
          const auto t3 = clock::now();
          if (i < o.warmup) continue;
          enc.push_back(ms(t0, encoded));
          smp.push_back(ms(encoded, sampled));
          dec.push_back(ms(sampled, t3));
          all.push_back(ms(t0, t3));
        }
        const auto median = [](std::vector<double> v) {
          std::sort(v.begin(), v.end());
          const size_t n = v.size();
          return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
        };
        // The same leap conditioned on observations of its last frame (data assimilation, MMPS with
        // 1 iteration): point sensors on every 8th cell per axis of the first field.
        plugin::LeapObservations obs;
        for (int64_t i = 0; i < o.resolution; i += 8)
          for (int64_t j = 0; j < o.resolution; j += 8)
            for (int64_t k = 0; k < (o.spatial_dims == 3 ? o.resolution : 1); k += 8) {
              obs.points.push_back({0, i, j, k});
              obs.values.push_back(0.f);
            }
        obs.noise_std = 0.1;
        std::vector<double> guided;
        emulator->set_phase_hook({});
        for (int i = 0; i < o.warmup + o.iters; ++i) {
          synchronize(d);
          const auto g0 = clock::now();
          emulator->leap_observed(context, theta, o.frames, o.members, obs);
          const auto g1 = clock::now();
          if (i >= o.warmup) guided.push_back(ms(g0, g1));
        }
        return nlohmann::json{{"ms_per_leap", median(all)},
                              {"ms_encode", median(enc)},
                              {"ms_sample", median(smp)},
                              {"ms_decode", median(dec)},
                              {"guided_points", obs.points.size()},
                              {"ms_per_guided_leap", median(guided)},
                              {"guided_overhead", median(guided) / std::max(1e-9, median(all))}};
      },
      d));
  release_cache(d);
  return r;
}

nlohmann::json run_model_bench(const ModelBenchOptions& o) {
  check_bench_device(o.device);
  const at::Device d(o.device);
  const Scale s = make_scale(o.scale);
  const int64_t f = int64_t(1) << (s.ae.channels.size() - 1);
  const int64_t L = s.ae.latent_channels, X = s.resolution / f, P = s.vit.param_features;
  if (d.is_cuda()) {
    // The published code's setting: TF32 matrix products for fp32; cuDNN picks the fastest kernels.
    at::globalContext().setAllowTF32CuBLAS(true);
    at::globalContext().setAllowTF32CuDNN(true);
    at::globalContext().setBenchmarkCuDNN(true);
  }
  const auto f32 = at::TensorOptions().dtype(at::kFloat).device(d);
  nlohmann::json out;
  out["machine"] = {
      {"device", device_description(o.device)}, {"leap", LEAP_VERSION}, {"libtorch", TORCH_VERSION}};
  out["config"] = {{"scale", o.scale},
                   {"resolution", s.resolution},
                   {"fields", s.ae.in_channels},
                   {"latent", {L, X, X}},
                   {"vit", {{"width", s.vit.width}, {"depth", s.vit.depth}, {"heads", s.vit.heads}}},
                   {"window", s.window},
                   {"context", s.context},
                   {"sampler", "ab3, 16 steps"},
                   {"denoiser_batch", s.denoiser_batch},
                   {"ae_batch", s.ae_batch},
                   {"warmup", o.warmup},
                   {"iters", o.iters}};
  nlohmann::json results = nlohmann::json::array();
  auto has = [&](const std::string& part) {
    return std::find(o.parts.begin(), o.parts.end(), part) != o.parts.end();
  };

  at::manual_seed(0);
  models::Denoiser denoiser(L, s.vit);
  models::Autoencoder ae(s.ae);
  out["config"]["denoiser_parameters"] = parameter_count(*denoiser);
  out["config"]["autoencoder_parameters"] = parameter_count(*ae);
  denoiser->to(d);
  ae->to(d);
  const int64_t fresh = s.window - s.context;

  if (has("emulation")) {
    for (const auto& v : o.variants) {
      for (int members : o.members) {
        nlohmann::json r{{"part", "emulation"}, {"variant", v}, {"members", members}};
        if (const std::string why = unavailable(v, d); !why.empty()) {
          r["skipped"] = why;
          results.push_back(r);
          continue;
        }
        const Levers lv = levers(v, d);
        if (o.progress) spdlog::info("bench: emulation, {}, {} member(s)", v, members);
        r.update(guarded(
            [&] {
              set_attention(lv.sdpa);
              ae->eval();
              if (lv.bf16) {
                ae->to(at::kBFloat16);
                to_memory_format(*ae, at::MemoryFormat::ChannelsLast);
              }
              models::Autoencoder dec = ae;
              models::EmulationEngine engine(denoiser, models::Sampler(), s.window, s.context,
                                             {lv.bf16, lv.graph},
                                             [dec](const at::Tensor& z) mutable { return dec->decode(z); });
              const at::Tensor ctx = at::randn({members, L, s.context, X, X}, f32);
              const at::Tensor theta = at::rand({members, P}, f32);
              const double t = time_per_call([&] { engine.step(ctx, theta); }, d, o.warmup, o.iters);
              // The same without decoding: the split between the denoiser's sampling and the decoder.
              models::EmulationEngine latent_only(denoiser, models::Sampler(), s.window, s.context,
                                                  {lv.bf16, lv.graph});
              const double td = time_per_call([&] { latent_only.step(ctx, theta); }, d, o.warmup, o.iters);
              denoiser->to(at::kFloat);
              ae->to(at::kFloat);
              to_memory_format(*ae, at::MemoryFormat::Contiguous);
              return nlohmann::json{{"ms_per_call", 1e3 * t},
                                    {"ms_per_state", 1e3 * t / (fresh * members)},
                                    {"ms_per_call_sampling", 1e3 * td},
                                    {"ms_per_call_decoding", 1e3 * (t - td)}};
            },
            d));
        denoiser->to(at::kFloat);
        ae->to(at::kFloat);
        release_cache(d);
        results.push_back(r);
      }
    }
  }

  if (has("denoiser")) {
    denoiser->train();
    for (const auto& v : o.variants) {
      if (v == "graph") continue;  // training steps are not graphed
      nlohmann::json r{{"part", "denoiser"}, {"variant", v}, {"batch", s.denoiser_batch}};
      if (const std::string why = unavailable(v, d); !why.empty()) {
        r["skipped"] = why;
        results.push_back(r);
        continue;
      }
      const Levers lv = levers(v, d);
      if (o.progress) spdlog::info("bench: denoiser training, {}", v);
      r.update(guarded(
          [&] {
            set_attention(lv.sdpa);
            torch::optim::AdamW opt(denoiser->parameters(),
                                    torch::optim::AdamWOptions(1e-4).betas({0.9, 0.99}).weight_decay(0.0));
            const int64_t B = s.denoiser_batch;
            const at::Tensor x = at::randn({B, L, s.window, X, X}, f32);
            const at::Tensor theta = at::rand({B, P}, f32);
            auto step = [&] {
              const at::Tensor mask = models::random_context_mask(B, s.window).to(d);
              opt.zero_grad();
              at::Tensor loss;
              {
                models::AutocastGuard autocast(d.type(), at::kBFloat16, lv.bf16);
                loss = models::denoising_loss(denoiser, x, mask, theta);
              }
              loss.backward();
              torch::nn::utils::clip_grad_norm_(denoiser->parameters(), 1.0);
              opt.step();
            };
            const double t = time_per_call(step, d, o.warmup, o.iters);
            return nlohmann::json{{"ms_per_step", 1e3 * t}, {"windows_per_s", B / t}};
          },
          d));
      release_cache(d);
      results.push_back(r);
    }
  }

  if (has("autoencoder")) {
    ae->train();
    for (const auto& v : o.variants) {
      if (v == "graph" || v == "flash") continue;  // no attention in the autoencoder
      for (bool channels_last : {false, true}) {
        nlohmann::json r{{"part", "autoencoder"},
                         {"variant", channels_last ? v + "+channels_last" : v},
                         {"batch", s.ae_batch}};
        if (const std::string why = unavailable(v, d); !why.empty()) {
          r["skipped"] = why;
          results.push_back(r);
          continue;
        }
        const Levers lv = levers(v, d);
        if (o.progress) spdlog::info("bench: autoencoder training, {}", std::string(r["variant"]));
        r.update(guarded(
            [&] {
              const auto format =
                  channels_last ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
              to_memory_format(*ae, format);
              torch::optim::AdamW opt(ae->parameters(), torch::optim::AdamWOptions(1e-4).weight_decay(0.0));
              const int64_t B = s.ae_batch;
              const at::Tensor x =
                  at::randn({B, s.ae.in_channels, s.resolution, s.resolution}, f32).contiguous(format);
              auto step = [&] {
                opt.zero_grad();
                at::Tensor loss;
                {
                  models::AutocastGuard autocast(d.type(), at::kBFloat16, lv.bf16);
                  loss = at::mse_loss(ae->forward(x).to(at::kFloat), x);
                }
                loss.backward();
                torch::nn::utils::clip_grad_norm_(ae->parameters(), 1.0);
                opt.step();
              };
              const double t = time_per_call(step, d, o.warmup, o.iters);
              return nlohmann::json{{"ms_per_step", 1e3 * t}, {"images_per_s", B / t}};
            },
            d));
        release_cache(d);
        results.push_back(r);
      }
    }
  }
  set_attention(true);  // back to the default kernel
  out["results"] = results;
  return out;
}

std::string model_bench_table(const nlohmann::json& j) {
  std::ostringstream s;
  s << "device: " << j["machine"]["device"].get<std::string>() << " | LibTorch "
    << j["machine"]["libtorch"].get<std::string>() << " | scale " << j["config"]["scale"].get<std::string>()
    << " (" << j["config"]["resolution"] << "^2 x " << j["config"]["fields"] << ", AE "
    << j["config"]["autoencoder_parameters"].get<int64_t>() / 1000000 << "M, ViT "
    << j["config"]["denoiser_parameters"].get<int64_t>() / 1000000 << "M)\n";
  s << std::left << std::setw(13) << "part" << std::setw(24) << "variant" << std::setw(10) << "size"
    << "result\n";
  for (const auto& r : j["results"]) {
    const std::string part = r["part"];
    std::string size = part == "emulation" ? std::to_string(r["members"].get<int>()) + " mem"
                                           : "batch " + std::to_string(r["batch"].get<int>());
    s << std::setw(13) << part << std::setw(24) << r["variant"].get<std::string>() << std::setw(10) << size;
    std::ostringstream v;
    v << std::fixed << std::setprecision(1);
    if (r.contains("skipped"))
      v << "- (" << r["skipped"].get<std::string>() << ")";
    else if (part == "emulation")
      v << r["ms_per_state"].get<double>() << " ms/state (" << r["ms_per_call"].get<double>()
        << " ms/call: sampling " << r["ms_per_call_sampling"].get<double>() << ", decoding "
        << r["ms_per_call_decoding"].get<double>() << ")";
    else if (part == "denoiser")
      v << r["windows_per_s"].get<double>() << " windows/s (" << r["ms_per_step"].get<double>()
        << " ms/step)";
    else
      v << r["images_per_s"].get<double>() << " images/s (" << r["ms_per_step"].get<double>() << " ms/step)";
    s << v.str() << "\n";
  }
  return s.str();
}

}  // namespace leap::cli
