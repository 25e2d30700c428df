// `leap bench`: speed of emulation and training at the paper's scale (or a small one) on one device,
// each GPU lever switched on in turn; a table on stdout and DIR/metrics.json with --out DIR.
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "leap/error.h"
#include "leap/log.h"
#include "leap/util/atomic_file.h"
#include "model_bench.h"

namespace fs = std::filesystem;

namespace leap::cli {

void add_bench(CLI::App& app, Common& common) {
  auto o = std::make_shared<ModelBenchOptions>();
  auto out_dir = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("bench", "Time emulation and training steps with each GPU lever in turn");
  cmd->add_option("--scale", o->scale, "paper (DCAE f32c64 at 512^2, ViT 1024x16) or small")
      ->check(CLI::IsMember({"paper", "small"}));
  cmd->add_option("--device", o->device, "cpu, cuda or cuda:N");
  cmd->add_option("--parts", o->parts, "emulation, denoiser, autoencoder")
      ->delimiter(',')
      ->check(CLI::IsMember({"emulation", "denoiser", "autoencoder"}));
  cmd->add_option("--variants", o->variants,
                  "cumulative levers: plain (fp32/TF32), bf16, flash (scaled_dot_product_attention), graph (CUDA graph)")
      ->delimiter(',')
      ->check(CLI::IsMember({"plain", "bf16", "flash", "graph"}));
  cmd->add_option("--members", o->members, "ensemble sizes of the emulation benchmark")
      ->delimiter(',')
      ->check(CLI::PositiveNumber);
  cmd->add_option("--warmup", o->warmup, "untimed calls before timing")->check(CLI::NonNegativeNumber);
  cmd->add_option("--iters", o->iters, "timed calls")->check(CLI::PositiveNumber);
  cmd->add_option("--out", *out_dir, "directory for metrics.json (optional)");
  cmd->callback([o, out_dir, &common] {
    if (!out_dir->empty()) {
      std::error_code ec;
      fs::create_directories(*out_dir, ec);
      if (ec || !fs::is_directory(*out_dir))
        throw InputError(*out_dir, "--out", "a directory that can be created", ec ? ec.message() : "not a directory");
    }
    o->progress = !common.quiet;
    const nlohmann::json r = run_model_bench(*o);
    std::cout << model_bench_table(r) << std::flush;
    if (!out_dir->empty()) {
      const std::string path = (fs::path(*out_dir) / "metrics.json").string();
      util::write_file_atomic(path, r.dump(2) + "\n");
      spdlog::info("bench: results in {}", path);
    }
  });
}

}  // namespace leap::cli
