// Shared pieces of the `leap train` subcommands.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "commands.h"
#include "leap/train/trainer.h"

namespace leap::cli {

struct TrainOptions {
  std::string config, out;
  std::vector<std::string> data;  // --data: datasets and/or collections
  bool resume = false;
  std::string init;  // --init CKPT: fine-tune from a checkpoint
  bool no_progress = false;
};

// The datasets of a run: --data, else the config's data.datasets (relative to the config file's
// directory); an InputError when neither names one.
std::vector<std::string> training_data(const TrainOptions& o,
                                       const std::vector<std::string>& config_datasets);

nlohmann::json result_json(const train::TrainResult& r);
void prepare_out_dir(const std::string& out, bool resume, const std::string& init = "");
void write_outputs(const std::string& out, const std::string& config_yaml, const nlohmann::json& metrics);
CLI::App* add_train_subcommand(CLI::App* train, Common& common, const std::string& name,
                               const std::string& help,
                               std::function<void(const TrainOptions&, const Common&)> body);
// `leap train emulator` and `leap train surrogate`.
void add_train_model_commands(CLI::App* train, Common& common);

}  // namespace leap::cli
