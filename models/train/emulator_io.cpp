#include "leap/train/emulator_io.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "leap/config/load.h"
#include "leap/error.h"
#include "leap/models/sampler.h"
#include "leap/train/model_io.h"

namespace leap::train {

LoadedEmulator load_emulator(const std::string& path, const std::string& kind) {
  LoadedEmulator out;
  out.info = read_checkpoint_info(path, kind);
  out.kind = out.info.kind;
  if (out.kind != "denoiser" && out.kind != "surrogate")
    throw InputError(path, "kind", "a denoiser or surrogate checkpoint", "a " + out.kind + " checkpoint");
  YAML::Node arch;
  try {
    arch = YAML::Load(out.info.model_yaml);
  } catch (const YAML::Exception& e) {
    throw InputError(path + ": the model description is not YAML (" + std::string(e.what()) + ")");
  }
  if (!arch.IsMap() || !arch["channels"] || !arch["vit"])
    throw InputError(path, "model", "keys channels, vit and schedule", "a model without them");
  int64_t channels = 0;
  std::vector<double> lead_scales;  // the anchored denoiser's (absent before anchors existed: none)
  YAML::Node diffusion;
  try {
    channels = arch["channels"].as<int64_t>();
    if (arch["lead_scales"]) lead_scales = arch["lead_scales"].as<std::vector<double>>();
    diffusion = YAML::Load(extra_field(out.info.extra, "diffusion", path));
  } catch (const YAML::Exception& e) {
    throw InputError(path + ": malformed model description in the checkpoint (" + std::string(e.what()) +
                     ")");
  }
  const auto vit = config::parse_config<models::ViTConfig>(arch["vit"], path + " (model)", "vit");
  const auto schedule = arch["schedule"] ? config::parse_config<models::ScheduleConfig>(
                                               arch["schedule"], path + " (model)", "schedule")
                                         : models::ScheduleConfig{};
  out.diffusion = config::parse_config<models::DiffusionConfig>(diffusion, path + " (diffusion)");
  out.normalizer = normalizer_from_yaml(extra_field(out.info.extra, "normalizer", path), path);
  out.channels = list_from_yaml(extra_field(out.info.extra, "channels", path), path);
  out.theta_names = list_from_yaml(extra_field(out.info.extra, "theta", path), path);
  if (vit.param_features == 0) out.theta_names.clear();
  const std::string& window = extra_field(out.info.extra, "window", path);
  try {
    size_t used = 0;
    out.window = std::stoll(window, &used);
    if (used != window.size()) throw std::invalid_argument("trailing characters");
  } catch (const std::logic_error&) {  // std::invalid_argument, std::out_of_range
    throw InputError(path, "window", "a number of frames", "'" + window + "'");
  }
  if (out.normalizer.channels() != channels)
    throw InputError(path, "normalizer", std::to_string(channels) + " channels (the model's)",
                     std::to_string(out.normalizer.channels()));
  if (out.window < 2) throw InputError(path, "window", "at least 2 frames", std::to_string(out.window));
  torch::nn::Module* module = nullptr;
  if (out.kind == "denoiser") {
    if (out.diffusion.anchor == "context" && out.window >= 2 && int64_t(lead_scales.size()) != out.window - 1)
      throw InputError(path, "model.lead_scales",
                       std::to_string(out.window - 1) + " lead scales (an anchored denoiser over " +
                           std::to_string(out.window) + "-frame windows)",
                       std::to_string(lead_scales.size()));
    for (double s : lead_scales)
      if (!(s > 0) || !std::isfinite(s))
        throw InputError(path, "model.lead_scales", "positive finite scales", config::format_number(s));
    if (out.diffusion.anchor == "none") lead_scales.clear();
    out.denoiser = models::Denoiser(channels, vit, schedule, lead_scales);
    module = out.denoiser.get();
  } else {
    out.surrogate = models::Surrogate(channels, vit);
    module = out.surrogate.get();
  }
  load_checkpoint(path, *module, nullptr, nullptr, /*use_ema=*/true, /*restore_rng=*/false);
  module->eval();
  return out;
}

models::WindowFn LoadedEmulator::window_fn(const at::Tensor& theta) const {
  if (kind == "denoiser")
    return models::diffusion_window_fn(denoiser, models::Sampler(diffusion.sampler, diffusion.schedule),
                                       window, theta);
  return models::surrogate_window_fn(surrogate, window, theta);
}

void LoadedEmulator::to(const at::Device& device) {
  if (denoiser) denoiser->to(device);
  if (surrogate) surrogate->to(device);
}

}  // namespace leap::train
