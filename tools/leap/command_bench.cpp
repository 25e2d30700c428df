// `leap bench`: speed of emulation and training at the paper's scale (or a small one) on one device,
// each GPU lever switched on in turn (parts emulation, denoiser, autoencoder: model_bench.h, on rank
// 0), and how the costs of a hybrid run grow with the grid on the job's ranks (parts exchange,
// solver, hybrid at --sizes: system_bench.h; run under mpiexec). A table on stdout and
// DIR/metrics.json with --out DIR (rank 0), with the machine, the versions and the configuration.
//
// Defaults: parts emulation, denoiser, autoencoder. When only exchange/solver/hybrid are asked for,
// --scale defaults to small (the leap's models) and --device to cuda when a GPU is visible, else cpu.
#include <mpi.h>
#include <petscversion.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "commands.h"
#include "hybrid_run.h"
#include "leap/error.h"
#include "leap/log.h"
#include "leap/util/atomic_file.h"
#include "leap/version.h"
#include "model_bench.h"
#include "system_bench.h"

namespace fs = std::filesystem;

namespace leap::cli {

namespace {

bool is_model_part(const std::string& p) {
  return p == "emulation" || p == "denoiser" || p == "autoencoder";
}

std::string mpi_library() {
  char lib[MPI_MAX_LIBRARY_VERSION_STRING];
  int len = 0;
  MPI_Get_library_version(lib, &len);
  const std::string s(lib, size_t(len));
  return s.substr(0, s.find_first_of(",\n"));
}

}  // namespace

void add_bench(CLI::App& app, Common& common) {
  auto o = std::make_shared<ModelBenchOptions>();
  auto so = std::make_shared<SystemBenchOptions>();
  auto out_dir = std::make_shared<std::string>();
  auto* cmd =
      app.add_subcommand("bench", "Time emulation, training, the state exchange, the solver and hybrid runs");
  auto* scale = cmd->add_option("--scale", o->scale, "paper (DCAE f32c64 at 512^2, ViT 1024x16) or small")
                    ->check(CLI::IsMember({"paper", "small"}));
  auto* device = cmd->add_option("--device", o->device, "cpu, cuda or cuda:N");
  cmd->add_option(
         "--parts", o->parts,
         "emulation, denoiser, autoencoder (one device); exchange, solver, hybrid (all ranks, at --sizes)")
      ->delimiter(',')
      ->check(CLI::IsMember({"emulation", "denoiser", "autoencoder", "exchange", "solver", "hybrid"}));
  cmd->add_option("--variants", o->variants,
                  "cumulative levers: plain (fp32/TF32), bf16, flash (scaled_dot_product_attention), graph "
                  "(CUDA graph)")
      ->delimiter(',')
      ->check(CLI::IsMember({"plain", "bf16", "flash", "graph"}));
  cmd->add_option("--members", o->members, "ensemble sizes of the emulation benchmark")
      ->delimiter(',')
      ->check(CLI::PositiveNumber);
  cmd->add_option("--sizes", so->sizes,
                  "grid sides of exchange, solver and hybrid: powers of two >= 32 (--case euler3d: >= 16)")
      ->delimiter(',');
  cmd->add_option("--case", so->case_name, "solver of exchange, solver and hybrid")
      ->check(CLI::IsMember({"euler2d", "euler3d"}));
  cmd->add_option("--frames", so->frames, "hybrid: the horizon in frames")->check(CLI::PositiveNumber);
  cmd->add_option("--leap-frames", so->leap_frames, "hybrid: frames per leap")->check(CLI::PositiveNumber);
  cmd->add_option("--solver-frames", so->solver_frames,
                  "hybrid: solver frames before the first leap and after each")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--warmup", o->warmup, "untimed calls (solver: frames) before timing")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--iters", o->iters, "timed calls (solver: frames)")->check(CLI::PositiveNumber);
  cmd->add_option("--out", *out_dir, "directory for metrics.json (optional)");
  cmd->callback([o, so, out_dir, scale, device, &common] {
    int rank = 0, ranks = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    const bool model_parts = std::any_of(o->parts.begin(), o->parts.end(), is_model_part);
    const bool system_parts =
        std::any_of(o->parts.begin(), o->parts.end(), [](const auto& p) { return !is_model_part(p); });
    if (!model_parts && scale->count() == 0) o->scale = "small";
    if (!model_parts && device->count() == 0) o->device = torch::cuda::is_available() ? "cuda" : "cpu";
    // Bad input is refused on every rank before anything runs.
    std::string problem;
    if (rank == 0) {
      try {
        if (system_parts) {
          if (so->sizes.empty()) throw InputError("leap bench: --sizes: expected at least one grid side");
          for (int s : so->sizes)
            if (const std::string why = system_bench_size_problem(s, so->case_name); !why.empty())
              throw InputError("leap bench: --sizes: expected " + why);
        }
        check_bench_device(o->device);
        if (!out_dir->empty()) {
          std::error_code ec;
          fs::create_directories(*out_dir, ec);
          if (ec || !fs::is_directory(*out_dir))
            throw InputError(*out_dir, "--out", "a directory that can be created",
                             ec ? ec.message() : "not a directory");
        }
      } catch (const InputError& e) {
        problem = e.what();
      }
    }
    agree_on_problem(problem);
    o->progress = !common.quiet;

    nlohmann::json r;
    if (model_parts && rank == 0) r = run_model_bench(*o);
    if (system_parts) {
      so->parts = o->parts;
      so->scale = o->scale;
      so->device = o->device;
      so->warmup = o->warmup;
      so->iters = o->iters;
      so->progress = o->progress;
      nlohmann::json sys = run_system_bench(*so);
      if (rank == 0) {
        if (!r.contains("results")) r["results"] = nlohmann::json::array();
        for (auto& x : sys["results"]) r["results"].push_back(x);
        r["config"]["system"] = sys["system"];
        r["config"]["warmup"] = o->warmup;
        r["config"]["iters"] = o->iters;
      }
    }
    if (rank != 0) return;
    r["command"] = "bench";
    r["ranks"] = ranks;
    r["config"]["parts"] = o->parts;
    r["config"]["device"] = o->device;
    r["machine"]["device"] = device_description(o->device);
    r["machine"]["leap"] = LEAP_VERSION;
    r["machine"]["libtorch"] = TORCH_VERSION;
    r["machine"]["petsc"] = std::to_string(PETSC_VERSION_MAJOR) + "." + std::to_string(PETSC_VERSION_MINOR) +
                            "." + std::to_string(PETSC_VERSION_SUBMINOR);
    r["machine"]["mpi"] = mpi_library();
    r["machine"]["ranks"] = ranks;
    r["machine"]["hardware_threads"] = int(std::thread::hardware_concurrency());
    if (model_parts) {
      nlohmann::json models = r;
      models["results"] = nlohmann::json::array();
      for (const auto& x : r["results"])
        if (is_model_part(x["part"])) models["results"].push_back(x);
      std::cout << model_bench_table(models);
    }
    if (system_parts) {
      nlohmann::json sys{{"system", r["config"]["system"]}, {"results", nlohmann::json::array()}};
      for (const auto& x : r["results"])
        if (!is_model_part(x["part"])) sys["results"].push_back(x);
      if (!model_parts)
        std::cout << "device: " << r["machine"]["device"].get<std::string>() << " | LEAP " << LEAP_VERSION
                  << " | LibTorch " << TORCH_VERSION << " | PETSc "
                  << r["machine"]["petsc"].get<std::string>() << " | "
                  << r["machine"]["mpi"].get<std::string>() << "\n";
      std::cout << system_bench_table(sys);
    }
    std::cout << std::flush;
    if (!out_dir->empty()) {
      const std::string path = (fs::path(*out_dir) / "metrics.json").string();
      util::write_file_atomic(path, r.dump(2) + "\n");
      spdlog::info("bench: results in {}", path);
    }
  });
}

}  // namespace leap::cli
