// `leap demo`: LEAP's whole pipeline on a small Euler case, from nothing to a report: the PETSc
// solver generates a dataset (on --ranks MPI ranks), the autoencoder is trained, the dataset encoded,
// the latent diffusion emulator trained, then a hybrid solver + emulator run with correction on a
// held-out initial condition is compared with the solver alone, and the emulator is evaluated on the
// test split. --case euler2d (the default: the 2-D multi-quadrant case, 64^2) or euler3d (the 3-D
// octant case, 16^3, 3-D autoencoder and ViT; the hybrid figure shows the z mid-plane). The configs
// are compiled in (examples/<case>/*-small.yaml) and written to OUT/configs; every stage is this same
// program run as a child process (mpiexec for the MPI stages), so `leap demo` itself needs no MPI.
// OUT/report.md, OUT/metrics.json and the figure OUT/hybrid/final_state.png summarise it.
#include <torch/cuda.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "child_process.h"
#include "commands.h"
#include "demo_configs.h"
#include "leap/error.h"
#include "leap/util/atomic_file.h"

namespace fs = std::filesystem;

namespace leap::cli {

namespace {

struct DemoOptions {
  std::string out = "out/demo";
  std::string case_name = "euler2d";
  int ranks = 2;
  std::string device = "auto";
  std::string size = "small";
  bool progress = true;
};

// The 3-D case's tiny size: 4 trajectories of 6 frames at 16^3 (one gamma, periodic), one epoch of
// each model with a narrow ViT, an 8-frame hybrid run (leaps of 3 frames, one emulator window).
std::vector<std::string> tiny_overrides_3d(const std::string& stage) {
  if (stage == "generate")
    return {"frames=6", "trajectories.train=2", "trajectories.valid=1", "trajectories.test=1",
            "sweep=[{key: gamma, values: [1.4]}]"};
  if (stage == "ae") return {"optim.epochs=1"};
  if (stage == "emulator")
    return {"optim.epochs=1", "optim.batch=8",         "model.width=32",           "model.depth=1",
            "model.heads=2",  "model.emb_features=32", "diffusion.sampler.steps=8"};
  if (stage == "hybrid") return {"frames=8", "leap.leap_frames=3", "leap.solver_frames=2"};
  if (stage == "evaluate") return {"members=2", "trajectories=1"};
  return {};
}

// Sizes: small is the demo; tiny (32x32, a few epochs) checks the pipeline in about a minute.
std::vector<std::string> tiny_overrides(const std::string& stage, const std::string& case_name) {
  if (case_name == "euler3d") return tiny_overrides_3d(stage);
  if (stage == "generate")
    return {"frames=8",
            "trajectories.train=4",
            "trajectories.valid=1",
            "trajectories.test=1",
            "sweep=[{key: gamma, values: [1.4]}]",
            "euler2d.boundary=periodic",
            "euler2d.nx=32",
            "euler2d.ny=32"};
  if (stage == "ae")
    return {"optim.epochs=3", "optim.batch=8", "model.channels=[8, 16]", "model.blocks=[1, 1]",
            "model.latent_channels=4"};
  if (stage == "emulator")
    return {"optim.epochs=3",
            "optim.batch=8",
            "window=4",
            "model.width=32",
            "model.depth=2",
            "model.heads=2",
            "model.emb_features=32",
            "diffusion.sampler.steps=8",
            "diffusion.context.context_max=2"};
  if (stage == "hybrid")
    return {"euler2d.nx=32", "euler2d.ny=32", "frames=12", "leap.leap_frames=3", "leap.solver_frames=2"};
  if (stage == "evaluate") return {"members=2", "trajectories=1"};
  return {};
}

nlohmann::json read_json(const fs::path& p) {
  std::ifstream in(p);
  if (!in) throw Error("leap demo: missing " + p.string());
  return nlohmann::json::parse(in);
}

int run_demo(const DemoOptions& o) {
  const auto t_start = std::chrono::steady_clock::now();
  const fs::path out = o.out, cfgdir = out / "configs";
  std::error_code ec;
  fs::create_directories(cfgdir, ec);
  if (ec) throw InputError(o.out, "--out", "a directory that can be created", ec.message());
  const std::string device = o.device == "auto"
                                 ? (torch::cuda::is_available() ? std::string("cuda") : std::string("cpu"))
                                 : o.device;
  const bool three_d = o.case_name == "euler3d";
  const std::pair<const char*, const char*> configs[] = {
      {"generate", three_d ? demo::kGenerate3d : demo::kGenerate},
      {"ae", three_d ? demo::kAutoencoder3d : demo::kAutoencoder},
      {"emulator", three_d ? demo::kEmulator3d : demo::kEmulator},
      {"hybrid", three_d ? demo::kHybrid3d : demo::kHybrid}};
  for (const auto& [name, text] : configs)
    util::write_file_atomic((cfgdir / (std::string(name) + ".yaml")).string(), text);

  const std::string leap = self_executable("leap demo");
  const std::vector<std::string> mpi{mpiexec(), "-n", std::to_string(o.ranks), "--oversubscribe", leap};
  const std::vector<std::string> single{leap};
  auto with_sets = [&](std::vector<std::string> args, const std::string& stage) {
    if (o.size == "tiny")
      for (const auto& s : tiny_overrides(stage, o.case_name)) args.insert(args.end(), {"--set", s});
    if (!o.progress) args.push_back("--no-progress");
    return args;
  };
  struct Stage {
    std::string name;
    std::vector<std::string> argv;
  };
  auto cfg = [&](const char* n) { return (cfgdir / (std::string(n) + ".yaml")).string(); };
  std::vector<Stage> stages;
  auto cmd = [](std::vector<std::string> head, std::initializer_list<std::string> tail) {
    head.insert(head.end(), tail);
    return head;
  };
  stages.push_back(
      {"generate a dataset with the PETSc Euler solver",
       with_sets(cmd(mpi, {"generate", "--config", cfg("generate"), "--out", (out / "data").string()}),
                 "generate")});
  stages.push_back({"train the autoencoder",
                    with_sets(cmd(single, {"train", "ae", "--config", cfg("ae"), "--data",
                                           (out / "data").string(), "--out", (out / "ae").string()}),
                              "ae")});
  // The emulator sees 4 flipped/rolled copies of each training trajectory besides the original (flips
  // with the vector-sign rules, rolls on periodic axes): 5x the windows for the same encoder.
  stages.push_back({"encode the dataset, with augmented copies of the training split",
                    cmd(single, {"encode", "--checkpoint", (out / "ae" / "best.ckpt").string(), "--data",
                                 (out / "data").string(), "--out", (out / "latents").string(), "--augment",
                                 o.size == "tiny" ? "1" : "4", "--seed", "0"})});
  if (!o.progress) stages.back().argv.push_back("--no-progress");
  stages.push_back({"train the latent diffusion emulator",
                    with_sets(cmd(single, {"train", "emulator", "--config", cfg("emulator"), "--data",
                                           (out / "latents").string(), "--out", (out / "emulator").string()}),
                              "emulator")});
  std::vector<std::string> hyb =
      cmd(mpi, {"hybrid", "--config", cfg("hybrid"), "--ae", (out / "ae" / "best.ckpt").string(),
                "--emulator", (out / "emulator" / "best.ckpt").string(), "--out", (out / "hybrid").string(),
                "--set", "leap.device=" + device});
  if (o.size == "tiny")
    for (const auto& s : tiny_overrides("hybrid", o.case_name)) hyb.insert(hyb.end(), {"--set", s});
  stages.push_back({"hybrid run (solver + emulator) against the solver alone", hyb});
  // The emulator against the solver on held-out test trajectories, by lead time (the paper's metrics).
  std::vector<std::string> eval =
      cmd(mpi, {"evaluate", "--ae", (out / "ae" / "best.ckpt").string(), "--emulator",
                (out / "emulator" / "best.ckpt").string(), "--data", (out / "data").string(), "--out",
                (out / "evaluate").string(), "--set", "device=" + device, "--set", "trajectories=2", "--set",
                "members=2"});
  if (o.size == "tiny")
    for (const auto& s : tiny_overrides("evaluate", o.case_name)) eval.insert(eval.end(), {"--set", s});
  stages.push_back({"evaluate the emulator on held-out test trajectories", eval});

  nlohmann::json m;
  m["command"] = "demo";
  m["case"] = o.case_name;
  m["size"] = o.size;
  m["ranks"] = o.ranks;
  m["device"] = device;
  nlohmann::json times = nlohmann::json::array();
  for (size_t i = 0; i < stages.size(); ++i) {
    std::cout << "\n== leap demo [" << i + 1 << "/" << stages.size() << "] " << stages[i].name << "\n";
    const auto t0 = std::chrono::steady_clock::now();
    const int status = run_child(stages[i].argv, "leap demo");
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    times.push_back({{"stage", stages[i].name}, {"seconds", s}});
    if (status != 0) {
      std::cerr << "leap demo: stage '" << stages[i].name << "' failed (exit " << status
                << "): " << command_line(stages[i].argv) << "\n";
      return status == 2 ? 2 : 1;
    }
  }
  const nlohmann::json h = read_json(out / "hybrid" / "metrics.json");
  const nlohmann::json ae = read_json(out / "ae" / "metrics.json");
  const nlohmann::json emu = read_json(out / "emulator" / "metrics.json");
  const nlohmann::json ev = read_json(out / "evaluate" / "metrics.json");
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  m["seconds_per_stage"] = times;
  m["seconds_total"] = total;
  m["hybrid"] = h;
  m["autoencoder"] = ae;
  m["emulator"] = emu;
  m["evaluate"] = ev;

  std::string plane;  // the 3-D figure's slice
  if (h.contains("figure_slice")) {
    const nlohmann::json& f = h["figure_slice"];
    plane = "; the z mid-plane, z = " + std::to_string(f.value("index", int64_t(0))) + " of " +
            std::to_string(f.value("cells", int64_t(0)));
  }
  std::ostringstream r;
  r << std::fixed << std::setprecision(3);
  r << "# LEAP demo report\n\n"
    << (three_d ? "3-D Euler octant case" : "Euler multi-quadrant case") << " (" << o.size << " size), "
    << o.ranks << " MPI ranks, emulator on " << device << ", " << std::setprecision(0) << total
    << " s in all.\n\n"
    << std::setprecision(3) << "| stage | seconds |\n|---|---|\n";
  for (const auto& t : times)
    r << "| " << t["stage"].get<std::string>() << " | " << std::setprecision(1) << t["seconds"].get<double>()
      << " |\n";
  r << std::setprecision(3) << "\nHybrid run on held-out seed " << h.value("seed", 0) << " over "
    << h.value("frames", 0) << " frames: " << h.value("frames_by_solver", 0) << " frames by the solver, "
    << h.value("frames_by_emulator", 0) << " by the emulator (" << h.value("leaps_accepted", 0)
    << " leaps accepted, " << h.value("leaps_rejected", 0) << " rejected"
    << (h.contains("rejections") && !h["rejections"].empty()
            ? "; first rejection at " + h["rejections"][0].get<std::string>()
            : std::string())
    << ").\n\n"
    << "- speed-up over the solver alone: " << h.value("speedup", 0.0) << "\n"
    << "- VRMSE of the final state against the solver alone: " << h.value("vrmse_final", 0.0) << "\n"
    << "- figure (rows: fields; columns: solver, hybrid, |difference|" << plane
    << "): " << h.value("figure", std::string()) << "\n"
    << "- details: " << (out / "metrics.json").string() << ", " << (out / "hybrid" / "metrics.json").string()
    << "\n";
  // Evaluation: VRMSE against the solver per lead-time bin, per model.
  if (ev.contains("models")) {
    r << "\nEvaluation on held-out test trajectories (VRMSE against the solver, mean over fields, at "
         "lead 1 and by lead-time bin in frames):\n\n| model | lead 1 |";
    std::vector<std::string> bins;
    for (const auto& [model, jm] : ev["models"].items())
      if (jm.contains("bins") && bins.empty())
        for (const auto& [b, unused] : jm["bins"].items()) bins.push_back(b);
    // JSON objects come back sorted by key ("12:18" before "1:4"): order the bins by their first frame.
    std::sort(bins.begin(), bins.end(),
              [](const std::string& a, const std::string& b) { return std::stoi(a) < std::stoi(b); });
    for (const auto& b : bins) r << " " << b << " |";
    r << "\n|---|---|";
    for (size_t k = 0; k < bins.size(); ++k) r << "---|";
    r << "\n";
    auto lead1 = [](const nlohmann::json& jm) { return jm["per_lead"]["vrmse"].at(0).get<double>(); };
    for (const auto& [model, jm] : ev["models"].items()) {
      r << "| " << model << " | " << lead1(jm) << " |";
      for (const auto& b : bins) r << " " << jm["bins"][b].value("vrmse", 0.0) << " |";
      r << "\n";
    }
    // The verdict the demo is judged on: the emulator below persistence at lead 1 and in every bin.
    if (ev["models"].contains("diffusion") && ev["models"].contains("persistence")) {
      const nlohmann::json &d = ev["models"]["diffusion"], &p = ev["models"]["persistence"];
      std::vector<std::string> above;
      if (!(lead1(d) < lead1(p))) above.push_back("lead 1");
      for (const auto& b : bins)
        if (!(d["bins"][b].value("vrmse", 0.0) < p["bins"][b].value("vrmse", 0.0))) above.push_back(b);
      std::string list;
      for (const auto& a : above) list += (list.empty() ? "" : ", ") + a;
      r << "\nThe emulator against persistence: "
        << (above.empty() ? "below it at lead 1 and in every bin.\n" : "not below it at " + list + ".\n");
      m["emulator_below_persistence"] = {{"everywhere", above.empty()}, {"not_below_at", above}};
    }
    r << "\nFigures: " << (out / "evaluate").string()
      << "/ (snapshots_<field>.png, vrmse_vs_lead.png, spectra.png, spread_skill.png); table.csv beside "
         "them.\n";
  }
  util::write_file_atomic((out / "metrics.json").string(), m.dump(2) + "\n");
  util::write_file_atomic((out / "report.md").string(), r.str());
  std::cout << "\n" << r.str() << std::flush;
  return 0;
}

}  // namespace

void add_demo_help_entry(CLI::App& app) {
  app.add_subcommand("demo", "Run the whole pipeline on a small Euler case (2-D or 3-D) and report (see leap "
                             "demo --help)")
      ->allow_extras();
}

int demo_main(int argc, char** argv) {
  DemoOptions o;
  bool no_progress = false;
  CLI::App app{
      "leap demo: generate data with the PETSc Euler solver, train the autoencoder and the latent "
      "diffusion emulator, run a hybrid simulation on a held-out case and report speed-up and VRMSE",
      "leap demo"};
  app.add_option("--out", o.out, "output directory (default out/demo)");
  app.add_option("--case", o.case_name,
                 "euler2d (the 2-D multi-quadrant case, 64^2; the default) or euler3d (the 3-D octant "
                 "case, 16^3)")
      ->check(CLI::IsMember({"euler2d", "euler3d"}));
  app.add_option("--ranks", o.ranks, "MPI ranks of the solver stages")->check(CLI::Range(1, 64));
  app.add_option("--device", o.device, "where the emulator runs in the hybrid stage: auto, cpu, cuda");
  app.add_option("--size", o.size, "small (the demo, minutes) or tiny (a one-minute check)")
      ->check(CLI::IsMember({"small", "tiny"}));
  app.add_flag("--no-progress", no_progress, "no progress bars");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::cerr << "leap demo: " << e.what() << " (see leap demo --help)\n";
    return 2;
  }
  o.progress = !no_progress;
  try {
    return run_demo(o);
  } catch (const InputError& e) {
    std::cerr << "leap demo: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "leap demo: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace leap::cli
