// The `leap` subcommands. Each add_* registers its CLI11 subcommand; the callback runs it.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace leap::cli {

// Options every command shares.
struct Common {
  std::vector<std::string> sets;  // --set key=value, repeatable
  int verbose = 0;                // -v, -vv
  bool quiet = false;             // -q
};

std::string version_report();
void add_info(CLI::App& app, Common& common);
void add_generate(CLI::App& app, Common& common);
void add_train(CLI::App& app, Common& common);
void add_encode(CLI::App& app, Common& common);
void add_hybrid(CLI::App& app, Common& common);
void add_study(CLI::App& app, Common& common);
void add_config(CLI::App& app, Common& common);
void add_bench(CLI::App& app, Common& common);
void add_evaluate(CLI::App& app, Common& common);
// `leap demo` runs before MPI is initialised (it starts the other stages as child processes).
int demo_main(int argc, char** argv);
void add_demo_help_entry(CLI::App& app);
// `leap reproduce` too (the paper's experiment, stage by stage, as child processes).
int reproduce_main(int argc, char** argv);
void add_reproduce_help_entry(CLI::App& app);

}  // namespace leap::cli
