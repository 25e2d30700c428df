// Shared by the model tests: a denoiser saved as `leap train emulator` writes it (its model
// description with the schedule and, for an anchored model, the lead scales; the diffusion settings;
// a unit normaliser over channels z0, z1, ...; conditioning `gamma` when the ViT takes parameters),
// then loaded back with load_emulator. The checkpoint lives in a temporary directory removed at once.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "leap/config/load.h"
#include "leap/data/normalizer.h"
#include "leap/models/denoiser.h"
#include "leap/models/diffusion_config.h"
#include "leap/train/checkpoint.h"
#include "leap/train/emulator_io.h"
#include "leap/train/model_io.h"

namespace leap::test {

inline train::LoadedEmulator save_and_load_denoiser(models::Denoiser& den, const models::ViTConfig& vit,
                                                    const models::DiffusionConfig& diffusion,
                                                    int64_t window) {
  train::CheckpointInfo info;
  info.kind = "denoiser";
  YAML::Node arch;
  arch["channels"] = den->channels();
  arch["vit"] = YAML::Load(config::to_yaml(vit));
  arch["schedule"] = YAML::Load(config::to_yaml(diffusion.schedule));
  for (double s : den->lead_scales()) arch["lead_scales"].push_back(s);
  info.model_yaml = config::dump_yaml(arch);
  info.config_yaml = "{}\n";
  std::vector<std::string> names;
  for (int64_t c = 0; c < den->channels(); ++c) names.push_back("z" + std::to_string(c));
  const size_t C = names.size();
  info.extra["normalizer"] = train::normalizer_to_yaml(data::Normalizer{
      std::vector<double>(C, 0.0), std::vector<double>(C, 1.0), std::vector<bool>(C, false)});
  info.extra["channels"] = train::list_to_yaml(names);
  info.extra["theta"] = train::list_to_yaml(vit.param_features > 0 ? std::vector<std::string>{"gamma"}
                                                                   : std::vector<std::string>{});
  info.extra["diffusion"] = config::to_yaml(diffusion);
  info.extra["window"] = std::to_string(window);
  const auto dir =
      std::filesystem::temp_directory_path() /
      ("leap_test_denoiser_" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "denoiser.ckpt").string();
  train::save_checkpoint(path, *den, nullptr, {}, info);
  try {
    train::LoadedEmulator loaded = train::load_emulator(path, "denoiser");
    std::filesystem::remove_all(dir);
    return loaded;
  } catch (...) {
    std::filesystem::remove_all(dir);
    throw;
  }
}

}  // namespace leap::test
