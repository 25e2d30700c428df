// `leap`: generate, inspect, train, evaluate and run latent diffusion emulators coupled to PETSc
// solvers. Exit status: 0 success, 2 bad input (one line naming the file and key), 1 other failure.
#include <CLI/CLI.hpp>

#include <iostream>
#include <string>
#include <vector>

#include "commands.h"
#include "leap/error.h"
#include "leap/log.h"
#include "runtime.h"

int main(int argc, char** argv) {
  leap::cli::ensure_openmp_environment(argc, argv);
  if (argc > 1 && std::string(argv[1]) == "demo") return leap::cli::demo_main(argc - 1, argv + 1);
  if (argc > 1 && std::string(argv[1]) == "reproduce") return leap::cli::reproduce_main(argc - 1, argv + 1);
  // Arguments after "--" are PETSc options (e.g. -ts_monitor -log_view), the rest is LEAP's.
  std::vector<std::string> petsc_options;
  int leap_argc = argc;
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]) == "--") {
      leap_argc = i;
      for (int k = i + 1; k < argc; ++k) petsc_options.emplace_back(argv[k]);
      break;
    }
  leap::cli::Runtime runtime(&argc, &argv, petsc_options);
  try {
    leap::cli::configure_torch_threads();
  } catch (const std::exception& e) {
    if (runtime.rank() == 0) std::cerr << "leap: " << e.what() << "\n";
    return leap::exit_code_for(e);
  }
  leap::cli::Common common;

  CLI::App app{"LEAP: latent diffusion emulators coupled to PETSc fluid solvers", "leap"};
  app.require_subcommand(1);
  app.set_version_flag(
      "--version", [] { return leap::cli::version_report(); }, "Print versions of LEAP and its stack");
  app.add_flag("-v,--verbose", common.verbose, "More log output (-vv for trace)");
  app.add_flag("-q,--quiet", common.quiet, "Warnings and errors only");
  app.fallthrough();
  leap::init_logging(0, runtime.rank(), runtime.size());
  app.parse_complete_callback([&] {
    spdlog::drop("leap");
    leap::init_logging(common.quiet ? -1 : common.verbose, runtime.rank(), runtime.size());
  });

  leap::cli::add_info(app, common);
  leap::cli::add_generate(app, common);
  leap::cli::add_train(app, common);
  leap::cli::add_encode(app, common);
  leap::cli::add_hybrid(app, common);
  leap::cli::add_study(app, common);
  leap::cli::add_config(app, common);
  leap::cli::add_bench(app, common);
  leap::cli::add_evaluate(app, common);
  leap::cli::add_demo_help_entry(app);
  leap::cli::add_reproduce_help_entry(app);

  try {
    app.parse(leap_argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // Bad arguments are bad input: one line, exit 2.
    if (runtime.rank() == 0) std::cerr << "leap: " << e.what() << " (see leap --help)\n";
    return 2;
  } catch (const std::exception& e) {
    return runtime.fail(e);
  }
  return 0;
}
