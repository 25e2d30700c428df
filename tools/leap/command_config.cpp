// `leap config KIND`: every key of a config kind with its type, default, allowed values and meaning;
// `leap config KIND --check FILE` validates a file without running anything.
#include <iostream>

#include "commands.h"
#include "generate_config.h"
#include "hybrid_config.h"
#include "leap/config/load.h"
#include "leap/plugin/runtime_config.h"
#include "leap/train/autoencoder_training.h"
#include "leap/train/emulator_training.h"
#include "study_config.h"
#include "leap/train/evaluation.h"

namespace leap::cli {

namespace {

template <class T>
void show_or_check(const std::string& check, const Common& common) {
  if (check.empty()) {
    for (const auto& line : config::document<T>()) std::cout << line << "\n";
    return;
  }
  const T cfg = config::load_config<T>(check, common.sets);
  std::cout << config::to_yaml(cfg);
}

}  // namespace

void add_config(CLI::App& app, Common& common) {
  auto kind = std::make_shared<std::string>();
  auto check = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("config", "Document every key of a config kind, or check a config file");
  cmd->add_option("kind", *kind, "generate, ae, emulator, surrogate, hybrid, evaluate, study or runtime (the C/C++/Fortran runtime's leap.yaml)")
      ->required()
      ->check(CLI::IsMember({"generate", "ae", "emulator", "surrogate", "hybrid", "evaluate", "study", "runtime"}));
  cmd->add_option("--check", *check, "validate this file (with --set overrides) and print the effective config");
  cmd->add_option("--set", common.sets, "override a config key: --set key.path=value (repeatable)");
  cmd->callback([kind, check, &common] {
    if (*kind == "generate") return show_or_check<GenerateConfig>(*check, common);
    if (*kind == "ae") return show_or_check<train::AutoencoderTrainConfig>(*check, common);
    if (*kind == "hybrid") return show_or_check<HybridConfig>(*check, common);
    if (*kind == "study") return show_or_check<StudyConfig>(*check, common);
    if (*kind == "runtime") return show_or_check<plugin::RuntimeConfig>(*check, common);
    if (*kind == "evaluate") return show_or_check<train::EvaluateConfig>(*check, common);
    show_or_check<train::EmulatorTrainConfig>(*check, common);
  });
}

}  // namespace leap::cli
