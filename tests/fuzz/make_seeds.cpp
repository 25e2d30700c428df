// Writes the fuzzers' seed corpora (tests/fuzz/corpus/<harness>/): configs of every kind from the
// examples (with --set overrides), a tiny dataset file written by WellWriter, tiny real checkpoints
// (an autoencoder, a surrogate, a denoiser; as files and as the structured form fuzz_checkpoint
// writes itself), and C API programs (a whole coupling run with the oracle, and hostile ones).
// Usage: fuzz_make_seeds OUT_DIR (normally tests/fuzz/corpus).
#include <mpi.h>
#include <torch/nn/module.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "leap/config/load.h"
#include "leap/data/normalizer.h"
#include "leap/data/well_writer.h"
#include "leap/models/dcae.h"
#include "leap/models/denoiser.h"
#include "leap/models/diffusion_config.h"
#include "leap/models/surrogate.h"
#include "leap/train/checkpoint.h"
#include "leap/train/model_io.h"

namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write(const fs::path& p, const std::string& bytes) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << bytes;
}

void config_seeds(const fs::path& out) {
  const fs::path ex = fs::path(LEAP_SOURCE_DIR) / "examples";
  // kind byte (fuzz_config.cpp), file, overrides
  const std::vector<std::tuple<int, std::string, std::string>> seeds = {
      {0, "euler2d/generate-small.yaml", "\n@@\ntrajectories.train=3\nframes=5\n"},
      {0, "rayleigh_benard/generate-small.yaml", ""},
      {1, "euler2d/ae-small.yaml", "\n@@\nmodel.channels=[8, 16]\noptim.lr=1e-3\n"},
      {1, "rayleigh_benard/ae-small.yaml", ""},
      {2, "euler2d/emulator-small.yaml", "\n@@\nwindow=5\n"},
      {2, "euler2d/surrogate-small.yaml", ""},
      {2, "rayleigh_benard/emulator-small.yaml", ""},
      {4, "euler2d/hybrid-small.yaml", "\n@@\nleap.members=2\n"},
      {4, "rayleigh_benard/hybrid-small.yaml", ""},
      {5, "euler2d/study-small.yaml", ""},
      {5, "rayleigh_benard/study-small.yaml", ""},
      {7, "euler2d/quadrants-small.yaml", ""},
      {8, "rayleigh_benard/case.yaml", "\n@@\nrayleigh=1e5\n"},
  };
  for (const auto& [kind, file, sets] : seeds) {
    std::string name = file;
    for (auto& c : name)
      if (c == '/') c = '_';
    write(out / "config" / name, std::string(1, char(kind)) + read(ex / file) + sets);
  }
  write(out / "config" / "evaluate.yaml", std::string(1, char(3)) + "members: 2\n\n@@\nseed=4\n");
  write(out / "config" / "runtime_none.yaml", std::string(1, char(6)) + "emulator: {kind: none}\n");
  write(out / "config" / "runtime_oracle.yaml",
        std::string(1, char(6)) +
            "emulator:\n  kind: oracle\n  dataset: /nonexistent.hdf5\nleap:\n  members: 2\n  max_spread: 0.5\n");
}

void well_seed(const fs::path& out) {
  leap::data::WellLayout L;
  L.dataset_name = "tiny";
  L.axes = {{"x", 4, {}, "periodic"}, {"y", 3, {}, "wall"}};
  for (int i = 0; i < 4; ++i) L.axes[0].coords.push_back(i + 0.5);
  for (int j = 0; j < 3; ++j) L.axes[1].coords.push_back(j + 0.5);
  leap::data::WellField rho, vel;
  rho.name = "density";
  rho.order = 0;
  vel.name = "velocity";
  vel.order = 1;
  rho.dim_varying = vel.dim_varying = {true, true};
  L.fields = {rho, vel};
  L.parameters = {{"gamma", 1.4}};
  L.n_trajectories = 2;
  L.n_steps = 2;
  L.times = {0.0, 0.1};
  const fs::path path = out / "well_file" / "tiny.hdf5";
  fs::create_directories(path.parent_path());
  leap::data::WellWriter w(MPI_COMM_SELF, path.string(), L);
  const leap::data::Block block{{0, 0}, {4, 3}};
  for (int t = 0; t < 2; ++t)
    for (int s = 0; s < 2; ++s) {
      std::vector<float> a(12), v(24);
      for (size_t i = 0; i < a.size(); ++i) a[i] = float(1 + t + s + i);
      for (size_t i = 0; i < v.size(); ++i) v[i] = float(t - s) * 0.5f + float(i);
      w.write_frame(t, s, "density", a.data(), block);
      w.write_frame(t, s, "velocity", v.data(), block);
    }
  w.mark_complete(2);
  w.finish();
}

// The raw file (byte 0 even) and the structured form (byte 0 odd, flags, parts) of a checkpoint.
void checkpoint_seed(const fs::path& out, const std::string& name, torch::nn::Module& model,
                     const leap::train::CheckpointInfo& info) {
  const fs::path tmp = fs::temp_directory_path() / ("leap_seed_" + name + ".pt");
  leap::train::save_checkpoint(tmp.string(), model, nullptr, {}, info);
  write(out / "checkpoint" / (name + "_file"), std::string(1, '\0') + read(tmp));
  fs::remove(tmp);
  std::string extra;
  for (const auto& [k, v] : info.extra) extra += k + ": " + leap::config::dump_yaml(YAML::Node(v)) + "\n";
  std::string weights;
  for (const auto& p : model.named_parameters()) weights += p.key() + ":" + std::to_string(p.value().numel()) + "\n";
  const std::string sep = "\n@@\n";
  write(out / "checkpoint" / (name + "_structured"),
        std::string(1, '\x01') + std::string(1, '\x10') + info.kind + sep + info.model_yaml + sep + extra + sep +
            info.config_yaml + sep + weights);
}

void checkpoint_seeds(const fs::path& out) {
  leap::data::Normalizer norm;
  norm.mean = {0.0, 1.0};
  norm.std = {1.0, 2.0};
  norm.log = {false, true};
  {
    leap::models::AutoencoderConfig cfg;
    cfg.in_channels = 2;
    cfg.latent_channels = 2;
    cfg.channels = {4, 4};
    cfg.blocks = {0, 1};
    leap::models::Autoencoder model(cfg);
    leap::train::CheckpointInfo info;
    info.kind = "autoencoder";
    info.model_yaml = leap::config::to_yaml(cfg);
    info.extra["normalizer"] = leap::train::normalizer_to_yaml(norm);
    info.extra["channels"] = leap::train::list_to_yaml({"density", "pressure"});
    info.extra["theta"] = leap::train::list_to_yaml({});
    checkpoint_seed(out, "autoencoder", *model, info);
  }
  for (const std::string kind : {"surrogate", "denoiser"}) {
    leap::models::ViTConfig vit;
    vit.width = 8;
    vit.depth = 1;
    vit.heads = 2;
    vit.emb_features = 8;
    vit.param_features = kind == "denoiser" ? 1 : 0;
    leap::models::DiffusionConfig diffusion;
    YAML::Node arch;
    arch["channels"] = 2;
    arch["vit"] = YAML::Load(leap::config::to_yaml(vit));
    arch["schedule"] = YAML::Load(leap::config::to_yaml(diffusion.schedule));
    leap::train::CheckpointInfo info;
    info.kind = kind;
    info.model_yaml = leap::config::dump_yaml(arch);
    info.extra["normalizer"] = leap::train::normalizer_to_yaml(norm);
    info.extra["channels"] = leap::train::list_to_yaml({"z0", "z1"});
    info.extra["theta"] = leap::train::list_to_yaml(kind == "denoiser" ? std::vector<std::string>{"mach"}
                                                                       : std::vector<std::string>{});
    info.extra["diffusion"] = leap::config::to_yaml(diffusion);
    info.extra["window"] = "3";
    if (kind == "surrogate") {
      leap::models::Surrogate model(2, vit);
      checkpoint_seed(out, kind, *model, info);
    } else {
      leap::models::Denoiser model(2, vit, diffusion.schedule);
      checkpoint_seed(out, kind, *model, info);
    }
  }
}

// C API programs in fuzz_c_api.cpp's encoding (see Program::step).
void c_api_seeds(const fs::path& out) {
  using P = std::vector<uint8_t>;
  const P create_oracle1 = {0, 1, 1, 2};      // leap_runtime_create(WORLD, oracle1.yaml, &h)
  const P add_a = {2, 0, 0, 1, 0};            // add_field(h, "a", 1)
  const P add_v = {2, 0, 1, 1, 1};            // add_field(h, "v", 2)
  const P set_box = {3, 0, 0};                // the whole 12 x 10 grid
  const P setup = {5, 0};
  const P observe = {8, 0, 6, 1};             // observe(h, block, t)
  const P ready = {7, 0, 1};
  const P leap1 = {9, 0, 1, 0, 1, 0, 0, 1, 9};  // leap(h, 1 frame, NULL theta, 0, block, &accepted, &spread)
  const P due = {12, 0, 7, 10};
  const P attempt = {13, 0, 1, 0, 0, 1, 3};
  const P summary = {15, 0, 7, 200};
  const P last = {14, 0, 7};
  const P destroy = {17, 0};
  auto cat = [](std::initializer_list<P> parts) {
    std::string s;
    for (const auto& p : parts) s.append(p.begin(), p.end());
    return s;
  };
  const fs::path dir = out / "c_api";
  write(dir / "oracle_run", cat({create_oracle1, add_a, add_v, set_box, setup, observe, ready, leap1, observe,
                                 due, attempt, last, summary, destroy}));
  write(dir / "out_of_order", cat({create_oracle1, observe, leap1, setup, add_a, set_box, setup, add_v, destroy,
                                   destroy, observe}));
  // An exchange on MPI_COMM_SELF over the whole grid, gathered and scattered, then a bogus handle.
  write(dir / "exchange", cat({{18, 0, 1, 0, 0, 2}, {21, 0, 1, 2}, {22, 0, 1}, {23, 0, 7}, {24, 0, 3}, {25, 0},
                               {25, 0}, {23, 3, 7}}));
  write(dir / "hostile", cat({{1, 0, 1, 3, 0x80, 0, 0, 0}, {0, 11, 1, 1}, {2, 3, 6, 0, 4}, {3, 0, 3, 4, 2, 5, 7, 1,
                                                                                               0, 6, 9},
                              {26, 2, 5}, {26, 3, 255}, {15, 2, 4}, {27}}));
  write(dir / "checked", cat({{0, 3, 1, 2}, add_a, add_v, set_box, {11, 0, 4}, setup, observe, due, attempt,
                              last, destroy}));
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  if (argc != 2) {
    std::cerr << "usage: fuzz_make_seeds OUT_DIR\n";
    return 2;
  }
  const fs::path out = argv[1];
  config_seeds(out);
  well_seed(out);
  checkpoint_seeds(out);
  c_api_seeds(out);
  MPI_Finalize();
  std::cout << "seeds written under " << out << "\n";
  return 0;
}
